from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    verbose_name = _("People and access")

    def ready(self) -> None:
        from onewindow.accounts import signals  # noqa: F401  (connects the login audit)
