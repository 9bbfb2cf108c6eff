"""Forms of the coordination pages. They parse and type the input; the rules live in
``coordination.services``, whose ``ValidationError`` keys are put back on these fields by
``apply_service_errors``."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import region_path
from onewindow.coordination import selectors
from onewindow.coordination.models import ActionStatus, Category, Level, Problem, ProblemStatus
from onewindow.regions.models import Department, Region

ALL = [("", _("All"))]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProblemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*ALL, ("active", _("Open or in progress")), *ProblemStatus.choices],
    )
    level = forms.TypedChoiceField(
        label=_("Level"), required=False, coerce=int, choices=[*ALL, *Level.choices]
    )
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[*ALL, *Category.choices])
    warning = forms.ChoiceField(
        label=_("Warning"),
        required=False,
        choices=[*ALL, ("yellow", _("Yellow: due soon")), ("red", _("Red: overdue"))],
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int)
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    project = forms.CharField(label=_("Project code"), required=False, max_length=24)

    def __init__(self, data, *, user: User):
        super().__init__(data, auto_id="id_problem_%s")
        regions = Region.objects.order_by("path")
        scope = region_path(user)
        if scope:
            regions = regions.filter(path__startswith=scope)
        self.fields["region"].choices = ALL + [(region.code, region.name) for region in regions]
        departments = Department.objects.filter(problems__isnull=False).select_related("region").distinct()
        self.fields["department"].choices = ALL + [
            (department.pk, f"{department.region.name} · {department.name}") for department in departments
        ]

    def filters(self) -> selectors.ProblemFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.ProblemFilters(
            status=data.get("status") or "",
            level=data.get("level") or None,
            category=data.get("category") or "",
            warning=data.get("warning") or "",
            region=data.get("region") or "",
            department=data.get("department") or None,
            q=data.get("q") or "",
            project=data.get("project") or "",
        )


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    departments = forms.ModelMultipleChoiceField(
        label=_("Responsible departments"), queryset=Department.objects.none(), required=False
    )
    tasks = forms.ModelMultipleChoiceField(label=_("Approval tasks concerned"), queryset=None, required=False)
    raised_on = forms.DateField(label=_("Raised on"), widget=_date_input(), initial=timezone.localdate)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        from onewindow.approvals.task_selectors import joint_event_departments

        self.fields["departments"].queryset = joint_event_departments(project)
        self.fields["departments"].label_from_instance = lambda d: f"{d.region.name} · {d.name}"
        self.fields["tasks"].queryset = project.approval_tasks.select_related("item").order_by(
            "item__position"
        )
        self.fields["tasks"].label_from_instance = lambda t: f"{t.item.code} {t.item.name}"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(ReasonForm):
    supervising_office = forms.CharField(label=_("Supervising office (督办)"), required=False, max_length=100)
    supervising_leader = forms.CharField(label=_("Supervising leader"), required=False, max_length=64)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("Resolved on"), widget=_date_input(), initial=timezone.localdate)


class BeyondCityForm(forms.Form):
    body = forms.CharField(label=_("Provincial body"), max_length=200)
    on = forms.DateField(label=_("Taken there on"), widget=_date_input(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Place"), required=False, max_length=200)
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, choices=Level.choices, initial=2)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=User.objects.none(), required=False)
    chair_name = forms.CharField(
        label=_("Chair (name)"),
        required=False,
        max_length=64,
        help_text=_("When the chair has no account here."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Attending departments"), queryset=Department.objects.none(), required=False
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(), required=False
    )
    other_attendees = forms.CharField(
        label=_("Other attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    problems = forms.ModelMultipleChoiceField(
        label=_("Problems to discuss"), queryset=Problem.objects.none(), required=False
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        scope = region_path(user)
        regions = Region.objects.order_by("path")
        departments = Department.objects.select_related("region").order_by("region__path", "code")
        staff = User.objects.filter(is_active=True).exclude(role=Role.INVESTOR).order_by("username")
        if scope:
            regions = regions.filter(path__startswith=scope)
            departments = departments.filter(region__path__startswith=scope)
        self.fields["region"].queryset = regions
        self.fields["departments"].queryset = departments
        self.fields["departments"].label_from_instance = lambda d: f"{d.region.name} · {d.name}"
        self.fields["chair"].queryset = staff.filter(role__in=[Role.LEADER, Role.ADMIN])
        self.fields["attendees"].queryset = staff
        self.fields["problems"].queryset = (
            selectors.visible_problems(user).select_related("project").order_by("-raised_on", "-id")
        )
        self.fields["problems"].label_from_instance = lambda p: f"{p.project.name} · {p.title}"


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(
        label=_("Decisions"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One decision per line."),
    )

    def decision_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["decisions"].splitlines() if line.strip()]


class ActionItemForm(forms.Form):
    description = forms.CharField(label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.none(), required=False
    )
    problem = forms.ModelChoiceField(label=_("Problem"), queryset=Problem.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due"), widget=_date_input())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, auto_id="id_action_%s", **kwargs)
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True).exclude(role=Role.INVESTOR).order_by("username")
        )
        self.fields["department"].queryset = Department.objects.select_related("region").order_by(
            "region__path", "code"
        )
        self.fields["department"].label_from_instance = lambda d: f"{d.region.name} · {d.name}"
        self.fields["problem"].queryset = meeting.problems.all()


class CompleteForm(forms.Form):
    on = forms.DateField(label=_("Done on"), widget=_date_input(), initial=timezone.localdate)
    note = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[*ALL, *ActionStatus.choices])
    warning = forms.ChoiceField(
        label=_("Warning"),
        required=False,
        choices=[*ALL, ("yellow", _("Yellow: due soon")), ("red", _("Red: overdue"))],
    )

    def filters(self) -> selectors.ActionFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.ActionFilters(status=data.get("status") or "", warning=data.get("warning") or "")


def meeting_initial(meeting) -> dict:
    return {
        "title": meeting.title,
        "held_at": timezone.localtime(meeting.held_at),
        "location": meeting.location,
        "level": meeting.level,
        "region": meeting.region_id,
        "chair": meeting.chair_id,
        "chair_name": meeting.chair_name,
        "departments": [d.pk for d in meeting.departments.all()],
        "attendees": [u.pk for u in meeting.attendees.all()],
        "other_attendees": meeting.other_attendees,
        "problems": [p.pk for p in meeting.problems.all()],
    }


def today() -> datetime.date:
    return timezone.localdate()
