"""Forms of the approval task pages (办件): the queue's filters, one small form per action on a task,
material uploads and pre-checks, and joint events. They parse and type the input; the rules live in
``task_services``, whose ``ValidationError`` keys are mapped back onto these fields by
``apply_service_errors`` (a key without a field of that name goes to the top of the form)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.approvals import task_selectors
from onewindow.approvals.filetypes import ALLOWED_EXTENSIONS
from onewindow.approvals.models import (
    ApprovalTask,
    JointEventKind,
    Material,
    MaterialCheck,
    PauseKind,
    TaskState,
)
from onewindow.approvals.task_services import MAX_TEXT
from onewindow.projects.forms import date_field, page_size_choices
from onewindow.regions.models import Department

ALL = [("", _("All"))]
ACTIVE = "active"
OVERDUE_CHOICES = [("", _("All")), ("yes", _("Overdue only")), ("no", _("Not overdue"))]


# -- the queue -----------------------------------------------------------------------------------


class TaskQueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; an invalid value is left out (and shown)."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[*ALL, (ACTIVE, _("Active: preparing, accepted or correcting")), *TaskState.choices],
    )
    overdue = forms.ChoiceField(label=_("Time limit"), required=False, choices=OVERDUE_CHOICES)
    department = forms.ChoiceField(label=_("Department"), required=False)
    project = forms.CharField(
        label=_("Project code"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    page_size = forms.TypedChoiceField(label=_("Rows per page"), required=False, coerce=int)

    def __init__(self, data, *, user):
        if "page_size" not in data:
            data = data.copy()
            data["page_size"] = str(settings.ONEWINDOW_REGISTER_PAGE_SIZE)
        super().__init__(data, auto_id="id_queue_%s")
        self.fields["page_size"].choices = page_size_choices()
        if user.role == "clerk":
            # A clerk's queue is their department's: there is nothing to choose.
            del self.fields["department"]
        else:
            departments = (
                Department.objects.filter(approval_items__isnull=False)
                .values_list("code", "name")
                .distinct()
                .order_by("code")
            )
            self.fields["department"].choices = ALL + [
                (code, f"{name} ({code})") for code, name in departments
            ]

    def _value(self, name: str, default=None):
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def filters(self) -> task_selectors.TaskFilters:
        return task_selectors.TaskFilters(
            state=self._value("state", ""),
            overdue={"yes": True, "no": False}.get(self._value("overdue", "")),
            department=self._value("department", "") if "department" in self.fields else "",
            project=self._value("project", ""),
        )

    def rows_per_page(self) -> int:
        return self._value("page_size", settings.ONEWINDOW_REGISTER_PAGE_SIZE)


# -- actions on a task ---------------------------------------------------------------------------


def _text(label, *, required: bool = False, rows: int = 2, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class TaskActionForm(forms.Form):
    """A form of one action on one task. ``key`` names it on the page (an action, or an action and
    the object it is about), so that a refused submission comes back in its own place, with its ids
    unique on a page that holds many forms."""

    def __init__(self, *args, task: ApprovalTask, key: str, **kwargs):
        self.task = task
        self.key = key
        kwargs.setdefault("auto_id", f"id_{key.replace('-', '_')}_%s")
        super().__init__(*args, **kwargs)


class DatedForm(TaskActionForm):
    on = date_field(_("Date"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class PrepareForm(DatedForm):
    note = _text(_("Note"))


class AcceptForm(DatedForm):
    """Acceptance; where the item allows it (容缺受理), with non-key materials still owed."""

    owed = forms.ModelMultipleChoiceField(
        label=_("Materials still owed (容缺受理)"),
        required=False,
        queryset=Material.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only non-key materials may be owed."),
    )
    owed_until = date_field(_("Owed until"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.task.item.deficiency_acceptance_allowed:
            self.fields["owed"].queryset = Material.objects.filter(
                item_links__item=self.task.item_id, item_links__key=False
            ).order_by("item_links__position", "pk")
        if not self.task.item.deficiency_acceptance_allowed or not self.fields["owed"].queryset.exists():
            del self.fields["owed"]
            del self.fields["owed_until"]

    def clean(self):
        data = super().clean()
        if data.get("owed") and not data.get("owed_until"):
            self.add_error("owed_until", _("Give the date by which the owed materials are handed in."))
        return data


class CorrectionForm(DatedForm):
    requested = _text(_("What must be corrected or supplied"), required=True, rows=3)


class ResubmitForm(DatedForm):
    note = _text(_("Note"))


class DecisionForm(DatedForm):
    document_number = forms.CharField(label=_("Decision document number"), max_length=100)
    note = _text(_("Note on the decision"))

    def __init__(self, *args, refuse: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("Decided on")
        if refuse:
            self.fields["note"] = _text(_("Reasons for the refusal"), required=True, rows=3)


class CommitmentDecisionForm(DatedForm):
    document_number = forms.CharField(label=_("Decision document number"), max_length=100)
    verification_due_on = date_field(
        _("Verification due"),
        help_text=_("Leave empty for the usual follow-up period after the decision."),
    )
    note = _text(_("Note on the decision"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("Decided on")


class WithdrawForm(DatedForm):
    reason = _text(_("Reason for the withdrawal"), required=True)


class CommitmentChoiceForm(TaskActionForm):
    chosen = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", widget=forms.HiddenInput
    )


class VerificationForm(DatedForm):
    kept = forms.TypedChoiceField(
        label=_("Was the commitment kept?"),
        choices=[("yes", _("Yes, it was kept")), ("no", _("No, it was broken"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    findings = _text(_("Findings"), rows=3, help_text=_("Required when the commitment was broken."))


class PauseForm(DatedForm):
    kind = forms.ChoiceField(label=_("Why the clock stops"))
    reason = _text(_("Reason"), required=True)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("From")
        self.fields["kind"].choices = [(kind, PauseKind(kind).label) for kind in kinds]


class ObjectForm(DatedForm):
    """An action about one object of the task (a pause, an owed material), named by a hidden id."""

    target = forms.IntegerField(widget=forms.HiddenInput)


class ExtendForm(TaskActionForm):
    workdays = forms.IntegerField(label=_("Extend by (working days)"), min_value=1, max_value=365)
    reason = _text(_("Reason for the extension"), required=True)


class UploadForm(TaskActionForm):
    """A new version of one required material; its type is checked on the content by the service."""

    target = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.ONEWINDOW_MAX_UPLOAD_BYTES / 1048576
        self.fields["file"].help_text = _("PDF, PNG, JPEG, DOCX, XLSX or OFD, at most %(limit)s MB.") % {
            "limit": f"{limit:g}"
        }


class PrecheckForm(TaskActionForm):
    target = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=MaterialCheck.Verdict.choices, widget=forms.RadioSelect
    )
    comment = _text(_("Comment"), help_text=_("Say what must be revised."))


# -- joint events --------------------------------------------------------------------------------


class DepartmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.region.name} · {obj.name}"


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ApprovalTask) -> str:
        return f"{obj.item.code} {obj.item.name}"


class JointEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=JointEventKind.choices)
    held_on = date_field(_("Date"), required=True, help_text=_("A future date records a planned event."))
    location = forms.CharField(label=_("Place"), required=False, max_length=200)
    departments = DepartmentChoiceField(
        label=_("Departments taking part"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One person or body per line."),
    )
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    tasks = TaskChoiceField(
        label=_("Linked tasks"),
        queryset=ApprovalTask.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, departments, tasks, **kwargs):
        kwargs.setdefault("auto_id", "id_event_%s")
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
        self.fields["tasks"].queryset = tasks

    def participant_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["participants"].splitlines() if line.strip()]
