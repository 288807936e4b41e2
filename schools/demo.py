"""The demo district: two schools, their staff, and the district office."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from schools.models import District, Membership, Role, School
from schools.permissions import roles_with
from schools.services import school_create
from vault.models import VaultKey
from vault.services import key_create, user_key_set

DEMO_PASSWORD = "ishenim-demo-2026"  # noqa: S105 - printed for the demo
P = Membership.Position

# username, full name, [(school slug or None for the district, role, position, parents' representative)]
STAFF: list[tuple[str, str, list[tuple[str | None, str, str, bool]]]] = [
    ("director", "Айгүл Токтогулова", [("rakhmanov", Role.DIRECTOR, P.DIRECTOR, False)]),
    (
        "responsible",
        "Нургүл Асанова",
        [
            ("rakhmanov", Role.RESPONSIBLE, P.CHILD_RIGHTS, False),
            ("rakhmanov", Role.COMMISSION, P.CHILD_RIGHTS, False),
        ],
    ),
    (
        "psychologist",
        "Бермет Осмонова",
        [
            ("rakhmanov", Role.HANDLER, P.PSYCHOLOGIST, False),
            ("rakhmanov", Role.COMMISSION, P.PSYCHOLOGIST, False),
        ],
    ),
    ("socped", "Гүлзат Мамытова", [("rakhmanov", Role.HANDLER, P.SOCIAL_PEDAGOGUE, False)]),
    (
        "deputy",
        "Азамат Жолдошев",
        [
            ("rakhmanov", Role.HANDLER, P.DEPUTY, False),
            ("rakhmanov", Role.COMMISSION, P.DEPUTY, False),
        ],
    ),
    ("parent", "Эрмек Сыдыков", [("rakhmanov", Role.COMMISSION, P.PARENT, True)]),
    ("teacher", "Жылдыз Бакирова", [("rakhmanov", Role.COMMISSION, P.TEACHER, False)]),
    (
        "director2",
        "Канат Усенов",
        [
            ("gymnasium5", Role.DIRECTOR, P.DIRECTOR, False),
            ("gymnasium5", Role.RESPONSIBLE, P.DIRECTOR, False),
        ],
    ),
    ("district", "Роза Абдыкадырова", [(None, Role.DISTRICT_OFFICER, P.DISTRICT, False)]),
]

SCHOOLS: list[dict[str, Any]] = [
    {
        "slug": "rakhmanov",
        "name_ky": "Н. Рахманов атындагы орто мектеби",
        "name_ru": "Средняя школа им. Н. Рахманова",
        "name_en": "N. Rakhmanov Secondary School",
        "address": "Ош ш., Ленин көч., 200",
        "email": "rakhmanov@school.example",
        "cadence": School.Cadence.WEEKLY,
        "opening_weekday": School.Weekday.TUESDAY,
    },
    {
        "slug": "gymnasium5",
        "name_ky": "№5 мектеп-гимназиясы",
        "name_ru": "Школа-гимназия №5",
        "name_en": "School-Gymnasium No. 5",
        "address": "Ош ш., Курманжан Датка көч., 15",
        "email": "gymnasium5@school.example",
        "cadence": School.Cadence.EVERY_N_WEEKS,
        "opening_weekday": School.Weekday.FRIDAY,
    },
]


@transaction.atomic
def demo_create() -> dict:
    """Create the demo district once; a second call changes nothing.

    Returns what to print: the accounts, and the recovery codes of keys made now.
    """
    User = get_user_model()
    district, _ = District.objects.get_or_create(
        slug="osh",
        defaults={"name_ky": "Ош шаары", "name_ru": "город Ош", "name_en": "Osh city", "email": "osh@edu.example"},
    )
    users = {}
    for username, full_name, _roles in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            first, last = full_name.split(" ", 1)
            user = User.objects.create_user(
                username, f"{username}@school.example", DEMO_PASSWORD, first_name=first, last_name=last
            )
            user_key_set(user=user, password=DEMO_PASSWORD)
        users[username] = user
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@school.example", DEMO_PASSWORD)

    codes = {}
    for spec in SCHOOLS:
        if School.objects.filter(slug=spec["slug"]).exists():
            continue
        readers = [
            users[u]
            for u, _n, roles in STAFF
            if any(
                s == spec["slug"] and role in roles_with("vault.hold_school_key")  # handlers: their cases' keys
                for s, role, _p, _r in roles
            )
        ]
        school, codes[spec["slug"]] = school_create(district=district, grantees=readers, **spec)
    if not VaultKey.objects.filter(scope=district.vault_scope).exists():
        codes["osh"] = key_create(scope=district.vault_scope, grantees=[users["district"]])

    from schools.setup import recovery_hold, recovery_seal

    for slug, code in codes.items():
        scope = district.vault_scope if slug == "osh" else School.objects.get(slug=slug).vault_scope
        recovery_hold(scope=scope, code=code)

    for username, _n, roles in STAFF:
        for slug, role, position, parents in roles:
            place = {"district": district} if slug is None else {"school": School.objects.get(slug=slug)}
            Membership.objects.get_or_create(
                user=users[username],
                role=role,
                **place,
                defaults={"position": position, "parents_representative": parents},
            )
    for user in users.values():  # the directors and the officer have key pairs: their codes are sealed to them
        recovery_seal(user)
    return {"password": DEMO_PASSWORD, "codes": codes, "staff": STAFF}
