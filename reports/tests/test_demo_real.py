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


def test_it_takes_paper_appeals_from_recorded_openings_and_the_summaries_agree_with_the_missed_list(demo):
    import datetime as dt

    from commission.demo import commission_demo_create
    from openings.models import Opening
    from openings.selectors import MISSED_LOOKBACK_DAYS, openings_overview
    from reports.models import WeeklySummary

    commission_demo_create(demo)
    demo_appeals(now=NOW)
    appointed = demo.commission.members.order_by("member_from").values_list("member_from", flat=True).first()
    paper = Appeal.objects.filter(school=demo, channel=Appeal.Channel.PAPER, received_at__date__gte=appointed)
    assert paper.exists() and not paper.filter(paper_letter__isnull=True).exists()
    assert Opening.objects.filter(school=demo, status=Opening.Status.DONE).count() >= 8
    overview = openings_overview(demo, now=NOW)
    since = NOW - dt.timedelta(days=MISSED_LOOKBACK_DAYS)
    listed = {p.at for p in overview.missed}
    summaries = WeeklySummary.objects.filter(school=demo)
    assert summaries.count() == 8
    for summary in summaries:
        missed = {dt.datetime.fromisoformat(x) for x in summary.figures["openings"]["missed"]}
        held = summary.figures["openings"]["held"]
        assert held, summary.week_end  # a weekly school opens its box every week
        assert {at for at in missed if at >= since} == {
            at for at in listed if summary.week_start <= at.date() <= summary.week_end
        }
