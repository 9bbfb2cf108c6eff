"""The approval plan's summary on the project page, which belongs to the register and so cannot ask
the approvals room itself: the template asks this tag, which asks the plan selectors."""

from django import template

from onewindow.approvals import plan_selectors

register = template.Library()


@register.inclusion_tag("approvals/_plan_summary.html", takes_context=True)
def plan_summary(context, project):
    """A panel with the plan's headline figures and the link to the plan page."""
    user = context["request"].user
    return {"project": project, "summary": plan_selectors.plan_summary(user, project)}
