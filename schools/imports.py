"""Schools and staff from a spreadsheet: templates (XLSX, CSV), a dry run that lists
every row's errors in the reader's language, and an all-or-nothing apply."""

from __future__ import annotations

import csv
import io
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email, validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from schools.models import District, Membership, Role, School
from schools.setup import member_add, school_set_up

SCHOOL_COLUMNS = (
    "slug",
    "name_ky",
    "name_ru",
    "name_uz",
    "name_en",
    "address",
    "box_location",
    "box_location_ru",
    "box_location_uz",
    "box_location_en",
    "email",
    "website",
)
STAFF_COLUMNS = (
    "school",
    "full_name",
    "login",
    "phone",
    "email",
    "telegram",
    "roles",
    "position",
    "parents_representative",
)
SCHOOL_ROLES = tuple(r for r in Role.values if r != Role.DISTRICT_OFFICER)
YES = {"1", "yes", "y", "true", "x", "ооба", "да", "ha", "+"}
NO = {"", "0", "no", "n", "false", "жок", "нет", "yo'q", "-"}
MAX_ROWS = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportError_(Exception):
    """The file cannot be read at all (not a sheet, no known header)."""


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheets = ((book.active, "schools", SCHOOL_COLUMNS), (book.create_sheet(), "staff", STAFF_COLUMNS))
    for sheet, title, columns in sheets:
        sheet.title = title
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for n, _c in enumerate(columns):
            sheet.column_dimensions[chr(ord("A") + n)].width = 22
    help_sheet = book.create_sheet("help")
    for line in _help_lines():
        help_sheet.append(line)
    help_sheet.column_dimensions["A"].width = 26
    help_sheet.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _help_lines() -> list[list[str]]:
    return [
        ["slug", _("the school's address in links: small Latin letters, digits and dashes (e.g. school-12)")],
        ["name_ky", _("the school's name in Kyrgyz (required); name_ru, name_uz, name_en: optional")],
        ["box_location", _("where the box stands, in Kyrgyz; box_location_ru, _uz, _en in the other languages")],
        ["school", _("staff sheet: the slug of the school (from the schools sheet or already in Ishenim)")],
        ["login", _("the person's login; if empty, their phone number is used")],
        ["roles", _("one or more of: %(roles)s (separated by commas)") % {"roles": ", ".join(SCHOOL_ROLES)}],
        ["position", ", ".join(Membership.Position.values)],
        ["parents_representative", _("yes or no")],
        ["telegram", _("optional; the person links Telegram themselves after the first login")],
    ]


def template_csv(kind: str) -> bytes:
    columns = SCHOOL_COLUMNS if kind == "schools" else STAFF_COLUMNS
    return ("\ufeff" + ",".join(columns) + "\r\n").encode()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows_of(header, rows) -> tuple[str, list[dict]]:
    names = [_text(h).lower() for h in header]
    columns: tuple[str, ...]
    if "full_name" in names:
        kind, columns = "staff", STAFF_COLUMNS
    elif "slug" in names:
        kind, columns = "schools", SCHOOL_COLUMNS
    else:
        raise ImportError_(_("The first row must be the template's header row."))
    found = []
    for line, row in rows:
        cells = {name: _text(row[i]) if i < len(row) else "" for i, name in enumerate(names) if name in columns}
        if any(cells.values()):
            found.append({"line": line, **{c: cells.get(c, "") for c in columns}})
    return kind, found


def read(upload) -> dict[str, list[dict]]:
    """{'schools': rows, 'staff': rows} from an XLSX (sheets by header) or a CSV file."""
    content = upload.read(5 * 1024 * 1024 + 1)
    if len(content) > 5 * 1024 * 1024:
        raise ImportError_(_("The file is larger than 5 MB."))
    found: dict[str, list[dict]] = {"schools": [], "staff": []}
    if content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - any broken workbook is the same answer to the reader
            raise ImportError_(_("This file cannot be read as a spreadsheet.")) from error
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
            if not rows or sheet.title == "help":
                continue
            kind, parsed = _rows_of(rows[0], [(n, r) for n, r in enumerate(rows[1:], start=2)])
            found[kind] += parsed
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportError_(_("Save the CSV file in UTF-8.")) from error
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))[: MAX_ROWS + 1]
        if not rows:
            raise ImportError_(_("The file is empty."))
        kind, parsed = _rows_of(rows[0], [(n, r) for n, r in enumerate(rows[1:], start=2)])
        found[kind] += parsed
    if not found["schools"] and not found["staff"]:
        raise ImportError_(_("The file has no rows to import."))
    return found


LIMITS = {"slug": 50, "address": 300, "email": 254, "website": 200, "full_name": 150, "login": 150, "phone": 20}


def _too_long(row: dict) -> list[str]:
    limits = {**LIMITS, **{c: 200 for c in row if c.startswith(("name_", "box_location"))}}
    return [
        _("%(column)s: at most %(n)d characters.") % {"column": column, "n": limit}
        for column, limit in limits.items()
        if len(str(row.get(column, ""))) > limit
    ]


