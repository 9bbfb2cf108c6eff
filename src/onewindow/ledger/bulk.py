"""The bulk writer for new projects: what ``intake_project`` followed by one ``change_stage`` per step
would write, in batches.

Why a second path at all: through the services, a new investor's project that has started costs 47
queries (savepoints included: the investor, the intake with its code check, then ``change_stage`` twice,
each with its version check, update, timeline entry and audit rows), measured at 12 ms a project on
SQLite: 20 minutes for a 100,000-row ledger, against the issue's goal of one minute. Django's own
``bulk_create`` was tried first; building a model instance for each of the dozen rows a project writes and
compiling every value took half the import's time in a profile, so the rows are inserted here as plain
values (``executemany`` on SQLite, ``COPY`` on PostgreSQL), each value adapted by the database backend as
Django would.

What it writes is what the services write: the investor and its audit row, the project at its final stage
and version, and one public timeline entry per stage step with the services' own texts and dates. The
audit log records each new project in one row rather than the services' one per intake, stage change and
timeline entry (about seven a project, 700,000 for a 100,000-row ledger, which were a third of the
import): a ``create`` row holding the project's fields as written (``LEDGER_AUDIT_FIELDS``, its final
stage and every stage date among them) and, under ``timeline``, each timeline entry written with its id,
date, stages, text and visibility. Only the time stamps and the order of ids across projects differ from
the services' records otherwise. ``tests/ledger/test_bulk_equivalence.py`` compares the two paths: the
same register, and every value the services' rows record found in the project's one row. Validation
happens before, in ``services._Importer._create``: the services' own intake checks and the mirrored
checks of ``change_stage`` (``plan``).

Every column of the three tables is filled: the ones written here from the values above, any other (a
field someone adds later) from its model default, so a new field with a default needs no change here.
"""

import datetime
import random
import re
import sqlite3
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import adapters as psycopg_adapters
from psycopg.types.json import JsonbBinaryDumper

from onewindow.accounts.models import User
from onewindow.core import audit, chain
from onewindow.core.codes import make_provisional_code
from onewindow.core.lookups import among
from onewindow.core.models import AuditEntry
from onewindow.ledger.normalisers import squash
from onewindow.projects import tally
from onewindow.projects.models import Investor, Project, TimelineEntry
from onewindow.projects.services import INVESTOR_FIELDS, PROJECT_FIELDS, NewInvestor, ProjectIntake
from onewindow.projects.stages import DATE_FIELD, Stage

# Fields whose Python value is already what the database driver takes.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.GenericIPAddressField,
)


def _parameter_limit(db) -> int:
    """How many parameters one statement may carry."""
    if db.vendor == "sqlite":
        db.ensure_connection()
        if hasattr(db.connection, "getlimit"):
            return db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return db.features.max_query_params
    return 65535


