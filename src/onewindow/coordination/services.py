"""Every write of three-level coordination: problems and their escalation, meetings, minutes and
action items.

Each function is atomic, takes keyword-only arguments, refuses bad input with a ``ValidationError``
keyed by field and a wrong person with ``PermissionDenied``, and writes its audit row (with the
region path) in the same transaction. Deadlines are on the statutory working-day calendar
(``approvals.selectors.workday_calendar``): a level that starts on day S must solve the problem by
the N-th working day after S (``settings.ONEWINDOW_PROBLEM_LEVEL_WORKDAYS``).

``escalate_overdue_problems`` is the automatic escalation the tick runs: set-based, a fixed number of
queries whatever the number of problems.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, CharField, DateField, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import region_path
from onewindow.approvals.models import ApprovalTask
from onewindow.approvals.selectors import workday_calendar
from onewindow.coordination import selectors
from onewindow.coordination.models import (
    ACTIVE_PROBLEM_STATES,
    MAX_LEVEL,
    ActionItem,
    ActionStatus,
    Category,
    Meeting,
    Problem,
    ProblemEscalation,
    ProblemStatus,
    Supervision,
)
from onewindow.coordination.recipients import problem_recipients_with
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.notifications.services import Announcement, NewNotification, announce_many, notify_many
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects
from onewindow.regions.models import Department, Region

MAX_TITLE = 200
MAX_TEXT = 4000
PROBLEM_FIELDS = [
    "title",
    "category",
    "level",
    "status",
    "level_started_on",
    "due_on",
    "resolved_on",
    "resolution",
    "closed_on",
    "beyond_city",
    "beyond_city_on",
    "beyond_city_body",
    "beyond_city_note",
]
# The CASE over due dates in one statement holds this many dates at most. Supervision records made by
# the tick are numbered DB-<problem id>.
DATES_PER_STATEMENT = 200
SUPERVISION_NUMBER_PREFIX = "DB-"


# -- helpers -------------------------------------------------------------------------------------


def level_workdays(level: int) -> int:
    return settings.ONEWINDOW_PROBLEM_LEVEL_WORKDAYS[level]


def level_deadline(started_on: datetime.date, level: int, *, calendar=None) -> datetime.date:
    """The last day a level that started on ``started_on`` has: its N-th working day after the start."""
    calendar = calendar or workday_calendar()
    return calendar.add_workdays(started_on, level_workdays(level)).date


def local_date(at: datetime.datetime) -> datetime.date:
    if timezone.is_naive(at):
        raise ValueError("an aware datetime is needed")
    return at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _today() -> datetime.date:
    return timezone.localdate()


def _text(value, name: str, errors: dict, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = _("This field is required.")
    elif len(text) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


def _day(value, name: str, errors: dict, *, not_after: datetime.date | None = None, not_before=None):
    if value is None:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[name] = _("Give a date.")
        return None
    if not_after is not None and value > not_after:
        errors[name] = _("The date cannot be in the future.")
    elif not_before is not None and value < not_before:
        errors[name] = _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}
    return value


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this."))


def _require_visible(actor: User, problem: Problem) -> None:
    if not selectors.visible_problems(actor).filter(pk=problem.pk).exists():
        raise PermissionDenied


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().select_related("project").get(pk=problem.pk)


def _clerk_notifications(problem: Problem, departments: Iterable[Department], at: datetime.datetime) -> None:
    department_ids = [department.pk for department in departments]
    if not department_ids:
        return
    clerks = User.objects.filter(role=Role.CLERK, is_active=True, department__in=department_ids).values_list(
        "pk", flat=True
    )
    notify_many(
        notifications=[
            NewNotification(
                user_id=user_id,
                kind="problem_assigned",
                key=f"problem:{problem.pk}:assigned",
                subject=problem.title,
                url=f"/problems/{problem.pk}/",
                params={"project": problem.project.name, "level": problem.level},
            )
            for user_id in clerks
        ],
        at=at,
    )


def notify_escalations(problems: QuerySet[Problem], at: datetime.datetime) -> int:
    """Tell each problem's people that it reached its current level (once per problem and level)."""
    found = problem_recipients_with(problems, ("title", "level", "project__name"))
    return announce_many(
        announcements=(
            Announcement(
                user_ids=users,
                kind="problem_escalated",
                key=f"problem:{problem_id}:level:{level}",
                subject=title,
                url=f"/problems/{problem_id}/",
                params={"level": level, "project": project},
            )
            for problem_id, (users, (title, level, project)) in found.items()
        ),
        at=at,
    )


