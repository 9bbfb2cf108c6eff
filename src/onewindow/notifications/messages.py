"""What a notification says, rendered in the reader's language from its kind and ``params``.

The text is never stored, so switching the language switches every notification. The parameters the
producers (the tick, urging, meetings) put in ``params``:

=====================  =====================================================
kind                   params
=====================  =====================================================
task_yellow/task_red   ``due_on`` (ISO date)
problem_yellow/_red    ``due_on``, ``level`` (1, 2 or 3)
problem_escalated      ``level``, optionally ``reason``
problem_assigned       optionally ``department``
action_yellow/_red     ``due_on``
urge                   ``by`` (who urged), ``department``, optionally ``note``
meeting_scheduled      ``held_at`` (ISO date-time) or ``held_on`` (ISO date)
=====================  =====================================================

Any kind may carry ``project`` (its name), shown after the subject unless the subject already names
it. ``subject`` (a task, problem or meeting) is always available. A missing parameter
shows as a dash rather than failing: an old notification must still render after its producer changed.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.notifications.models import Kind, Notification


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def templates() -> dict[str, str]:
    """Every kind's text in the active language (pass it to ``render`` when rendering many)."""
    return {
        Kind.TASK_YELLOW: _("Approval task %(subject)s is due on %(due_on)s."),
        Kind.TASK_RED: _("Approval task %(subject)s is overdue: it was due on %(due_on)s."),
        Kind.PROBLEM_YELLOW: _("Problem %(subject)s is due at level %(level)s on %(due_on)s."),
        Kind.PROBLEM_RED: _("Problem %(subject)s passed its level %(level)s deadline of %(due_on)s."),
        Kind.PROBLEM_ESCALATED: _("Problem %(subject)s was escalated to level %(level)s."),
        Kind.PROBLEM_ASSIGNED: _("Problem %(subject)s was assigned to your department."),
        Kind.ACTION_YELLOW: _("Action item %(subject)s is due on %(due_on)s."),
        Kind.ACTION_RED: _("Action item %(subject)s is overdue: it was due on %(due_on)s."),
        Kind.URGE: _("%(by)s urged %(department)s about approval task %(subject)s."),
        Kind.MEETING_SCHEDULED: _("Coordination meeting %(subject)s is scheduled for %(held_on)s."),
    }


def _moment(value: object) -> str:
    """An ISO date-time as the reader's local "YYYY-MM-DD HH:MM"; anything else as it is."""
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def render(kind: str, subject: str, params: dict, texts: dict[str, str] | None = None) -> str:
    """The notification's text; ``texts`` is ``templates()`` in the active language, looked up once by a
    caller that renders many (a digest renders thousands)."""
    params = params if isinstance(params, dict) else {}
    values = _Params({key: value for key, value in params.items() if isinstance(key, str)})
    project = params.get("project")
    if project and str(project) not in subject:
        subject = _("%(subject)s (%(project)s)") % {"subject": subject, "project": project}
    values["subject"] = subject
    if "held_on" not in values and params.get("held_at"):
        values["held_on"] = _moment(params["held_at"])
    text = (texts if texts is not None else templates()).get(kind, "%(subject)s") % values
    detail = params.get("note") or params.get("reason")
    if detail:
        text = _("%(text)s Note: %(note)s") % {"text": text, "note": detail}
    return text


def message(notification: Notification) -> str:
    return render(notification.kind, notification.subject, notification.params)
