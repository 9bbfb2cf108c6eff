from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "onewindow.portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from onewindow.portal import signals  # noqa: F401  (clears the public pages' cache on changes)