# -- problems ------------------------------------------------------------------------------------


def _audit_problem(actor: User, action: str, problem: Problem, changes: dict, source_ip: str | None) -> None:
    """Every problem change is audited alike: under the problem's region, so leaders' audit views find it."""
    audit.record(
        actor=actor,
        action=action,
        obj=problem,
        changes=changes,
        source_ip=source_ip,
        region_path=problem.region_path,
    )


@transaction.atomic
def raise_problem(
    *,
    actor: User,
    project: Project,
    title: str,
    description: str,
    category: str,
    departments: Sequence[Department] = (),
    tasks: Sequence[ApprovalTask] = (),
    raised_on: datetime.date | None = None,
    source_ip: str | None = None,
) -> Problem:
    """A new problem at level 1, due by the level-1 deadline counted from the day it was raised."""
    _require(selectors.may_raise(actor), _("Only the centre's staff may raise a problem."))
    if not visible_projects(actor).filter(pk=project.pk).exists():
        raise PermissionDenied
    errors: dict[str, str] = {}
    title = _text(title, "title", errors, limit=MAX_TITLE)
    description = _text(description, "description", errors)
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    today = _today()
    raised_on = _day(raised_on or today, "raised_on", errors, not_after=today)
    tasks = list(tasks)
    if any(task.project_id != project.pk for task in tasks):
        errors["tasks"] = _("An approval task of another project cannot be linked to this problem.")
    departments = list(departments)
    if errors:
        raise ValidationError(errors)
    calendar = workday_calendar()
    problem = Problem.objects.create(
        project=project,
        title=title,
        description=description,
        category=category,
        raised_by=actor,
        raised_on=raised_on,
        level=1,
        status=ProblemStatus.OPEN,
        level_started_on=raised_on,
        due_on=level_deadline(raised_on, 1, calendar=calendar),
        region_path=project.region.path,
    )
    problem.departments.set(departments)
    problem.tasks.set(tasks)
    changes = audit.snapshot(problem, PROBLEM_FIELDS)
    changes["project"] = project.code
    changes["departments"] = [department.pk for department in departments]
    changes["tasks"] = [task.pk for task in tasks]
    _audit_problem(actor, AuditEntry.Action.CREATE, problem, changes, source_ip)
    _clerk_notifications(problem, departments, timezone.now())
    return problem


@transaction.atomic
def start_problem(
    *,
    actor: User,
    problem: Problem,
    departments: Sequence[Department] | None = None,
    source_ip: str | None = None,
) -> Problem:
    """Work on the problem begins (open → in progress); ``departments`` replaces the responsible
    departments when given (only the centre's staff reassign)."""
    _require_visible(actor, problem)
    _require(selectors.may_work_on(actor, problem))
    if departments is not None:
        _require(selectors.may_raise(actor), _("Only the centre's staff may assign departments."))
    problem = _locked(problem)
    if problem.status not in ACTIVE_PROBLEM_STATES:
        raise ValidationError({"status": _("Only an open problem can be started.")})
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    before_departments = sorted(problem.departments.values_list("pk", flat=True))
    problem.status = ProblemStatus.IN_PROGRESS
    problem.save(update_fields=["status", "updated_at"])
    changes = audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS))
    added: list[Department] = []
    if departments is not None:
        departments = list(departments)
        after_departments = sorted(department.pk for department in departments)
        if after_departments != before_departments:
            problem.departments.set(departments)
            changes["departments"] = [before_departments, after_departments]
            added = [department for department in departments if department.pk not in before_departments]
    _audit_problem(actor, AuditEntry.Action.UPDATE, problem, changes, source_ip)
    _clerk_notifications(problem, added, timezone.now())
    return problem


