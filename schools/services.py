import datetime as dt

from django.db import transaction

from schools.models import BoxHours, HelpNumber, School
from vault.services import key_create


@transaction.atomic
def school_create(*, district, slug: str, name_ky: str, grantees=(), **fields) -> tuple[School, str]:
    """A school with the default help numbers and box hours, and its vault key.

    Returns the school and its recovery code, to show the director once.
    """
    school = School.objects.create(district=district, slug=slug, name_ky=name_ky, **fields)
    HelpNumber.objects.bulk_create(
        HelpNumber(school=school, kind=kind, number=number, order=n)
        for n, (kind, number) in enumerate(HelpNumber.DEFAULTS)
    )
    BoxHours.objects.bulk_create(
        BoxHours(school=school, weekday=day, opens=dt.time(8), closes=dt.time(16)) for day in range(5)
    )
    code = key_create(scope=school.vault_scope, grantees=grantees)
    return school, code
