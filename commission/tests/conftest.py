import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from commission.services import commission_from_accounts, commission_of, order_record


@pytest.fixture
def commission(demo):
    """The demo school's commission, appointed by order, seated from the five commission accounts."""
    director = get_user_model().objects.get(username="director")
    commission = commission_of(demo)
    order = order_record(
        commission=commission, number="45-к", issued_on=dt.date(2026, 9, 1), scan=None, scan_type="", actor=director
    )
    commission_from_accounts(commission=commission, on=dt.date(2026, 9, 1), order=order, actor=director)
    return commission


@pytest.fixture
def user():
    return lambda username: get_user_model().objects.get(username=username)
