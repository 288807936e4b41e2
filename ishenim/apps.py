from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IshenimConfig(AppConfig):
    name = "ishenim"
    verbose_name = _("Ishenim")

    def ready(self):
        from ishenim import serving  # noqa: F401 - registers the deploy checks
