"""The demo looks real: signed appeals carry names, online appeals have online conversations."""

from appeals.models import Appeal, Message
from reports.demo import NAMES, demo_appeals
from reports.tests.conftest import at

NOW = at("2026-11-20", 12)


def test_it_gives_signed_appeals_names_and_online_appeals_conversations(demo, client, login):
    demo_appeals(now=NOW)
    appeals = Appeal.objects.filter(school=demo)
    online = appeals.filter(channel=Appeal.Channel.ONLINE)
    talked = online.filter(messages__isnull=False).distinct()
    assert talked.count() > online.count() // 4
    assert not Message.objects.filter(appeal__channel=Appeal.Channel.PAPER).exists()
    assert Message.objects.filter(side=Message.Side.STAFF).exists()
    assert all(hasattr(a, "followup") for a in online[:20])  # every online writer kept a receipt code
    signed = appeals.filter(anonymous=False).first()
    login("director")
    page = client.get(f"/staff/rakhmanov/appeals/{signed.pk}/").content.decode()
    assert any(name in page for name in NAMES)
