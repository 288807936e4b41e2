from commission.demo import commission_demo_create
from commission.models import Meeting
from commission.selectors import commission_state
from openings.models import Entry


def test_it_makes_the_demo_commission_once(demo):
    assert commission_demo_create(demo)
    assert not commission_demo_create(demo)
    state = commission_state(demo.commission)
    assert state.in_order and state.chair and state.secretary
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.FINAL and Entry.objects.filter(meeting=meeting).exists()
