"""Django's JSON fixtures, but with times to the microsecond.

The stock encoder cuts microseconds to milliseconds; the journals' and the
audit trail's hashes cover the full time, so a backup must keep it exactly.
Reading, a model that moved between apps is found under its old label too.
"""

import datetime as dt

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "ishenim-json"


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime):
            value = o.isoformat()
            return value[:-6] + "Z" if value.endswith("+00:00") else value
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()  # type: ignore[misc]  # Django's private hook, missing from the stubs


# Models that moved from one app to another: an archive made before the move names them by
# their old label, and restores into today's model.
MOVED_MODELS = {
    f"commission.{name}": f"openings.{name}"
    for name in ("opening", "letter", "page", "stub", "stubbatch", "book", "entry")
}


class Deserializer(django_json.Deserializer):
    def _handle_object(self, obj):
        label = obj.get("model", "").lower()
        yield from super()._handle_object(  # type: ignore[misc]  # Django's private hook, missing from the stubs
            {**obj, "model": MOVED_MODELS.get(label, obj.get("model"))}
        )


def register() -> None:
    from django.core import serializers

    if FORMAT not in serializers.get_serializer_formats():
        serializers.register_serializer(FORMAT, "vault.serializer")
