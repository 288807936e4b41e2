import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from commission.services import Tally, election_record, election_result, meeting_create, officers


@pytest.fixture
def meeting(commission, user):
    members = list(commission.members.all())
    return meeting_create(
        commission=commission,
        actor=user("responsible"),
        attendees=members,
        held_on=dt.date(2026, 9, 5),
        place="каб. 12",
        first=True,
    )


def test_it_elects_the_candidate_with_a_majority_of_those_present(commission):
    a, b = commission.members.all()[:2]
    assert election_result(5, [Tally(a, 3, 1, 1), Tally(b, 2, 3, 0)]) == a
    assert election_result(5, [Tally(a, 2, 0, 3)]) is None  # 2 of 5 is not a majority
    assert election_result(4, [Tally(a, 2, 2, 0)]) is None  # half is not more than half
    assert election_result(5, [Tally(a, 3, 0, 2), Tally(b, 3, 0, 2)]) is None  # a tie elects no one
    assert election_result(7, [Tally(a, 4, 0, 0), Tally(b, 5, 0, 0)]) == b


def test_it_records_the_vote_as_a_protocol_item_and_sets_the_officers(commission, meeting, user):
    chair = commission.members.get(user__username="responsible")
    secretary = commission.members.get(user__username="teacher")
    election = election_record(meeting=meeting, office="chair", tallies=[Tally(chair, 5, 0, 0)], actor=user("deputy"))
    election_record(meeting=meeting, office="secretary", tallies=[Tally(secretary, 4, 0, 1)], actor=user("deputy"))
    assert election.elected == chair
    item = meeting.items.get(election=election)
    assert chair.full_name in item.resolved and "5" in item.spoke
    roles = officers(commission, dt.date(2026, 9, 6))
    assert roles["chair"] == chair and roles["secretary"] == secretary


def test_it_refuses_more_votes_than_members_present(commission, meeting, user):
    chair = commission.members.first()
    with translation.override("en"), pytest.raises(ValidationError, match="only 5 members are present"):
        election_record(meeting=meeting, office="chair", tallies=[Tally(chair, 4, 2, 0)], actor=user("deputy"))
    assert not meeting.elections.exists()


def test_it_replaces_a_revote(commission, meeting, user):
    a, b = commission.members.all()[:2]
    election_record(meeting=meeting, office="chair", tallies=[Tally(a, 2, 2, 1)], actor=user("deputy"))
    election_record(meeting=meeting, office="chair", tallies=[Tally(b, 5, 0, 0)], actor=user("deputy"))
    assert meeting.elections.get().elected == b
    assert meeting.items.count() == 1


def test_it_records_a_vote_through_the_form(commission, meeting, login):
    chair = commission.members.get(user__username="responsible")
    client = login("responsible")
    url = f"/staff/rakhmanov/commission/meetings/{meeting.pk}/election/"
    bad = client.post(url, {"office": "chair", f"c{chair.pk}": "on", f"c{chair.pk}_for": "9"})
    assert bad.status_code == 200 and 'value="9"' in bad.content.decode()
    assert not meeting.elections.exists()
    good = client.post(url, {"office": "chair", f"c{chair.pk}": "on", f"c{chair.pk}_for": "5"})
    assert good.status_code == 302
    assert meeting.elections.get().elected == chair