def _create_supervision(
    problem: Problem, on: datetime.date, *, office: str = "", leader: str = "", note: str = ""
):
    return Supervision.objects.create(
        problem=problem,
        number=f"{SUPERVISION_NUMBER_PREFIX}{problem.pk}",
        issued_on=on,
        office=office,
        leader=leader,
        note=note,
    )


@transaction.atomic
def escalate_problem(
    *,
    actor: User,
    problem: Problem,
    reason: str,
    on: datetime.date | None = None,
    supervising_office: str = "",
    supervising_leader: str = "",
    source_ip: str | None = None,
) -> Problem:
    """Move the problem up one level by hand, with a reason; the new level's deadline counts from
    ``on`` (default today). Reaching level 3 opens the city government's supervision record (督办);
    only a leader moves a problem to level 3."""
    _require_visible(actor, problem)
    problem = _locked(problem)
    errors: dict[str, str] = {}
    if problem.status not in ACTIVE_PROBLEM_STATES:
        errors["status"] = _("A resolved or closed problem is not escalated.")
    elif problem.level >= MAX_LEVEL:
        errors["level"] = _("The problem is already at the city government (level 3).")
    if not errors:
        _require(
            selectors.may_escalate(actor, problem),
            _("Only a leader may take a problem to the city government."),
        )
    reason = _text(reason, "reason", errors)
    today = _today()
    on = _day(on or today, "on", errors, not_after=today, not_before=problem.level_started_on)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    from_level = problem.level
    problem.level = from_level + 1
    problem.level_started_on = on
    problem.due_on = level_deadline(on, problem.level)
    problem.save(update_fields=["level", "level_started_on", "due_on", "updated_at"])
    ProblemEscalation.objects.create(
        problem=problem,
        from_level=from_level,
        to_level=problem.level,
        on=on,
        reason=reason,
        automatic=False,
        by=actor,
    )
    if problem.level == MAX_LEVEL:
        _create_supervision(problem, on, office=supervising_office.strip(), leader=supervising_leader.strip())
    changes = audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS))
    changes["reason"] = reason
    _audit_problem(actor, AuditEntry.Action.TRANSITION, problem, changes, source_ip)
    notify_escalations(Problem.objects.filter(pk=problem.pk), timezone.now())
    return problem


@transaction.atomic
def record_beyond_city_escalation(
    *,
    actor: User,
    problem: Problem,
    on: datetime.date,
    body: str,
    note: str = "",
    source_ip: str | None = None,
) -> Problem:
    """The city took the problem to provincial departments (as with 得阳科技): recorded, once."""
    _require_visible(actor, problem)
    _require(selectors.may_lead(actor), _("Only a leader may record an escalation beyond the city."))
    problem = _locked(problem)
    errors: dict[str, str] = {}
    if problem.level < MAX_LEVEL:
        errors["level"] = _("Only a problem at the city government (level 3) goes beyond the city.")
    if problem.beyond_city:
        errors["beyond_city"] = _("This problem was already taken beyond the city.")
    body = _text(body, "body", errors, limit=200)
    note = _text(note, "note", errors, required=False)
    if on is None:
        errors["on"] = _("This field is required.")
    else:
        on = _day(on, "on", errors, not_after=_today(), not_before=problem.raised_on)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    problem.beyond_city = True
    problem.beyond_city_on = on
    problem.beyond_city_body = body
    problem.beyond_city_note = note
    problem.save(
        update_fields=["beyond_city", "beyond_city_on", "beyond_city_body", "beyond_city_note", "updated_at"]
    )
    _audit_problem(
        actor,
        AuditEntry.Action.UPDATE,
        problem,
        audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS)),
        source_ip,
    )
    return problem


