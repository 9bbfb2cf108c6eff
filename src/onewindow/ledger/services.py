"""Importing a ledger (台账) into the register.

``import_ledger`` reads the workbook row by row (``reader``), normalises each row's cells
(``normalisers``), matches it to a registered project (by 项目代码, else by name and investor), decides
what the row means (a new project, a change, or nothing), and writes, all inside one transaction:

* By default the import is all or nothing: if any row is wrong, the transaction is rolled back at the end
  and the report lists every problem by row and column. With ``skip_invalid`` the valid rows are kept.
  A dry run is the same import rolled back, so its counts are exactly what a real run would do.
* Re-importing the same file changes nothing (every row is "unchanged"); a changed row updates its
  project through the project services (``update_project``, ``set_national_code``, ``change_stage``),
  each audited as if the person had made the change on the project page.
* New projects are written by ``bulk.BulkCreator``, in batches, because the services' one-row-at-a-time
  path costs 47 queries for a new investor's project that has started (intake, then one ``change_stage``
  per stage, each with its timeline entry and audit rows): measured at 12 ms a project on SQLite, 20
  minutes for a 100,000-row ledger, against a goal of one minute. The bulk writer runs the same
  validation first (the intake's own ``_validate_intake`` and ``_scope_errors``, and the checks of
  ``change_stage`` mirrored in ``plan``), then writes what the services would have written: the investor
  and its audit row, the project at its final stage and version, one public timeline entry per stage step
  with the services' own texts and dates, and one audit row for the project recording its fields as
  written and its timeline entries (where the services write one per intake, stage change and timeline
  entry). ``tests/ledger/test_bulk_equivalence.py`` holds it to that. The statistics tallies are written
  once, at the end.

For a long ledger on a machine with a second CPU, the reading and the typing of the rows run in a
forked child process (``pipeline``) while this one decides and writes (``ImportOptions.reading_process``).

Memory: the reader streams, rows are handled in chunks of ``CHUNK_ROWS``, and what stays behind is one
number per row (the ids of the projects the import has touched, to refuse a row that repeats another)
plus the errors and the tallies' buckets, so a 100,000-row ledger stays within a few tens of megabytes.
"""

import operator
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.permissions import INTAKE_ROLES, region_path, require_role
from onewindow.core.codes import normalise_uscc, validate_uscc
from onewindow.core.errors import StaleObjectError
from onewindow.core.lookups import among
from onewindow.ledger import normalisers as norm
from onewindow.ledger import pipeline
from onewindow.ledger import plan as stage_plan
from onewindow.ledger.bulk import BulkCreator
from onewindow.ledger.mapping import BY_KEY, DATE_KEYS
from onewindow.ledger.normalisers import Invalid, LedgerDate, RegionIndex
from onewindow.ledger.reader import LedgerFileError, LedgerReader, RawRow, collections_paused
from onewindow.ledger.report import SAMPLE_ROWS, Action, ImportReport, Issue, RowOutcome
from onewindow.projects import services as project_services
from onewindow.projects.models import Investor, Level, Project
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.projects.stages import DATE_FIELD, Stage
from onewindow.regions.models import Region

# Rows asked about and written together: 5,000 rather than 1,000 measured 12.0 against 14.9 s on
# PostgreSQL at 20,000 rows (fewer statements and round trips), for a larger, still constant, memory.
CHUNK_ROWS = 5000
# The first chunk is smaller: with a reading process, this one waits for the rows of the first chunk
# before it can start, and the sooner it starts the more the two overlap.
FIRST_CHUNK_ROWS = 1000
# Below this many rows a second reading process saves less than forking costs.
FORK_FROM_ROWS = 5000
NAME_MAX = Project._meta.get_field("name").max_length
INVESTOR_NAME_MAX = Investor._meta.get_field("name").max_length

# Keys of the services' ValidationError → the ledger field (and so the column) they concern.
SERVICE_KEYS = {
    "name": "name",
    "total_investment_wan": "investment",
    "industry": "industry",
    "region": "region",
    "level": "level",
    "stage": "stage",
    "target": "stage",
    "negotiation_on": "negotiation_on",
    "signed_on": "signed_on",
    "intake_on": "intake_on",
    "national_code": "code",
    "code": "code",
    "construction_nature": "nature",
    "approval_type": "approval_type",
    "project_type": "project_type",
    "fast_track": "fast_track",
    "reason": "reason",
    "investor": "investor",
    "investor_name": "investor",
    "investor_uscc": "uscc",
}
# Ledger field → the project attribute it sets.
FACTS = {
    "investment": "total_investment_wan",
    "industry": "industry",
    "region": "region",
    "level": "level",
    "nature": "construction_nature",
    "approval_type": "approval_type",
    "project_type": "project_type",
    "fast_track": "fast_track",
}


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    skip_invalid: bool = False
    # The ledger's region (GB/T 2260 or internal code): rows without a region take it, rows outside it
    # are errors.
    region: str = ""
    sheet: str = ""
    # The upload page refuses sheets longer than this (a web request has a time limit); the command
    # has none.
    max_rows: int | None = None
    # Read and type the rows in a second process (``pipeline``) while this one writes: ``None`` lets the
    # import decide (a sheet of more than ``FORK_FROM_ROWS`` rows, on more than one CPU, when no other
    # thread runs); ``True`` asks for it wherever the system can fork.
    reading_process: bool | None = None


