"""Staff pages. Every page but the login page asks for a signed-in user."""

from django.urls import path

from onewindow.accounts import views as account_views
from onewindow.analytics import views as analytics_views
from onewindow.projects import views as project_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("", project_views.workbench, name="workbench"),
    path("projects/", project_views.register, name="project-register"),
    path("projects/export.csv", project_views.register_csv, name="project-export"),
    path("projects/new/", project_views.intake, name="project-intake"),
    path("projects/<int:pk>/", project_views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", project_views.edit_project, name="project-edit"),
    path("projects/<int:pk>/stage/", project_views.change_stage, name="project-stage"),
    path("projects/<int:pk>/notes/", project_views.add_note, name="project-note"),
    path("projects/<int:pk>/code/", project_views.set_national_code, name="project-code"),
    path("projects/<int:pk>/phases/new/", project_views.edit_phase, name="phase-add"),
    path("projects/<int:pk>/phases/<int:phase_pk>/", project_views.edit_phase, name="phase-edit"),
    path("audit/", account_views.audit_log, name="audit-log"),
    path("account/tokens/", account_views.api_tokens, name="api-tokens"),
    path("stats/", analytics_views.statistics, name="statistics"),
]