@transaction.atomic
def resolve_problem(
    *,
    actor: User,
    problem: Problem,
    resolution: str,
    on: datetime.date | None = None,
    source_ip: str | None = None,
) -> Problem:
    """The problem is solved: how, and on which day (default today). A resolved problem no longer
    escalates nor warns."""
    _require_visible(actor, problem)
    _require(selectors.may_work_on(actor, problem))
    problem = _locked(problem)
    errors: dict[str, str] = {}
    if problem.status not in ACTIVE_PROBLEM_STATES:
        errors["status"] = _("Only an open problem can be resolved.")
    resolution = _text(resolution, "resolution", errors)
    on = _day(on or _today(), "on", errors, not_after=_today(), not_before=problem.raised_on)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    problem.status = ProblemStatus.RESOLVED
    problem.resolved_on = on
    problem.resolution = resolution
    problem.save(update_fields=["status", "resolved_on", "resolution", "updated_at"])
    _audit_problem(
        actor,
        AuditEntry.Action.TRANSITION,
        problem,
        audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS)),
        source_ip,
    )
    return problem


@transaction.atomic
def close_problem(*, actor: User, problem: Problem, source_ip: str | None = None) -> Problem:
    """File a resolved problem away."""
    _require_visible(actor, problem)
    _require(selectors.may_raise(actor))
    problem = _locked(problem)
    if problem.status != ProblemStatus.RESOLVED:
        raise ValidationError({"status": _("Only a resolved problem can be closed.")})
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    problem.status = ProblemStatus.CLOSED
    problem.closed_on = _today()
    problem.save(update_fields=["status", "closed_on", "updated_at"])
    _audit_problem(
        actor,
        AuditEntry.Action.TRANSITION,
        problem,
        audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS)),
        source_ip,
    )
    return problem


