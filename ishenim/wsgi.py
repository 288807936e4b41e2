import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ishenim.settings")
application = get_wsgi_application()

from ishenim.serving import refuse_without_secret_key  # noqa: E402 - needs the settings loaded

refuse_without_secret_key()

from appeals.triage import warm_up  # noqa: E402 - needs the apps loaded

warm_up()  # each web worker trains the triage model as it starts, not on its first appeal