class _Table:
    """Rows for one model's table, in the order of its concrete columns, each value already what the
    database driver takes (adapted as it is added, once)."""

    def __init__(self, model: type[models.Model], now: datetime.datetime, *, with_ids: bool = False) -> None:
        self.db = connections[DEFAULT_DB_ALIAS]
        self.model = model
        # With ids (allocated beforehand, ``allocate_ids``) the primary key is the first column.
        self.fields = [field for field in model._meta.concrete_fields if with_ids or not field.primary_key]
        self.adapters = self._adapters()
        self.positions = {field.attname: index for index, field in enumerate(self.fields)}
        self.defaults = []
        for field, adapter in zip(self.fields, self.adapters, strict=True):
            automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            value = now if automatic else field.get_default()
            self.defaults.append(adapter(value) if adapter is not None and value is not None else value)
        self.rows: list[list] = []
        self._types: list[int] | None = None

    def _adapters(self) -> list:
        """How each column's Python value becomes the driver's: the backend's own adapters, looked up
        once per column instead of through the field for every value."""
        ops = self.db.ops
        adapters = []
        for field in self.fields:
            if isinstance(field, _PLAIN):
                adapters.append(None)
            elif isinstance(field, models.DateTimeField):
                adapters.append(ops.adapt_datetimefield_value)
            elif isinstance(field, models.DateField):
                adapters.append(ops.adapt_datefield_value)
            elif isinstance(field, models.DecimalField):
                adapters.append(partial(_decimal, ops, field.max_digits, field.decimal_places))
            elif isinstance(field, models.JSONField):
                adapters.append(partial(ops.adapt_json_value, encoder=field.encoder))
            else:
                adapters.append(partial(_prepared, field, self.db))
        return adapters

    def adder(self, *names: str):
        """A function that adds a row setting ``names`` (attribute names, ``project_id``) from its
        arguments, in that order; the other columns take their default."""
        columns = [(self.positions[name], self.adapters[self.positions[name]]) for name in names]
        plain = all(adapter is None for _position, adapter in columns)
        defaults, rows = self.defaults, self.rows

        def add(*values) -> None:
            row = defaults.copy()
            if plain:
                for (position, _adapter), value in zip(columns, values, strict=True):
                    row[position] = value
            else:
                for (position, adapter), value in zip(columns, values, strict=True):
                    row[position] = adapter(value) if adapter is not None and value is not None else value
            rows.append(row)

        return add

    def add(self, values: dict) -> None:
        """A row from ``values`` keyed by attribute name; the other columns take their default."""
        row = self.defaults.copy()
        for name, value in values.items():
            position = self.positions[name]
            adapter = self.adapters[position]
            row[position] = adapter(value) if adapter is not None and value is not None else value
        self.rows.append(row)

    def add_instance(self, instance: models.Model) -> None:
        """A row from an unsaved instance; its automatic time stamps take the batch's time."""
        self.add(
            {
                field.attname: getattr(instance, field.attname)
                for field in self.fields
                if not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
            }
        )

    def insert(self, *, returning: bool = False) -> list[int]:
        """Insert the collected rows with multi-row ``INSERT`` statements (up to 2,000 rows each, within
        the database's limit on parameters); with ``returning``, their new ids in the same order."""
        if not self.rows:
            return []
        db = self.db
        quote = db.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        table = quote(self.model._meta.db_table)
        tail = f" RETURNING {quote(self.model._meta.pk.column)}" if returning else ""
        per_statement = max(1, min(2000, _parameter_limit(db) // len(self.fields)))
        ids: list[int] = []
        with db.cursor() as cursor:
            if db.vendor == "postgresql" and not returning:
                self._copy(cursor.cursor, f"COPY {table} ({columns}) FROM STDIN")
                self.rows.clear()
                return []
            if db.vendor == "sqlite" and not returning:
                # Multi-row statements on the driver's own connection (its errors turned into Django's
                # here): Django's cursor would rewrite every placeholder of these long statements with a
                # regular expression.
                execute, mark = db.connection.execute, "?"
            else:
                execute, mark = cursor.execute, "%s"
            placeholder = "(" + ", ".join([mark] * len(self.fields)) + ")"
            with db.wrap_database_errors:
                for start in range(0, len(self.rows), per_statement):
                    batch = self.rows[start : start + per_statement]
                    values = ", ".join([placeholder] * len(batch))
                    execute(
                        f"INSERT INTO {table} ({columns}) VALUES {values}{tail}",  # noqa: S608 (names from the model)
                        [value for row in batch for value in row],
                    )
                    if returning:
                        ids.extend(row[0] for row in cursor.fetchall())
        self.rows.clear()
        return ids

    def _copy(self, cursor, statement: str) -> None:
        """PostgreSQL's COPY takes the rows as a stream: several times faster than INSERT for a batch this
        size, in the client (values are dumped in C) and in the server. In the binary format: the server
        then parses no text for numbers, dates and times, and the client escapes none. For 100,000
        projects the server took 5.9 and 7.6 s for the three tables in binary against 7.7 and 8.7 s in
        text (psql, two runs), and the import's inserts 6.2 s against 7.2–8.7 s.

        The driver's own cursor: its errors are turned into Django's here, as Django's cursor does."""
        types = self._binary_types()
        # The audit chain's JSON goes as the text it hashed (``chain.CanonicalJson``), not encoded again.
        cursor.adapters.register_dumper(chain.CanonicalJson, _CanonicalJsonb)
        addresses = [index for index, oid in enumerate(types) if oid == _INET_OID]
        if addresses:
            self._adapt_addresses(addresses)
        with self.db.wrap_database_errors, cursor.copy(statement + " (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in self.rows:
                copy.write_row(row)

    def _binary_types(self) -> list[int]:
        """Each column's type oid, which the binary format needs: the driver's built-in types by name
        (``varchar(128)`` is a ``varchar``)."""
        if self._types is None:
            self._types = []
            for field in self.fields:
                column_type = field.db_type(self.db) or ""
                info = psycopg_adapters.types.get(_TYPE_MODIFIER.sub("", column_type))
                if info is None:
                    raise TypeError(
                        f"{self.model._meta.db_table}.{field.column} is of type {column_type}, which the "
                        "bulk writer does not know how to send in COPY's binary format."
                    )
                self._types.append(info.oid)
        return self._types

    def _adapt_addresses(self, positions: list[int]) -> None:
        """Network addresses as the binary format takes them: the rows hold them as text (as the audit
        chain hashed them)."""
        adapt = self.db.ops.adapt_ipaddressfield_value
        adapted: dict = {}
        for row in self.rows:
            for position in positions:
                value = row[position]
                if value not in adapted:
                    adapted[value] = adapt(value)
                row[position] = adapted[value]


class _CanonicalJsonb(JsonbBinaryDumper):
    """jsonb in the binary format (a version byte, then the text), taking canonical JSON text as it is."""

    def dump(self, obj):
        if obj.__class__ is chain.CanonicalJson:
            return b"\x01" + obj.encode()
        return super().dump(obj)


_TYPE_MODIFIER = re.compile(r"\(\d+(?:,\s*\d+)?\)$")
_INET_OID = psycopg_adapters.types["inet"].oid


def allocate_ids(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` new primary keys for ``model``'s table, so that rows can be written with their ids
    (and refer to each other) without asking the database back; ``None`` where that is not supported.

    PostgreSQL takes them from the column's sequence. SQLite numbers rows after the largest id it ever
    used (AUTOINCREMENT); the import holds the database's write lock from its first write to its commit, so
    nobody else can take these ids meanwhile (should another writer slip in before the first write, the
    insert fails on the primary key and the import stops with nothing written).
    """
    if count == 0:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    table, pk = model._meta.db_table, model._meta.pk.column
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # The sequence's name once (per row it would be looked up for every value), and the values
            # as one array rather than a row each (1.88 s → 0.26 s for the 365,000 ids of 100,000 projects).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, count]
            )
            return sorted(cursor.fetchone()[0])
        if db.vendor == "sqlite":
            cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")  # noqa: S608 (names from the model)
            largest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            used = cursor.fetchone()
            first = max(largest, used[0] if used else 0) + 1
            return list(range(first, first + count))
    return None


def _decimal(ops, max_digits, decimal_places, value):
    return ops.adapt_decimalfield_value(value, max_digits, decimal_places)


def _prepared(field, db, value):
    return field.get_db_prep_save(value, db)


class _Pending:
    __slots__ = ("code", "data", "investor", "row", "steps")

    def __init__(self, row: int, data: ProjectIntake, investor: Investor, steps: list, code: str) -> None:
        self.row, self.data, self.investor, self.steps, self.code = row, data, investor, steps, code


class _Texts:
    """The services' timeline texts, translated once per batch instead of once per row."""

    def __init__(self) -> None:
        self.labels = {stage.value: str(stage.label) for stage in Stage}
        self.registered = _("Registered at the one-window desk: %(stage)s.")
        self.reached = _("Stage reached: %(stage)s.")
        self.with_reason = _("%(stage)s. Reason: %(reason)s")


class BulkCreator:
    """Collects validated new projects (``add``) and writes them (``flush``)."""

    def __init__(
        self, *, actor: User, source_ip: str | None, today: datetime.date, rng: random.Random | None = None
    ) -> None:
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.actor_name = getattr(actor, "username", "") or ""
        self.source_ip = source_ip or None
        self.today = today
        # Provisional codes need to be unlikely to collide (they are checked), not unpredictable: a generator
        # seeded from the system once per import rather than a system call per code.
        self.rng = rng or random.Random()
        self.projects: list[_Pending] = []
        self.new_investors: dict[str, Investor] = {}
        self.new_investor_names: dict[str, Investor] = {}
        self.counted = tally.Gathered()

    # -- investors registered in this batch, for the rows that follow -------------------------------

    def pending_investor(self, uscc: str) -> Investor | None:
        return self.new_investors.get(uscc)

    def pending_investor_named(self, name: str) -> Investor | None:
        return self.new_investor_names.get(squash(name))

    def add(
        self,
        row: int,
        data: ProjectIntake,
        investor: Investor | None,
        new_investor: NewInvestor | None,
        steps: list,
    ) -> None:
        if investor is None:
            investor = self.new_investors.get(new_investor.uscc)
            if investor is None:
                investor = Investor(
                    name=new_investor.name.strip(),
                    uscc=new_investor.uscc,
                    legal_representative=new_investor.legal_representative.strip(),
                    contact_name=new_investor.contact_name.strip(),
                    contact_phone=new_investor.contact_phone.strip(),
                    contact_email=new_investor.contact_email.strip(),
                )
                self.new_investors[investor.uscc] = investor
                self.new_investor_names.setdefault(squash(investor.name), investor)
        code = data.national_code.strip().upper()
        self.projects.append(_Pending(row, data, investor, list(steps), code))

    # -- writing ------------------------------------------------------------------------------------

    def _assign_codes(self) -> None:
        """Provisional codes as ``intake_project`` issues them, checked for collisions in one query."""
        waiting = [pending for pending in self.projects if not pending.code]
        used = {pending.code for pending in self.projects if pending.code}
        for _attempt in range(20):
            if not waiting:
                return
            for pending in waiting:
                data = pending.data
                on = data.intake_on or data.signed_on or data.negotiation_on or self.today
                pending.code = make_provisional_code(
                    year=on.year,
                    month=on.month,
                    region_code=data.region.division_code,
                    industry=data.industry,
                    project_type=data.project_type,
                    rng=self.rng,
                )
            codes = [pending.code for pending in waiting]
            taken = set(Project.objects.filter(among(Project, "code", codes)).values_list("code", flat=True))
            retry = []
            for pending in waiting:
                if pending.code in taken or pending.code in used:
                    retry.append(pending)
                else:
                    used.add(pending.code)
            waiting = retry
        raise RuntimeError("could not find free provisional project codes")

    def _audit_rows(self, table: _Table):
        """A function adding an audit row to ``table``: (action, object type, object id, object, changes,
        region path). The actor's columns are the same on every row; only ``changes`` needs adapting (to
        JSON), so the row is filled by position (there are about seven a project)."""
        position = table.positions
        template = table.defaults.copy()
        template[position["actor_id"]] = self.actor_id
        template[position["actor_name"]] = self.actor_name
        template[position["source_ip"]] = self.source_ip
        action_at, type_at, id_at = position["action"], position["object_type"], position["object_id"]
        repr_at, changes_at, path_at = position["object_repr"], position["changes"], position["region_path"]
        # JSON text for both databases, in the canonical form the audit chain hashes, so it is encoded
        # once: PostgreSQL's COPY takes it for a jsonb column as it is, where the driver's Jsonb wrapper
        # would be encoded twice more (to hash the row, then to send it).
        canonical, marked = chain.canonical_json_of_fields, chain.CanonicalJson
        rows = table.rows

        def audit_row(action, object_type, object_id, object_repr, changes, path=""):
            row = template.copy()
            row[action_at] = action
            row[type_at] = object_type
            row[id_at] = str(object_id)
            row[repr_at] = object_repr[:255]
            row[changes_at] = marked(canonical(changes))
            row[path_at] = path
            rows.append(row)

        return audit_row

    def flush(self) -> list[tuple[int, int]]:
        """Build the collected projects' rows and write them; returns (row, project id) for each.

        Ids are allocated first (``allocate_ids``), so every row is built with its id and the four tables
        are written at the end, each with a few large statements; where ids cannot be allocated, each
        table's ids come back from its insert instead."""
        if not self.projects:
            return []
        now = timezone.now()
        audits = _Table(AuditEntry, now)
        audit_row = self._audit_rows(audits)
        create = AuditEntry.Action.CREATE.value
        fresh = [investor for investor in self.new_investors.values() if investor.pk is None]
        audits_written = {"projects.project"} | ({"projects.investor"} if fresh else set())
        if fresh:
            investor_ids = allocate_ids(Investor, len(fresh))
            investors = _Table(Investor, now, with_ids=investor_ids is not None)
            for investor, pk in zip(fresh, investor_ids or [None] * len(fresh), strict=True):
                investor.pk = pk
                investors.add_instance(investor)
            if investor_ids is None:
                investor_ids = investors.insert(returning=True)
            else:
                investors.insert()
            for investor, pk in zip(fresh, investor_ids, strict=True):
                investor.pk = pk
                investor._state.adding = False
                changes = audit.diff({}, audit.snapshot(investor, INVESTOR_FIELDS))
                audit_row(create, "projects.investor", pk, str(investor), changes)
        self._assign_codes()
        texts = _Texts()
        built = [(pending, *self._build(pending, texts)) for pending in self.projects]
        project_ids = allocate_ids(Project, len(built))
        projects = _Table(Project, now, with_ids=project_ids is not None)
        for (_pending, values, _steps, _created), pk in zip(
            built, project_ids or [None] * len(built), strict=True
        ):
            if pk is not None:
                values["id"] = pk
            projects.add(values)
        if project_ids is None:
            project_ids = projects.insert(returning=True)
        step_count = sum(len(steps) for _pending, _values, steps, _created in built)
        entry_ids = allocate_ids(TimelineEntry, step_count)
        entries = _Table(TimelineEntry, now, with_ids=entry_ids is not None)
        columns = [
            "project_id",
            "happened_on",
            "kind",
            "from_stage",
            "to_stage",
            "text",
            "is_public",
            "author_id",
        ]
        add_entry = entries.adder(*(["id", *columns] if entry_ids is not None else columns))
        stage_kind = TimelineEntry.Kind.STAGE.value
        next_entry = iter(entry_ids or [])
        for (_pending, _values, steps, _created), project_id in zip(built, project_ids, strict=True):
            for happened_on, from_stage, to_stage, text in steps:
                values = (
                    project_id,
                    happened_on,
                    stage_kind,
                    from_stage,
                    to_stage,
                    text,
                    True,
                    self.actor_id,
                )
                add_entry(*((next(next_entry), *values) if entry_ids is not None else values))
        projects.insert()
        self.counted.add(values for _pending, values, _steps, _created in built)
        if entry_ids is None:
            entry_ids = entries.insert(returning=True)
        else:
            entries.insert()
        next_entry = iter(entry_ids)
        for (pending, _values, steps, created), project_id in zip(built, project_ids, strict=True):
            created["timeline"] = [
                None,
                [
                    {
                        "id": next(next_entry),
                        "happened_on": happened_on.isoformat(),
                        "from_stage": from_stage,
                        "to_stage": to_stage,
                        "text": text,
                        "is_public": True,
                    }
                    for happened_on, from_stage, to_stage, text in steps
                ],
            ]
            audit_row(
                create,
                "projects.project",
                project_id,
                pending.data.name.strip(),
                created,
                pending.data.region.path,
            )
        audit.chain_rows(audits.rows, audits.positions)
        audits.insert()
        self._announce(audits_written)
        written = [
            (pending.row, project_id)
            for (pending, _v, _s, _c), project_id in zip(built, project_ids, strict=True)
        ]
        self.projects = []
        for investor in fresh:
            self.new_investors.pop(investor.uscc, None)
            self.new_investor_names.pop(squash(investor.name), None)
        return written

    def finish(self) -> None:
        """Count the projects written in the statistics tallies, once for the whole import: batches of
        a ledger fall into the same buckets again and again, so each bucket is written once (the
        import is one transaction, so nobody sees the register and its tallies apart)."""
        self.counted.apply()

    def _announce(self, object_types: set[str]) -> None:
        """Send ``post_save`` for the audit rows written, once per kind of record and batch rather than
        once per row: listeners that react to a kind of change (the public portal renews its cache when
        an audit row about a project is saved) hear of it as they would from the services."""
        for object_type in sorted(object_types):
            entry = AuditEntry(
                actor_id=self.actor_id,
                actor_name=self.actor_name,
                action=AuditEntry.Action.CREATE,
                object_type=object_type,
                source_ip=self.source_ip,
            )
            post_save.send(
                sender=AuditEntry,
                instance=entry,
                created=True,
                update_fields=None,
                raw=False,
                using=DEFAULT_DB_ALIAS,
            )

    def _build(self, pending: _Pending, texts: _Texts) -> tuple[dict, list, dict]:
        """The project's columns at its final stage, each step on the way (date, from, to, timeline text),
        and its audit row's changes: the project as written (``LEDGER_AUDIT_FIELDS``).

        Plain values rather than a model instance: building 100,000 instances was a fifth of the import.
        The audit changes are what ``audit.diff`` of ``audit.snapshot`` gives for the project as stored
        (foreign keys by id, dates and amounts as text, unset fields left out).
        """
        data = pending.data
        values = {
            "code": pending.code,
            "code_is_provisional": not data.national_code,
            "name": data.name.strip(),
            "description": data.description,
            "investor_id": pending.investor.pk,
            "total_investment_wan": data.total_investment_wan,
            "industry": data.industry,
            "region_id": data.region.pk,
            "level": data.level,
            "construction_nature": data.construction_nature,
            "approval_type": data.approval_type,
            "project_type": data.project_type,
            "fast_track": data.fast_track,
            "confidential": data.confidential,
            "agent_id": data.agent.pk if data.agent is not None else None,
            "stage": str(data.stage),
            "stage_before_suspension": "",
            "termination_reason": "",
            "negotiation_on": data.negotiation_on,
            "signed_on": data.signed_on,
            "intake_on": data.intake_on,
        }
        code_date = data.intake_on or data.signed_on or data.negotiation_on or self.today
        current = values["stage"]
        steps = [(code_date, "", current, texts.registered % {"stage": texts.labels[current]})]
        for step in pending.steps:
            target = str(step.target)  # a Stage, from ``plan``; its value, read once
            if target == _SUSPENDED:
                values["stage_before_suspension"] = current
            elif target == _TERMINATED:
                values["termination_reason"] = step.reason.strip()
                values["stage_before_suspension"] = ""
            values[_DATE_FIELD[target]] = step.on
            label = texts.labels[target]
            reason = step.reason.strip()
            if reason:
                text = texts.with_reason % {"stage": label, "reason": reason}
            else:
                text = texts.reached % {"stage": label}
            steps.append((step.on, current, target, text))
            current = target
        values["stage"] = current
        values["version"] = 1 + len(pending.steps)
        created = {}
        for name, attname, as_text in _project_audit_fields():
            value = values.get(attname)
            if value is not None:
                if as_text:
                    value = value.isoformat() if as_text == "date" else str(value)
                created[name] = [None, value]
        return values, steps, created


# Stage values as plain strings: comparing and hashing members of the ``Stage`` enum goes through its
# descriptors, a measurable part of building 100,000 projects.
_SUSPENDED, _TERMINATED = Stage.SUSPENDED.value, Stage.TERMINATED.value
_DATE_FIELD = {stage.value: name for stage, name in DATE_FIELD.items()}

# What the one audit row of a project created by an import records: the fields the services' intake
# records (``PROJECT_FIELDS``) and those its stage changes record, at the values written; beside them,
# ``timeline`` lists the project's timeline entries (see ``BulkCreator.flush``).
LEDGER_AUDIT_FIELDS = [
    *PROJECT_FIELDS,
    "stage_before_suspension",
    "termination_reason",
    *(name for name in DATE_FIELD.values() if name not in PROJECT_FIELDS),
]
_AUDIT_FIELDS: list[tuple[str, str, str]] = []


def _project_audit_fields() -> list[tuple[str, str, str]]:
    """(name, attribute, how it is recorded) of ``LEDGER_AUDIT_FIELDS``: as ``core.audit`` records them,
    dates and amounts as text, the rest as they are."""
    if not _AUDIT_FIELDS:
        for name in LEDGER_AUDIT_FIELDS:
            field = Project._meta.get_field(name)
            attname = field.attname if isinstance(field, models.ForeignKey) else name
            kind = (
                "date"
                if isinstance(field, models.DateField)
                else "text"
                if isinstance(field, models.DecimalField)
                else ""
            )
            _AUDIT_FIELDS.append((name, attname, kind))
    return _AUDIT_FIELDS
