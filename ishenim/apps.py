from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IshenimConfig(AppConfig):
    name = "ishenim"
    verbose_name = _("Ishenim")