@dataclass(slots=True)
class LedgerRow:
    """One data row, its cells typed. ``values`` keeps the given cells for messages and the preview."""

    number: int
    code: str = ""
    code_provisional: bool | None = None
    name: str = ""
    investor_name: str = ""
    uscc: str = ""
    investment: Decimal | None = None
    industry: str | None = None
    region: Region | None = None
    level: str | None = None
    stage: Stage | None = None
    dates: dict[str, LedgerDate] = field(default_factory=dict)
    reason: str = ""
    nature: str | None = None
    approval_type: str | None = None
    project_type: str | None = None
    fast_track: bool | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # Worked out with the typing, where the register is not needed (in the reading process, if any):
    name_key: str = ""  # the name without regard to spaces and widths
    name_variants: tuple[str, ...] = ()  # spellings under which the name may be stored
    investor_name_key: str = ""
    investor_name_variants: tuple[str, ...] = ()
    uscc_problem: str = ""  # why the unified social credit code is not valid
    new_plan: stage_plan.StagePlan | None = None  # the stages and dates, were the row a new project
    # Resolved against the register:
    investor: "Investor | InvestorRef | None" = None
    new_investor: NewInvestor | None = None
    investor_unknown: bool = False
    project: "ProjectRecord | None" = None
    matched_by: str = ""

    def fact(self, key: str):
        return getattr(self, key)

    def __reduce__(self):
        # Pickled as its values in field order (rows travel from the reading process in their
        # hundreds of thousands): the dataclass's own state methods are Python loops over its fields.
        return LedgerRow, _ledger_row_values(self)


_ledger_row_values = operator.attrgetter(*(item.name for item in fields(LedgerRow)))


# ---------------------------------------------------------------------------------------------------
# Entry point


def import_ledger(
    *,
    actor: User,
    source: str | Path | IO[bytes],
    file_name: str = "",
    options: ImportOptions = ImportOptions(),
    progress: Callable[[int, int | None], None] | None = None,
    source_ip: str | None = None,
    sample_rows: int = SAMPLE_ROWS,
    code_rng: random.Random | None = None,
) -> ImportReport:
    """Import a ledger workbook as ``actor``; never raises for a bad file or bad rows, the report says.

    ``progress`` is called with (rows read, last row of the sheet or ``None``) as the rows stream by.
    Raises ``PermissionDenied`` unless the actor may take projects in.
    """
    require_role(actor, INTAKE_ROLES)
    with collections_paused():
        return _import(actor, source, file_name, options, progress, source_ip, sample_rows, code_rng)


def _import(actor, source, file_name, options, progress, source_ip, sample_rows, code_rng) -> ImportReport:
    began = time.perf_counter()
    report = ImportReport(
        file_name=file_name or str(getattr(source, "name", source)),
        dry_run=options.dry_run,
        skip_invalid=options.skip_invalid,
    )
    try:
        reader = LedgerReader(source, sheet=options.sheet)
    except LedgerFileError as error:
        report.fatal = str(error)
        return report
    with reader:
        report.layout = reader.layout
        last_row = reader.layout.last_row
        if options.max_rows and last_row and last_row - reader.layout.header_last > options.max_rows:
            report.fatal = _(
                "This ledger has %(rows)d rows; the page takes up to %(max)d. "
                "Import it with the command onewindow import-ledger."
            ) % {"rows": last_row - reader.layout.header_last, "max": options.max_rows}
            return report
        try:
            context = _Context(actor=actor, options=options, layout=reader.layout, source_ip=source_ip)
        except LedgerFileError as error:
            report.fatal = str(error)
            return report
        on_progress = (lambda number: progress(number, last_row)) if progress else None
        with transaction.atomic():
            importer = _Importer(context, report, sample_rows=sample_rows, code_rng=code_rng)
            report.read_in_second_process = _reading_process(options, reader.layout)
            try:
                importer.run(reader, on_progress, in_child=report.read_in_second_process)
            except LedgerFileError as error:
                report.fatal = str(error)
            keep = not report.fatal and not options.dry_run and (not report.invalid or options.skip_invalid)
            if not keep:
                transaction.set_rollback(True)
            report.written = keep and bool(report.created or report.updated)
    report.seconds = time.perf_counter() - began
    return report


