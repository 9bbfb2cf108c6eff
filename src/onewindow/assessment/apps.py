from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "onewindow.assessment"
    verbose_name = _("County assessment")
