"""Staff pages. Every page but the login page asks for a signed-in user."""

from django.urls import path

from onewindow.accounts import views as account_views
from onewindow.analytics import views as analytics_views
from onewindow.approvals import plan_views, task_views
from onewindow.coordination import workbench as workbench_views
from onewindow.coordination.urls import urlpatterns as coordination_urls
from onewindow.fees import views as fee_views
from onewindow.ledger import views as ledger_views
from onewindow.projects import views as project_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("", workbench_views.workbench, name="workbench"),
    path("projects/", project_views.register, name="project-register"),
    path("projects/export.csv", project_views.register_csv, name="project-export"),
    path("projects/export.xlsx", ledger_views.register_xlsx, name="project-export-xlsx"),
    path("ledger/import/", ledger_views.import_page, name="ledger-import"),
    path("ledger/import/confirm/", ledger_views.confirm_import, name="ledger-confirm"),
    path("ledger/import/discard/", ledger_views.discard_import, name="ledger-discard"),
    path("projects/new/", project_views.intake, name="project-intake"),
    path("projects/<int:pk>/", project_views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", project_views.edit_project, name="project-edit"),
    path("projects/<int:pk>/stage/", project_views.change_stage, name="project-stage"),
    path("projects/<int:pk>/notes/", project_views.add_note, name="project-note"),
    path("projects/<int:pk>/code/", project_views.set_national_code, name="project-code"),
    path("projects/<int:pk>/phases/new/", project_views.edit_phase, name="phase-add"),
    path("projects/<int:pk>/phases/<int:phase_pk>/", project_views.edit_phase, name="phase-edit"),
    path("projects/<int:pk>/plan/", plan_views.plan_page, name="project-plan"),
    path("projects/<int:pk>/plan/facts/", plan_views.save_facts, name="plan-facts"),
    path("projects/<int:pk>/plan/create/", plan_views.create_plan, name="plan-create"),
    path("projects/<int:pk>/plan/items/add/", plan_views.add_item, name="plan-item-add"),
    path("projects/<int:pk>/plan/items/remove/", plan_views.remove_item, name="plan-item-remove"),
    path("projects/<int:pk>/tasks/", task_views.project_tasks, name="project-tasks"),
    path("projects/<int:pk>/tasks/generate/", task_views.generate_tasks, name="project-tasks-generate"),
    path("projects/<int:pk>/joint-events/", task_views.joint_events, name="project-joint-events"),
    path("projects/<int:pk>/bill/", fee_views.bill_page, name="project-bill"),
    path("projects/<int:pk>/bill/prepare/", fee_views.prepare_bill, name="bill-prepare"),
    path("projects/<int:pk>/bill/waivers/", fee_views.grant_waiver, name="bill-waiver"),
    path("projects/<int:pk>/bill/payments/", fee_views.record_payment, name="bill-payment"),
    path("tasks/", task_views.task_queue, name="task-queue"),
    path("tasks/<int:task_id>/", task_views.task_detail, name="task-detail"),
    path("tasks/<int:task_id>/<slug:action>/", task_views.task_action, name="task-action"),
    path("materials/<int:file_id>/download/", task_views.download_material, name="material-download"),
    path("audit/", account_views.audit_log, name="audit-log"),
    path("account/tokens/", account_views.api_tokens, name="api-tokens"),
    path("stats/", analytics_views.statistics, name="statistics"),
    path("stats/dashboard/", analytics_views.dashboard, name="dashboard"),
    path("stats/dashboard/details/", analytics_views.dashboard_details, name="dashboard-details"),
    path("stats/report/", analytics_views.report_page, name="progress-report"),
    path("stats/report.xlsx", analytics_views.report_xlsx, name="progress-report-xlsx"),
    *coordination_urls,
]