@transaction.atomic
def reopen_problem(*, actor: User, problem: Problem, reason: str, source_ip: str | None = None) -> Problem:
    """The solution did not hold: back to work at the same level, with a fresh deadline from today."""
    _require_visible(actor, problem)
    _require(selectors.may_raise(actor))
    problem = _locked(problem)
    errors: dict[str, str] = {}
    if problem.status not in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED):
        errors["status"] = _("Only a resolved or closed problem can be reopened.")
    reason = _text(reason, "reason", errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    today = _today()
    problem.status = ProblemStatus.IN_PROGRESS
    problem.resolved_on = None
    problem.resolution = ""
    problem.closed_on = None
    problem.level_started_on = today
    problem.due_on = level_deadline(today, problem.level)
    problem.save()
    changes = audit.diff(before, audit.snapshot(problem, PROBLEM_FIELDS))
    changes["reason"] = reason
    _audit_problem(actor, AuditEntry.Action.TRANSITION, problem, changes, source_ip)
    return problem


# -- automatic escalation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Escalations:
    steps: int  # history rows written (a problem two deadlines late counts twice)
    count: int  # problems that moved
    problems: QuerySet[Problem]  # those problems, as a query (no list of ids to pass around)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_from_select(model, columns: Sequence[str], queryset) -> None:
    """``INSERT INTO model (columns) SELECT …``: many rows in one statement, computed by the database."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(column).column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)


def _escalate_level(
    *, level: int, late_before: datetime.date, calendar, now: datetime.datetime, touched: set[int]
) -> int:
    """Move every active problem at ``level`` whose deadline passed up one level, dated the first
    working day after its deadline. Problems sharing a deadline share the outcome, so the statements
    are built per distinct due date: their number follows the dates, never the number of problems."""
    overdue = Problem.objects.filter(status__in=ACTIVE_PROBLEM_STATES, level=level, due_on__lt=late_before)
    rows = list(overdue.order_by().values_list("pk", "due_on", "region_path", "title"))
    if not rows:
        return 0
    outcome: dict[datetime.date, tuple[datetime.date, datetime.date]] = {}
    for _pk, due_on, _path, _title in rows:
        if due_on not in outcome:
            started = calendar.date_at(calendar.last_on_or_before(due_on) + 1)
            outcome[due_on] = (started, level_deadline(started, level + 1, calendar=calendar))
    to_level = level + 1
    reason = _("The level %(level)d deadline passed without a resolution.") % {"level": level}
    for dates in _chunks(sorted(outcome), DATES_PER_STATEMENT):
        group = overdue.filter(due_on__in=dates).order_by()
        started_case = Case(
            *[When(due_on=day, then=Value(outcome[day][0])) for day in dates], output_field=DateField()
        )
        due_case = Case(
            *[When(due_on=day, then=Value(outcome[day][1])) for day in dates], output_field=DateField()
        )
        _insert_from_select(
            ProblemEscalation,
            ["problem", "from_level", "to_level", "on", "reason", "automatic", "created_at"],
            group.annotate(
                _from=Value(level),
                _to=Value(to_level),
                _on=started_case,
                _reason=Value(reason),
                _automatic=Value(True),
                _created=Value(now),
            ).values_list("pk", "_from", "_to", "_on", "_reason", "_automatic", "_created"),
        )
        if to_level == MAX_LEVEL:
            _insert_from_select(
                Supervision,
                ["problem", "number", "issued_on", "office", "leader", "note"],
                group.annotate(
                    _number=Concat(
                        Value(SUPERVISION_NUMBER_PREFIX), Cast("pk", CharField()), output_field=CharField()
                    ),
                    _issued=started_case,
                    _blank=Value(""),
                ).values_list("pk", "_number", "_issued", "_blank", "_blank", "_blank"),
            )
        group.update(level=to_level, level_started_on=started_case, due_on=due_case, updated_at=now)
    entries = []
    for pk, due_on, path, title in rows:
        started, deadline = outcome[due_on]
        entries.append(
            AuditEntry(
                actor=None,
                actor_name="",
                action=AuditEntry.Action.TRANSITION,
                object_type=Problem._meta.label_lower,
                object_id=str(pk),
                object_repr=title[:255],
                changes={
                    "level": [level, to_level],
                    "level_started_on": [None, started.isoformat()],
                    "due_on": [due_on.isoformat(), deadline.isoformat()],
                    "automatic": True,
                },
                region_path=path,
            )
        )
        touched.add(pk)
    audit.chain_and_create(entries)
    return len(rows)


@transaction.atomic
def escalate_due_problems(*, at: datetime.datetime) -> Escalations:
    """Every open or in-progress problem whose current level's deadline has passed as of ``at`` (the
    working day after its due date has begun, in the centre's time zone) moves up one level per
    deadline passed, to level 3 at most, each step dated the working day after the deadline it
    missed. Resolved and closed problems never move. Running it again for the same moment finds
    nothing left to do."""
    calendar = workday_calendar()
    today = local_date(at)
    late_before = calendar.date_at(calendar.last_on_or_before(today))
    now = timezone.now()
    touched: set[int] = set()
    steps = 0
    # Level 2 first (problems already there), then level 1, then level 2 again for the problems that
    # have just arrived at level 2 and whose new deadline has passed too.
    for level in (2, 1, 2):
        steps += _escalate_level(
            level=level, late_before=late_before, calendar=calendar, now=now, touched=touched
        )
    moved = ProblemEscalation.objects.filter(automatic=True, created_at=now).values("problem_id")
    return Escalations(steps=steps, count=len(touched), problems=Problem.objects.filter(pk__in=moved))


def escalate_overdue_problems(*, at: datetime.datetime) -> int:
    """The automatic escalation: the number of level changes made (see ``escalate_due_problems``)."""
    return escalate_due_problems(at=at).steps


# -- meetings ------------------------------------------------------------------------------------

MEETING_FIELDS = ["title", "held_at", "location", "level", "region", "chair", "chair_name", "other_attendees"]


@dataclass(frozen=True)
class MeetingData:
    title: str
    held_at: datetime.datetime
    region: Region
    level: int = 2
    location: str = ""
    chair: User | None = None
    chair_name: str = ""
    departments: Sequence[Department] = ()
    attendees: Sequence[User] = ()
    other_attendees: str = ""
    problems: Sequence[Problem] = ()


def _validated_meeting(actor: User, data: MeetingData) -> dict:
    errors: dict[str, str] = {}
    title = _text(data.title, "title", errors, limit=200)
    if not isinstance(data.held_at, datetime.datetime) or timezone.is_naive(data.held_at):
        errors["held_at"] = _("Give the date and time of the meeting.")
    if data.level not in (1, 2, 3):
        errors["level"] = _("Choose a level.")
    scope = region_path(actor)
    if data.region is None or (scope and not data.region.path.startswith(scope)):
        errors["region"] = _("Choose a region in your scope.")
    chair_name = (data.chair_name or "").strip()
    if data.chair is None and not chair_name:
        errors["chair"] = _("Name the chair of the meeting.")
    if data.chair is not None and data.chair.role not in (Role.LEADER, Role.ADMIN):
        errors["chair"] = _("A coordination meeting is chaired by a leader.")
    problems = list(data.problems)
    visible = set(
        selectors.visible_problems(actor).filter(pk__in=[p.pk for p in problems]).values_list("pk", flat=True)
    )
    if any(problem.pk not in visible for problem in problems):
        errors["problems"] = _("A problem outside your scope cannot be discussed here.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "held_at": data.held_at,
        "region": data.region,
        "level": data.level,
        "location": (data.location or "").strip()[:200],
        "chair": data.chair,
        "chair_name": chair_name[:64],
        "other_attendees": (data.other_attendees or "").strip(),
    }


@transaction.atomic
def schedule_meeting(*, actor: User, data: MeetingData, source_ip: str | None = None) -> Meeting:
    """A coordination meeting, with its attendees and the problems it will discuss; the people
    invited are told."""
    _require(selectors.may_organise_meetings(actor), _("Only the centre's staff organise meetings."))
    values = _validated_meeting(actor, data)
    meeting = Meeting.objects.create(**values, created_by=actor, region_path=values["region"].path)
    meeting.departments.set(data.departments)
    meeting.attendees.set(data.attendees)
    meeting.problems.set(data.problems)
    changes = audit.snapshot(meeting, MEETING_FIELDS)
    changes["problems"] = [problem.pk for problem in data.problems]
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=meeting,
        changes=changes,
        source_ip=source_ip,
        region_path=meeting.region_path,
    )
    invited = {user.pk for user in data.attendees}
    if data.chair is not None:
        invited.add(data.chair.pk)
    notify_many(
        notifications=[
            NewNotification(
                user_id=user_id,
                kind="meeting_scheduled",
                key=f"meeting:{meeting.pk}:scheduled",
                subject=meeting.title,
                url=f"/meetings/{meeting.pk}/",
                params={"held_at": meeting.held_at.isoformat()},
            )
            for user_id in sorted(invited)
        ],
        at=timezone.now(),
    )
    return meeting


@transaction.atomic
def update_meeting(
    *, actor: User, meeting: Meeting, data: MeetingData, source_ip: str | None = None
) -> Meeting:
    _require(selectors.may_organise_meetings(actor), _("Only the centre's staff organise meetings."))
    if not selectors.visible_meetings(actor).filter(pk=meeting.pk).exists():
        raise PermissionDenied
    values = _validated_meeting(actor, data)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = audit.snapshot(meeting, MEETING_FIELDS)
    before_problems = sorted(meeting.problems.values_list("pk", flat=True))
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.region_path = meeting.region.path
    meeting.save()
    meeting.departments.set(data.departments)
    meeting.attendees.set(data.attendees)
    meeting.problems.set(data.problems)
    changes = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    after_problems = sorted(problem.pk for problem in data.problems)
    if after_problems != before_problems:
        changes["problems"] = [before_problems, after_problems]
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=meeting,
        changes=changes,
        source_ip=source_ip,
        region_path=meeting.region_path,
    )
    return meeting


@transaction.atomic
def record_minutes(
    *,
    actor: User,
    meeting: Meeting,
    minutes: str,
    decisions: Sequence[str],
    on: datetime.date | None = None,
    source_ip: str | None = None,
) -> Meeting:
    """The minutes (会议纪要): a summary and the decisions, one text each; blank decisions are dropped."""
    _require(selectors.may_organise_meetings(actor), _("Only the centre's staff record minutes."))
    if not selectors.visible_meetings(actor).filter(pk=meeting.pk).exists():
        raise PermissionDenied
    errors: dict[str, str] = {}
    minutes = _text(minutes, "minutes", errors, required=False, limit=20000)
    items = [str(item).strip() for item in decisions if str(item).strip()]
    if not items:
        errors["decisions"] = _("Record at least one decision.")
    elif any(len(item) > MAX_TEXT for item in items):
        errors["decisions"] = _("At most %(limit)d characters.") % {"limit": MAX_TEXT}
    on = _day(on or _today(), "on", errors, not_after=_today())
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = {"minutes": meeting.minutes, "decisions": meeting.decisions}
    meeting.minutes = minutes
    meeting.decisions = items
    meeting.minutes_recorded_on = on
    meeting.save(update_fields=["minutes", "decisions", "minutes_recorded_on", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=meeting,
        changes=audit.diff(before, {"minutes": minutes, "decisions": items}),
        source_ip=source_ip,
        region_path=meeting.region_path,
    )
    return meeting


@transaction.atomic
def add_action_item(
    *,
    actor: User,
    meeting: Meeting,
    description: str,
    due_on: datetime.date,
    owner: User | None = None,
    department: Department | None = None,
    problem: Problem | None = None,
    source_ip: str | None = None,
) -> ActionItem:
    """An action item of a meeting, owned by a person, a department or both."""
    _require(selectors.may_organise_meetings(actor), _("Only the centre's staff hand out action items."))
    if not selectors.visible_meetings(actor).filter(pk=meeting.pk).exists():
        raise PermissionDenied
    errors: dict[str, str] = {}
    description = _text(description, "description", errors)
    if due_on is None:
        errors["due_on"] = _("This field is required.")
    else:
        _day(due_on, "due_on", errors, not_before=meeting.held_at.date())
    if owner is None and department is None:
        errors["owner"] = _("Name an owner: a person, a department or both.")
    if owner is not None and owner.role == Role.INVESTOR:
        errors["owner"] = _("An action item is owned by staff.")
    if problem is not None and not meeting.problems.filter(pk=problem.pk).exists():
        errors["problem"] = _("Choose a problem the meeting discusses.")
    if errors:
        raise ValidationError(errors)
    item = ActionItem.objects.create(
        meeting=meeting,
        problem=problem,
        description=description,
        owner=owner,
        department=department,
        due_on=due_on,
        region_path=meeting.region_path,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=item,
        changes=audit.snapshot(item, ["meeting", "problem", "description", "owner", "department", "due_on"]),
        source_ip=source_ip,
        region_path=item.region_path,
    )
    return item


@transaction.atomic
def complete_action_item(
    *,
    actor: User,
    item: ActionItem,
    on: datetime.date | None = None,
    note: str = "",
    source_ip: str | None = None,
) -> ActionItem:
    """The owner (or their department's clerk, or the centre's staff) reports the item done."""
    if not selectors.visible_action_items(actor).filter(pk=item.pk).exists():
        raise PermissionDenied
    item = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if item.status != ActionStatus.OPEN:
        raise ValidationError({"status": _("This action item is already done.")})
    _require(selectors.may_complete(actor, item))
    errors: dict[str, str] = {}
    note = _text(note, "note", errors, required=False)
    on = _day(on or _today(), "on", errors, not_after=_today(), not_before=item.meeting.held_at.date())
    if errors:
        raise ValidationError(errors)
    item.status = ActionStatus.DONE
    item.done_on = on
    item.done_note = note
    item.save(update_fields=["status", "done_on", "done_note"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=item,
        changes={
            "status": [ActionStatus.OPEN, ActionStatus.DONE],
            "done_on": [None, on.isoformat()],
            "note": note,
        },
        source_ip=source_ip,
        region_path=item.region_path,
    )
    return item
