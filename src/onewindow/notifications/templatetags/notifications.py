"""The urging panel of a task page: lives here so that approvals need not know about urging."""

from django import template

from onewindow.notifications import selectors
from onewindow.notifications.forms import UrgeForm

register = template.Library()


@register.inclusion_tag("notifications/_urge_panel.html", takes_context=True)
def urge_panel(context, task) -> dict:
    user = context["user"]
    may_urge = selectors.may_urge(user, task)
    # Clerks and investors see nothing: the panel is for the side that urges.
    if not may_urge:
        return {"panel": None, "task": task}
    return {
        "task": task,
        "csrf_token": context.get("csrf_token"),
        "panel": {
            "urges": list(selectors.urges_of_task(user, task)[:20]),
            "can_urge": selectors.is_urgeable(task),
            "form": UrgeForm(),
        },
    }