def _reading_process(options: ImportOptions, layout) -> bool:
    if options.reading_process is not None:
        # Asked for (or refused) by the caller, who knows whether forking is safe where it runs.
        return options.reading_process and pipeline.has_fork()
    rows = (layout.last_row or 0) - layout.header_last
    return rows > FORK_FROM_ROWS and pipeline.can_fork()


class _Context:
    """Who imports, where they may, and how the sheet's columns are called (for messages)."""

    def __init__(self, *, actor: User, options: ImportOptions, layout, source_ip: str | None) -> None:
        self.actor = actor
        self.source_ip = source_ip
        self.today = timezone.localdate()
        self.scope = region_path(actor)
        regions = list(Region.objects.all())
        self.regions = RegionIndex(regions)
        self.limit: Region | None = None
        if options.region:
            self.limit = next((region for region in regions if region.code == options.region.strip()), None)
            if self.limit is None:
                raise LedgerFileError(_("There is no region with code %(code)s.") % {"code": options.region})
            if self.scope and not self.limit.path.startswith(self.scope):
                raise LedgerFileError(
                    _("The region %(name)s is outside the area you work in.") % {"name": self.limit.name}
                )
        home = actor.region if self.scope else None
        self.default_region: Region | None = self.limit or home
        self.columns = {column.key: column for column in layout.mapped}
        self.labels = {
            key: (self.columns[key].header if key in self.columns else ledger_field.header)
            for key, ledger_field in BY_KEY.items()
        }

    def issue(self, row: int, key: str, message: str) -> Issue:
        column = self.columns.get(key)
        return Issue(
            row=row,
            column=column.letter if column else "",
            header=self.labels.get(key, ""),
            field=key,
            message=str(message),
        )

    def outside(self, region: Region) -> str:
        """Why ``region`` may not be imported here ('' when it may)."""
        if self.scope and not region.path.startswith(self.scope):
            return _("%(name)s is outside the area you work in.") % {"name": region.name}
        if self.limit is not None and not region.path.startswith(self.limit.path):
            return _("%(name)s is outside the ledger's region %(limit)s.") % {
                "name": region.name,
                "limit": self.limit.name,
            }
        return ""


# ---------------------------------------------------------------------------------------------------
# Rows


_ENUMERATION = re.compile(
    r"^\s*(?:[(（][一二三四五六七八九十百\d]+[)）]|[一二三四五六七八九十百\d]+[、.．:：]|第[一二三四五六七八九十\d]+[部分类批]?)"
)
_COUNT = re.compile(r"[(（]?\s*(?:共|计)?\s*\d+\s*个(?:项目)?\s*[)）]?\s*$")


_MISSING = object()
_CACHE_SIZE = 5000
# Investors' codes get a larger cache: a ledger names each investor on several rows that need not be
# near each other, and with a cache of 5,000 emptied when full, 20,000 investors over 100,000 rows missed
# it two times in three (each miss a checksum in Python). 50,000 short strings are a few megabytes.
_USCC_CACHE_SIZE = 50_000
_UNCACHED = frozenset({"investment", "code"})


