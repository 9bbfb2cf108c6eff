from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "onewindow.projects"
    verbose_name = _("Project register")

    def ready(self) -> None:
        from onewindow.projects import tally  # noqa: F401  (connects the tally's signals)