def _school_errors(row: dict, seen: set[str]) -> list[str]:
    errors = _too_long(row)
    slug = row["slug"].lower()
    row["slug"] = slug
    try:
        validate_slug(slug)
    except ValidationError:
        errors.append(_("slug: use only small Latin letters, digits and dashes."))
    if not slug:
        errors.append(_("slug: required."))
    elif slug in seen:
        errors.append(_("slug: this school appears twice in the file."))
    elif School.objects.filter(slug=slug).exists():
        errors.append(_("slug: a school with this address is already in Ishenim."))
    seen.add(slug)
    if not row["name_ky"]:
        errors.append(_("name_ky: the name in Kyrgyz is required."))
    if row["email"]:
        try:
            validate_email(row["email"])
        except ValidationError:
            errors.append(_("email: not an email address."))
    if row["website"]:
        if "://" not in row["website"]:
            row["website"] = "https://" + row["website"]
        try:
            URLValidator()(row["website"])
        except ValidationError:
            errors.append(_("website: not a web address."))
    return errors


def _staff_errors(row: dict, district: District, new_slugs: set[str], seen: set[tuple[str, str]]) -> list[str]:
    errors = _too_long(row)
    school = row["school"].lower()
    row["school"] = school
    if school not in new_slugs and not School.objects.filter(slug=school, district=district).exists():
        errors.append(_("school: no school with this slug in this district or in the file."))
    if not row["full_name"]:
        errors.append(_("full_name: required."))
    login = row["login"] or re.sub(r"\D", "", row["phone"])
    row["login"] = login
    if not login:
        errors.append(_("login: give a login or a phone number."))
    elif not re.fullmatch(r"[\w.@+-]{2,150}", login):
        errors.append(_("login: only letters, digits and . @ + - _ are allowed."))
    elif (login.lower(), school) in seen:
        errors.append(_("login: this person appears twice for this school."))
    seen.add((login.lower(), school))
    if row["email"]:
        try:
            validate_email(row["email"])
        except ValidationError:
            errors.append(_("email: not an email address."))
    roles = [r for r in re.split(r"[\s,;]+", row["roles"].lower()) if r]
    unknown = [r for r in roles if r not in SCHOOL_ROLES]
    if not roles:
        errors.append(_("roles: at least one role is required."))
    elif unknown:
        errors.append(
            _("roles: unknown role %(role)s; use %(roles)s.") % {"role": unknown[0], "roles": ", ".join(SCHOOL_ROLES)}
        )
    row["roles"] = roles
    position = row["position"].lower() or Membership.Position.OTHER
    if position not in Membership.Position.values:
        errors.append(_("position: unknown position %(position)s.") % {"position": position})
    row["position"] = position
    flag = row["parents_representative"].lower()
    if flag not in YES | NO:
        errors.append(_("parents_representative: write yes or no."))
    row["parents_representative"] = flag in YES
    return errors


def check(found: dict[str, list[dict]], district: District) -> list[dict]:
    """Every row's errors (the rows are cleaned in place); empty when all can be applied."""
    problems = []
    seen_slugs: set[str] = set()
    for row in found["schools"]:
        errors = _school_errors(row, seen_slugs)
        if errors:
            problems.append({"sheet": "schools", "line": row["line"], "errors": errors})
    seen_people: set[tuple[str, str]] = set()
    User = get_user_model()
    for row in found["staff"]:
        errors = _staff_errors(row, district, seen_slugs, seen_people)
        existing = User.objects.filter(username__iexact=row["login"]).first() if row["login"] else None
        if existing is not None and existing.is_superuser:
            errors.append(_("login: this login belongs to an administrator account."))
        if errors:
            problems.append({"sheet": "staff", "line": row["line"], "errors": errors})
    return problems


@transaction.atomic
def apply(found: dict[str, list[dict]], district: District, by) -> dict:
    """Create every school and member, or nothing (one transaction). Returns what was made and the links to print."""
    if check(found, district):
        raise ValueError("the rows have errors")
    schools = []
    for row in found["schools"]:
        fields = {c: row[c] for c in SCHOOL_COLUMNS if c not in ("slug", "name_ky") and row[c]}
        schools.append(school_set_up(district=district, by=by, slug=row["slug"], name_ky=row["name_ky"], **fields))
    invited = []
    for row in found["staff"]:
        school = School.objects.get(slug=row["school"], district=district)
        result = member_add(
            school=school,
            by=by,
            full_name=row["full_name"],
            username=row["login"],
            roles=row["roles"],
            email=row["email"],
            phone=row["phone"],
            position=row["position"],
            parents_representative=row["parents_representative"],
        )
        invited.append({"school": school, "user": result.user, "link": result.link})
    return {"schools": schools, "invited": invited}