class _Importer:
    def __init__(self, context: _Context, report: ImportReport, *, sample_rows: int, code_rng) -> None:
        self.context = context
        self.report = report
        self.sample_rows = sample_rows
        self.section_region: Region | None = None
        self.section_level: str | None = None
        self.caches: dict[str, dict] = defaultdict(dict)
        self.usccs: dict = {}
        self.uscc_problems: dict[str, str] = {}
        self.seen: dict[int, int] = {}  # project id → the row that matched or created it
        self.plan_ahead = False  # set by ``run``
        self.pending_codes: dict[str, int] = {}
        self.pending_keys: dict[tuple[str, str], int] = {}
        self.bulk = BulkCreator(
            actor=context.actor, source_ip=context.source_ip, today=context.today, rng=code_rng
        )

    # -- reading ------------------------------------------------------------------------------------

    def run(self, reader: LedgerReader, progress: Callable[[int], None] | None, *, in_child: bool) -> None:
        # Planning a new project's stages while typing only pays in a reading process, where it comes
        # off the writer's share; in one process it would be done for rows that turn out registered.
        self.plan_ahead = in_child
        if in_child:
            typed = pipeline.forked(
                lambda note_progress: self._typed(reader.rows(note_progress)),
                progress=progress,
                shared=self.context.regions.regions.values(),
            )
        else:
            typed = self._typed(reader.rows(progress))
        with closing(typed):
            self._take(typed)
        with self._refused_writes():
            self.bulk.finish()

    def _take(self, typed: Iterator[LedgerRow | str]) -> None:
        chunk: list[LedgerRow] = []
        chunk_rows = FIRST_CHUNK_ROWS
        report = self.report
        for row in typed:
            report.rows_read += 1
            if row.__class__ is str:
                if row == "blank":
                    report.blank_rows += 1
                elif row == "total":
                    report.total_rows += 1
                else:
                    report.heading_rows += 1
                continue
            report.data_rows += 1
            chunk.append(row)
            if len(chunk) >= chunk_rows:
                self._process(chunk)
                chunk, chunk_rows = [], CHUNK_ROWS
        if chunk:
            self._process(chunk)

    def _typed(self, rows: Iterable[RawRow]) -> Iterator[LedgerRow | str]:
        """Each data row typed, or the kind of a row that holds no project (blank, total, heading)."""
        for raw in rows:
            if raw.kind == "data" or (raw.kind == "heading" and not self._heading(raw.text)):
                yield self._parse(raw)
            else:
                yield raw.kind

    def _heading(self, text: str) -> bool:
        """A heading row: sets the region or level of the rows below it when it names one."""
        numbered = bool(_ENUMERATION.match(text))
        bare = _COUNT.sub("", _ENUMERATION.sub("", text)).strip(" ：:")
        key = norm.fold(bare)
        if "市级" in key or "市本级" in key:
            self.section_level, self.section_region = Level.CITY, None
            return True
        if "县级" in key or "县市区" in key:
            self.section_level, self.section_region = Level.COUNTY, None
            return True
        try:
            region = self.context.regions.resolve(bare)
        except Invalid:
            region = None
        if region is not None:
            self.section_region = region
            return True
        return numbered

    def _parse(self, raw: RawRow) -> LedgerRow:
        context = self.context
        values = raw.values
        row = LedgerRow(number=raw.number)

        caches = self.caches

        def read(key: str, parse: Callable, *args):
            value = values.get(key)
            if value is None:
                return None
            # Most columns repeat a few values (stages, regions, industries, dates): each distinct value
            # is normalised once per import.
            cache = caches[key]
            cached = cache.get((value.__class__, value), _MISSING)
            if cached is _MISSING:
                try:
                    cached = parse(value, *args)
                except Invalid as error:
                    cached = error
                if key not in _UNCACHED:
                    if len(cache) >= _CACHE_SIZE:
                        cache.clear()
                    cache[(value.__class__, value)] = cached
            if isinstance(cached, Invalid):
                row.errors.append(context.issue(raw.number, key, str(cached)))
                return None
            return cached

        row.code = read("code", norm.parse_code) or ""
        row.code_provisional = read("code_provisional", norm.parse_yes_no)
        row.name = norm.text(values.get("name"))
        row.investor_name = norm.text(values.get("investor"))
        row.uscc = self._uscc(values.get("uscc"))
        column = context.columns.get("investment")
        row.investment = read("investment", norm.parse_amount, column.unit_factor if column else norm.WAN)
        row.industry = read("industry", norm.parse_industry)
        row.region = read("region", context.regions.resolve)
        row.level = read("level", norm.parse_level)
        row.stage = read("stage", norm.parse_stage)
        for key in DATE_KEYS:
            parsed = read(key, norm.parse_date)
            if parsed is not None:
                row.dates[key] = parsed
        row.reason = norm.text(values.get("reason"))
        row.nature = read("nature", norm.parse_nature)
        row.approval_type = read("approval_type", norm.parse_approval_type)
        row.project_type = read("project_type", norm.parse_project_type)
        row.fast_track = read("fast_track", norm.parse_yes_no)

        if not row.name:
            row.errors.append(context.issue(raw.number, "name", _("The project name is empty.")))
        elif len(row.name) > NAME_MAX:
            row.errors.append(
                context.issue(
                    raw.number,
                    "name",
                    _("A project name has at most %(max)d characters.") % {"max": NAME_MAX},
                )
            )
        if row.region is None and norm.is_empty(values.get("region")):
            row.region = self.section_region or context.default_region
        if row.level is None and self.section_level and row.region is not None:
            row.level = self.section_level
        self._prepare(row)
        return row

    def _prepare(self, row: LedgerRow) -> None:
        """What deciding the row needs that does not need the register."""
        row.name_key = norm.squash(row.name)
        row.name_variants = tuple(_variants(row.name))
        if row.investor_name:
            row.investor_name_key = norm.squash(row.investor_name)
            if not row.uscc:
                row.investor_name_variants = tuple(_variants(row.investor_name))
        if row.uscc:
            row.uscc_problem = self._uscc_problem(row.uscc)
        # A row with a project code mostly updates a registered project (an exported ledger comes back
        # with every code); the plan of a new project is worked out ahead only for the others.
        if self.plan_ahead and not row.errors and not row.code:
            context = self.context
            row.new_plan = stage_plan.plan_new(
                stage=row.stage,
                dates=row.dates,
                reason=row.reason,
                today=context.today,
                labels=context.labels,
            )

    def _uscc(self, value) -> str:
        """The code as ``register_investor`` normalises it (an investor's code repeats down a ledger, so
        each distinct one is worked out once)."""
        if value is None:
            return ""
        found = self.usccs.get(value)
        if found is None:
            found = normalise_uscc(norm.nfkc(norm.text(value)))
            if len(self.usccs) > _USCC_CACHE_SIZE:
                self.usccs.clear()
            self.usccs[value] = found
        return found

    def _uscc_problem(self, code: str) -> str:
        """Why the code is not a valid 统一社会信用代码 ('' when it is), as ``register_investor`` checks."""
        problem = self.uscc_problems.get(code)
        if problem is None:
            try:
                validate_uscc(code)
                problem = ""
            except ValidationError as error:
                problem = " ".join(error.messages)
            if len(self.uscc_problems) > _USCC_CACHE_SIZE:
                self.uscc_problems.clear()
            self.uscc_problems[code] = problem
        return problem

    # -- matching and deciding ----------------------------------------------------------------------

    def _process(self, chunk: list[LedgerRow]) -> None:
        """Decide and write a chunk: the register is asked once per chunk, then the rows are taken in order
        (so that a row sees the investors and projects the rows before it register)."""
        lookups = _Lookups.fetch(chunk)
        for row in chunk:
            if not row.errors:
                self._match(row, lookups)
            if row.errors:
                self._fail(row)
            elif row.project is None:
                self._create(row)
            else:
                self._update(row)
        with self._refused_writes(), transaction.atomic():
            written = self.bulk.flush()
        for row_number, project_id in written:
            self.seen[project_id] = row_number
        # Later rows find these projects in the register (and in ``seen``).
        self.pending_codes.clear()
        self.pending_keys.clear()

    @contextmanager
    def _refused_writes(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError as error:
            # Validated rows are refused only if the register changed meanwhile (another import of the
            # same codes, say): the whole import stops and nothing is kept.
            raise LedgerFileError(
                _("The register changed while the ledger was imported (%(error)s); import it again.")
                % {"error": error.__class__.__name__}
            ) from None

    def _match(self, row: LedgerRow, lookups: "_Lookups") -> None:
        context = self.context
        if row.code and row.code in lookups.by_code:
            row.project, row.matched_by = lookups.by_code[row.code], "code"
        elif row.code and row.code in self.pending_codes and not row.code_provisional:
            row.errors.append(
                context.issue(
                    row.number,
                    "code",
                    _("Row %(other)d has the same project code.") % {"other": self.pending_codes[row.code]},
                )
            )
            return
        problem = self._resolve_investor(row, lookups)
        if problem is not None and (row.project is None or problem.field == "uscc"):
            row.errors.append(problem)
            return
        if row.project is None and row.investor is not None and row.investor.pk:
            candidates = lookups.by_pair.get((row.investor.pk, row.name_key), [])
            if len(candidates) > 1:
                row.errors.append(
                    context.issue(
                        row.number,
                        "name",
                        _("The investor has several projects called %(name)s; give the project code.")
                        % {"name": row.name},
                    )
                )
                return
            if candidates:
                row.project, row.matched_by = candidates[0], "name"
        if row.project is not None:
            earlier = self.seen.get(row.project.pk)
            if earlier is not None:
                row.errors.append(
                    context.issue(
                        row.number,
                        "name",
                        _("This project was already in row %(other)d.") % {"other": earlier},
                    )
                )
                row.project = None
            else:
                self.seen[row.project.pk] = row.number
            return
        key = self._investor_key(row)
        if key is not None and key in self.pending_keys:
            row.errors.append(
                context.issue(
                    row.number,
                    "name",
                    _("This project was already in row %(other)d.") % {"other": self.pending_keys[key]},
                )
            )

    def _resolve_investor(self, row: LedgerRow, lookups: "_Lookups") -> Issue | None:
        """Find the row's investor (``row.investor``), or note a new one (``row.new_investor``); returns
        the problem, if any."""
        context = self.context
        if row.uscc:
            problem = row.uscc_problem
            if problem:
                return context.issue(row.number, "uscc", problem)
            investor = lookups.by_uscc.get(row.uscc) or self.bulk.pending_investor(row.uscc)
            if investor is not None:
                row.investor = investor
                if row.investor_name and norm.squash(investor.name) != row.investor_name_key:
                    row.warnings.append(
                        context.issue(
                            row.number,
                            "investor",
                            _("The register names the investor with this code %(name)s; that name is kept.")
                            % {"name": investor.name},
                        )
                    )
                return None
            if not row.investor_name:
                return context.issue(
                    row.number,
                    "investor",
                    _("A new investor needs its name (%(column)s).") % {"column": context.labels["investor"]},
                )
            if len(row.investor_name) > INVESTOR_NAME_MAX:
                return context.issue(
                    row.number,
                    "investor",
                    _("An enterprise name has at most %(max)d characters.") % {"max": INVESTOR_NAME_MAX},
                )
            row.new_investor = NewInvestor(name=row.investor_name, uscc=row.uscc)
            return None
        if not row.investor_name:
            return None
        found = {investor.pk: investor for investor in lookups.by_name.get(row.investor_name_key, [])}
        pending = self.bulk.pending_investor_named(row.investor_name)
        candidates = list(found.values())
        if pending is not None and pending.pk not in found:
            candidates.append(pending)
        if len(candidates) == 1:
            row.investor = candidates[0]
            return None
        if candidates:
            return context.issue(
                row.number,
                "investor",
                _(
                    "Several registered investors are called %(name)s; "
                    "give the unified social credit code (%(column)s)."
                )
                % {"name": row.investor_name, "column": context.labels["uscc"]},
            )
        row.investor_unknown = True
        return None

    def _investor_key(self, row: LedgerRow) -> tuple[str, str] | None:
        investor = row.investor or row.new_investor
        return (investor.uscc, row.name_key) if investor is not None else None

    # -- outcomes -----------------------------------------------------------------------------------

    def _record(self, row: LedgerRow, action: str, changes: list[str] | None = None) -> None:
        report = self.report
        for warning in row.warnings:
            report.warn(warning)
        if action == Action.ERROR:
            report.invalid += 1
            report.errors.extend(row.errors)
        elif action == Action.CREATE:
            report.created += 1
        elif action == Action.UPDATE:
            report.updated += 1
        else:
            report.unchanged += 1
        if len(report.sample) < self.sample_rows:
            report.sample.append(
                RowOutcome(
                    row=row.number,
                    action=action,
                    values=_display(row),
                    changes=changes or [],
                    issues=list(row.errors),
                    warnings=list(row.warnings),
                )
            )

    def _fail(self, row: LedgerRow) -> None:
        self._record(row, Action.ERROR)

    def _service_errors(self, row: LedgerRow, error: ValidationError, date_key: str = "") -> None:
        if not hasattr(error, "error_dict"):
            row.errors.append(self.context.issue(row.number, "", " ".join(error.messages)))
            return
        for key, messages in error.message_dict.items():
            ledger_key = date_key if key == "on" and date_key else SERVICE_KEYS.get(key, "")
            row.errors.append(self.context.issue(row.number, ledger_key, " ".join(messages)))

    def _plan_issues(self, row: LedgerRow, plan: stage_plan.StagePlan) -> None:
        for key, message in plan.errors.items():
            row.errors.append(self.context.issue(row.number, key, message))
        for key, message in plan.warnings:
            row.warnings.append(self.context.issue(row.number, key, message))

    def _create(self, row: LedgerRow) -> None:
        context = self.context
        if row.investor is None and row.new_investor is None:
            if row.investor_unknown:
                message = _(
                    "%(name)s is not a registered investor; "
                    "give its unified social credit code (%(column)s) to register it."
                ) % {"name": row.investor_name, "column": context.labels["uscc"]}
            else:
                message = _(
                    "A new project needs its investor (%(column)s) and its unified social credit code."
                ) % {"column": context.labels["investor"]}
            row.errors.append(context.issue(row.number, "investor", message))
        if row.region is None and "region" not in {issue.field for issue in row.errors}:
            row.errors.append(context.issue(row.number, "region", _("A new project needs its region.")))
        if row.industry is None and "industry" not in {issue.field for issue in row.errors}:
            row.errors.append(
                context.issue(
                    row.number, "industry", _("A new project needs its industry (GB/T 4754 section).")
                )
            )
        plan = row.new_plan or stage_plan.plan_new(
            stage=row.stage, dates=row.dates, reason=row.reason, today=context.today, labels=context.labels
        )
        self._plan_issues(row, plan)
        if row.region is not None:
            outside = context.outside(row.region)
            if outside:
                row.errors.append(context.issue(row.number, "region", outside))
        if row.errors:
            return self._fail(row)
        national_code = row.code if row.code and not row.code_provisional else ""
        data = ProjectIntake(
            name=row.name,
            total_investment_wan=row.investment,
            industry=row.industry,
            region=row.region,
            level=row.level or (Level.CITY if row.region.is_city else Level.COUNTY),
            construction_nature=row.nature or "new",
            approval_type=row.approval_type or "filing",
            project_type=row.project_type or "01",
            stage=plan.initial_stage,
            negotiation_on=plan.initial_dates.get("negotiation_on"),
            signed_on=plan.initial_dates.get("signed_on"),
            intake_on=plan.initial_dates.get("intake_on"),
            national_code=national_code,
            fast_track=bool(row.fast_track),
        )
        # The intake's own checks, exactly as ``intake_project`` runs them.
        errors = project_services._validate_intake(data, context.today) | project_services._scope_errors(
            context.actor, data.region
        )
        if errors:
            self._service_errors(row, ValidationError(errors))
            return self._fail(row)
        self.bulk.add(row.number, data, row.investor, row.new_investor, plan.steps)
        if national_code:
            self.pending_codes[national_code] = row.number
        key = self._investor_key(row)
        if key is not None:
            self.pending_keys[key] = row.number
        self._record(row, Action.CREATE)

    def _update(self, row: LedgerRow) -> None:
        context = self.context
        record: ProjectRecord = row.project
        region = context.regions.regions[record.region_id]
        outside = context.outside(region)
        if outside:
            key = "region" if "region" in context.columns else "code"
            row.errors.append(context.issue(row.number, key, outside))
            return self._fail(row)
        investor = row.investor or row.new_investor
        other_investor = investor is not None and investor.uscc != record.investor_uscc
        if investor is None and row.investor_name:
            other_investor = norm.squash(row.investor_name) != norm.squash(record.investor_name)
        if row.matched_by == "code" and other_investor:
            row.errors.append(
                context.issue(
                    row.number,
                    "investor",
                    _(
                        "The register records %(name)s as this project's investor; "
                        "an import does not change it."
                    )
                    % {"name": record.investor_name},
                )
            )
        changes: dict = {}
        described: list[str] = []
        if row.matched_by == "code" and row.name and row.name != record.name:
            changes["name"] = row.name
            described.append(_describe("name", record.name, row.name))
        for key, attribute in FACTS.items():
            value = row.fact(key)
            if value is None:
                continue
            if key == "region":
                if value.pk != record.region_id:
                    changes["region"] = value
                    described.append(_describe(key, region, value))
            elif value != getattr(record, attribute):
                changes[attribute] = value
                described.append(_describe(key, getattr(record, attribute), value))
        new_code = ""
        if row.code and row.code != record.code and not row.code_provisional:
            if record.code_is_provisional:
                new_code = row.code
                described.append(_describe("code", record.code, row.code))
            else:
                row.errors.append(
                    context.issue(
                        row.number,
                        "code",
                        _("The register has the project code %(code)s for this project.")
                        % {"code": record.code},
                    )
                )
        if "region" in changes:
            outside = context.outside(changes["region"])
            if outside:
                row.errors.append(context.issue(row.number, "region", outside))
        current = stage_plan.Current(
            stage=record.stage,
            stage_before_suspension=record.stage_before_suspension,
            dates={key: record.date(key) for key in DATE_FIELD.values()},
        )
        plan = stage_plan.plan_update(
            current=current,
            stage=row.stage,
            dates=row.dates,
            reason=row.reason,
            today=context.today,
            labels=context.labels,
        )
        self._plan_issues(row, plan)
        if row.errors:
            return self._fail(row)
        if not changes and not new_code and not plan.steps:
            return self._record(row, Action.UNCHANGED)
        described += [
            _("Stage → %(stage)s (%(date)s)") % {"stage": step.target.label, "date": step.on.isoformat()}
            for step in plan.steps
        ]
        date_key = ""
        try:
            with transaction.atomic():
                project = Project.objects.select_related("region", "investor").get(pk=record.pk)
                if project.version != record.version:
                    raise StaleObjectError
                if changes:
                    project_services.update_project(
                        actor=context.actor,
                        project=project,
                        expected_version=project.version,
                        changes=changes,
                        source_ip=context.source_ip,
                    )
                if new_code:
                    date_key = "code"
                    project_services.set_national_code(
                        actor=context.actor,
                        project=project,
                        code=new_code,
                        expected_version=project.version,
                        source_ip=context.source_ip,
                    )
                for step in plan.steps:
                    date_key = "stage" if step.resumes else DATE_FIELD[step.target]
                    project_services.change_stage(
                        actor=context.actor,
                        project=project,
                        target=step.target,
                        on=step.on,
                        expected_version=project.version,
                        reason=step.reason,
                        source_ip=context.source_ip,
                    )
        except ValidationError as error:
            self._service_errors(row, error, date_key)
            return self._fail(row)
        except PermissionDenied:
            row.errors.append(
                context.issue(row.number, "", _("You may not change this project: it is another agent's."))
            )
            return self._fail(row)
        except StaleObjectError as error:
            row.errors.append(context.issue(row.number, "", str(error)))
            return self._fail(row)
        self._record(row, Action.UPDATE, described)


@dataclass(frozen=True, slots=True)
class InvestorRef:
    """A registered investor as the import needs it (no model instance: a chunk may name hundreds)."""

    pk: int
    uscc: str
    name: str


_PROJECT_COLUMNS = (
    "pk",
    "code",
    "code_is_provisional",
    "name",
    "investor_id",
    "investor__uscc",
    "investor__name",
    "total_investment_wan",
    "industry",
    "region_id",
    "level",
    "construction_nature",
    "approval_type",
    "project_type",
    "fast_track",
    "stage",
    "stage_before_suspension",
    "version",
    *DATE_FIELD.values(),
)


class ProjectRecord:
    """A registered project's facts, read as plain values; the model instance is loaded only for a row
    that changes it (the services need it)."""

    __slots__ = tuple(name.replace("__", "_") for name in _PROJECT_COLUMNS)

    def __init__(self, values: tuple) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    def date(self, key: str):
        return getattr(self, key)


def _projects(*conditions) -> list[ProjectRecord]:
    return [
        ProjectRecord(values) for values in Project.objects.filter(*conditions).values_list(*_PROJECT_COLUMNS)
    ]


@dataclass
class _Lookups:
    """What the register knows about a chunk's investors and projects, asked in four queries."""

    by_uscc: dict[str, InvestorRef]
    by_name: dict[str, list[InvestorRef]]
    by_code: dict[str, ProjectRecord]
    by_pair: dict[tuple[int, str], list[ProjectRecord]]

    @classmethod
    def fetch(cls, chunk: list[LedgerRow]) -> "_Lookups":
        rows = [row for row in chunk if not row.errors]
        usccs = {row.uscc for row in rows if row.uscc}
        names = {variant for row in rows if not row.uscc for variant in row.investor_name_variants}
        by_uscc = {}
        if usccs:
            for values in Investor.objects.filter(among(Investor, "uscc", usccs)).values_list(
                "pk", "uscc", "name"
            ):
                by_uscc[values[1]] = InvestorRef(*values)
        by_name: dict[str, list[InvestorRef]] = defaultdict(list)
        if names:
            for values in Investor.objects.filter(among(Investor, "name", names)).values_list(
                "pk", "uscc", "name"
            ):
                by_name[norm.squash(values[2])].append(InvestorRef(*values))
        codes = {row.code for row in rows if row.code}
        by_code = (
            {project.code: project for project in _projects(among(Project, "code", codes))} if codes else {}
        )
        # The chunk's registered investors' projects with the rows' names (as written, and as they may
        # be stored: see ``_variants``), then matched to the rows without regard to spaces and widths.
        investor_ids = {investor.pk for investor in by_uscc.values()}
        investor_ids |= {investor.pk for group in by_name.values() for investor in group}
        names = {variant for row in rows if row.code not in by_code for variant in row.name_variants}
        by_pair: dict[tuple[int, str], list[ProjectRecord]] = defaultdict(list)
        if investor_ids and names:
            for project in _projects(
                among(Project, "investor_id", investor_ids), among(Project, "name", names)
            ):
                by_pair[(project.investor_id, norm.squash(project.name))].append(project)
        return cls(by_uscc=by_uscc, by_name=by_name, by_code=by_code, by_pair=by_pair)


def _variants(name: str) -> set[str]:
    """Spellings under which a name may be stored: as given, NFKC-folded, without spaces."""
    return {name, norm.nfkc(name).strip(), name.replace(" ", "")}


def _describe(key: str, before, after) -> str:
    def plain(value):
        if isinstance(value, Region):
            return value.name
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    return _("%(field)s: %(before)s → %(after)s") % {
        "field": BY_KEY[key].label,
        "before": plain(before),
        "after": plain(after),
    }


def _display(row: LedgerRow) -> dict[str, str]:
    """A row's typed values as the preview shows them."""
    investor = row.investor or row.new_investor
    values = {
        "code": row.code,
        "name": row.name,
        "investor": investor.name if investor is not None else row.investor_name,
        "investment": f"{row.investment:,.2f}" if row.investment is not None else "",
        "industry": row.industry or "",
        "region": row.region.name if row.region is not None else "",
        "level": str(Level(row.level).label) if row.level else "",
        "stage": str(row.stage.label) if row.stage else "",
    }
    for key, value in row.dates.items():
        values[key] = value.value.strftime("%Y-%m") if value.month_only else value.value.isoformat()
    return values
