from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "onewindow.approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from onewindow.approvals import tally  # noqa: F401  (connects the task tallies' signals)
