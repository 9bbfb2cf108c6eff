"""The ledger pages: upload a ledger, preview what the import would do, confirm; and the register as a
ledger workbook. Each view parses its input, calls one service or selector, and renders."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onewindow.accounts.permissions import INTAKE_ROLES, require_role
from onewindow.core import audit
from onewindow.core.http import client_ip
from onewindow.ledger import selectors, services, uploads
from onewindow.ledger.forms import LedgerConfirmForm, LedgerUploadForm
from onewindow.ledger.mapping import FIELDS
from onewindow.ledger.report import Action, ImportReport
from onewindow.ledger.writer import write_ledger
from onewindow.projects.forms import RegisterFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTION_LABELS = {
    Action.CREATE: gettext_lazy("New project"),
    Action.UPDATE: gettext_lazy("Changes"),
    Action.UNCHANGED: gettext_lazy("Unchanged"),
    Action.ERROR: gettext_lazy("Error"),
}
ERRORS_SHOWN = 500
WARNINGS_SHOWN = 200
# A page's request must finish within the server's time limit (gunicorn's default is 30 s); longer
# ledgers go through ``onewindow import-ledger``.
DEFAULT_MAX_PAGE_ROWS = 20_000


def max_page_rows() -> int:
    return getattr(settings, "ONEWINDOW_LEDGER_PAGE_MAX_ROWS", DEFAULT_MAX_PAGE_ROWS)


def _context(report: ImportReport, **extra) -> dict:
    return {
        "report": report,
        "columns": report.columns_as_dicts(),
        "errors": report.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(report.errors) - ERRORS_SHOWN),
        "warnings": report.warnings[:WARNINGS_SHOWN],
        "more_warnings": max(0, report.warnings_total - WARNINGS_SHOWN),
        "sample": [(outcome, ACTION_LABELS[outcome.action]) for outcome in report.sample],
        **extra,
    }


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: keep the file, check every row (a dry run), show the preview."""
    require_role(request.user, INTAKE_ROLES)
    form = LedgerUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        stored = uploads.store(
            request.session, form.cleaned_data["file"], options={"region": region.code if region else ""}
        )
        report = services.import_ledger(
            actor=request.user,
            source=stored.path,
            file_name=stored.name,
            options=services.ImportOptions(
                dry_run=True, region=region.code if region else "", max_rows=max_page_rows()
            ),
            source_ip=client_ip(request),
        )
        if report.fatal:
            uploads.discard(request.session, stored.token)
            form.add_error("file", report.fatal)
        else:
            confirm = LedgerConfirmForm(initial={"token": stored.token})
            context = _context(report, confirm=confirm, token=stored.token, region=region)
            return render(request, "ledger/preview.html", context)
    status = 400 if form.is_bound else 200
    known = [field for field in FIELDS if field.imported]
    return render(request, "ledger/import.html", {"form": form, "known_fields": known}, status=status)


@login_required
@require_POST
def confirm_import(request: HttpRequest) -> HttpResponse:
    """Import the previewed file for real (all or nothing, or skipping the invalid rows)."""
    require_role(request.user, INTAKE_ROLES)
    form = LedgerConfirmForm(request.POST)
    found = uploads.lookup(request.session, form.cleaned_data["token"]) if form.is_valid() else None
    if found is None:
        messages.error(request, _("This upload is no longer available; upload the ledger again."))
        return redirect("ledger-import")
    stored, entry = found
    report = services.import_ledger(
        actor=request.user,
        source=stored.path,
        file_name=stored.name,
        options=services.ImportOptions(
            skip_invalid=form.cleaned_data["skip_invalid"], region=entry["region"]
        ),
        source_ip=client_ip(request),
    )
    uploads.discard(request.session, stored.token)
    status = 200 if report.exit_code == 0 else 400
    return render(request, "ledger/result.html", _context(report), status=status)


@login_required
@require_POST
def discard_import(request: HttpRequest) -> HttpResponse:
    require_role(request.user, INTAKE_ROLES)
    form = LedgerConfirmForm(request.POST)
    if form.is_valid():
        uploads.discard(request.session, form.cleaned_data["token"])
    messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect("ledger-import")


@login_required
def register_xlsx(request: HttpRequest) -> FileResponse:
    """The current view of the register, every row, as a ledger workbook the import reads back."""
    form = RegisterFilterForm(request.GET, user=request.user)
    filters = form.filters()
    projects = selectors.ledger_projects(request.user, filters).iterator(chunk_size=2000)
    # openpyxl's write-only mode streams the rows into the file; the file is then streamed out.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    rows = write_ledger(projects, handle, title=selectors.ledger_title(request.user, filters))
    audit.record_export(
        actor=request.user,
        what="ledger.xlsx",
        filters=request.GET.dict(),
        rows=rows,
        source_ip=client_ip(request),
    )
    handle.seek(0)
    filename = f"onewindow-ledger-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
