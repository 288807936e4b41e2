"""An archive made before the openings left the commission app restores into the openings app."""

import json

from django.core import serializers

from openings.models import Opening
from vault import serializer


def test_a_model_named_by_its_old_app_label_reads_as_the_model_it_became():
    serializer.register()
    old = [
        {
            "model": "commission.opening",
            "pk": 7,
            "fields": {
                "school": 1,
                "opened_at": "2026-11-20T09:00:00.123456Z",
                "place": "кире бериш",
                "created_by": 1,
                "present": [3, 4],
            },
        }
    ]
    (found,) = serializers.deserialize(serializer.FORMAT, json.dumps(old))
    assert isinstance(found.object, Opening) and found.object.pk == 7 and found.object.place == "кире бериш"
    assert found.object.opened_at.microsecond == 123456 and found.m2m_data == {"present": [3, 4]}
