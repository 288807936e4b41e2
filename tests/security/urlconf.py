"""Every staff URL of the project, filled in with real objects: read from the URL conf,
so a view added tomorrow is in the access matrix without anyone listing it."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections import deque
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from schools.models import School

PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")

# The path segment before an id names its model; where the name is not the
# model's, say so here. A new segment that matches no model fails the matrix.
ALIASES = {
    "appeals": "appeals.Appeal",
    "cases": "appeals.Appeal",
    "files": "appeals.Attachment",
    "answers": "appeals.Answer",
    "forwardings": "appeals.Forwarding",
    "order": "commission.Order",
    "members": "commission.Member",
    "meetings": "commission.Meeting",
    "items": "commission.AgendaItem",
    "openings": "openings.Opening",
    "weekly": "reports.WeeklySummary",
    "quarterly": "reports.QuarterlyReport",
    "sessions": "accounts.SessionRecord",
    "urgent": "appeals.Appeal",
}
# Slug parameters other than the school and the district: a valid value each.
SLUGS = {"step": "present", "name": "consider", "page": "keys/"}


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    params: tuple[tuple[str, str, str], ...]  # (converter, name, segment before it)

    @property
    def school_route(self) -> bool:
        return any(name == "school" for _c, name, _s in self.params)

    @property
    def district_route(self) -> bool:
        return any(name == "district" for _c, name, _s in self.params)

    def model_of(self, param: str) -> type[models.Model] | None:
        for _c, name, segment in self.params:
            if name == param:
                return model_for(segment)
        return None


def _walk(resolver, prefix=""):
    for item in resolver.url_patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            yield from _walk(item, route)
        elif isinstance(item, URLPattern):
            yield route, item


def is_public(callback) -> bool:
    return getattr(callback, "login_required", True) is False


def staff_routes() -> list[Route]:
    """Every route that needs a login, except Django's admin (tested on its own)."""
    found = []
    for route, pattern in _walk(get_resolver()):
        if route.startswith("admin/") or is_public(pattern.callback):
            continue
        params, last = [], 0
        for match in PARAM.finditer(route):
            segment = route[last : match.start()].strip("/").split("/")[-1]
            params.append((match["converter"] or "str", match["name"], segment))
            last = match.end()
        found.append(Route(route, pattern.name or "", tuple(params)))
    return found


def public_routes() -> list[str]:
    return [route for route, pattern in _walk(get_resolver()) if is_public(pattern.callback)]


def model_for(segment: str) -> type[models.Model] | None:
    if segment in ALIASES:
        return apps.get_model(ALIASES[segment])
    singular = segment[:-1] if segment.endswith("s") else segment
    for model in apps.get_models():
        if model._meta.model_name in (segment, singular):
            return model
    return None


def school_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its School (e.g. "appeal__school"), by following foreign keys."""
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        for field in current._meta.concrete_fields:
            if not field.is_relation or not field.many_to_one and not field.one_to_one:
                continue
            target = field.related_model
            lookup = f"{path}__{field.name}" if path else field.name
            if target is School:
                return lookup
            if target not in seen and lookup.count("__") < 3:
                seen.add(target)
                queue.append((target, lookup))
    return None


def fill(route: Route, school: School, *, object_school: School | None = None, every_appeal=False) -> list[str]:
    """The route's URLs for `school` (slug), with objects of `object_school` (default: the same school).

    Returns [] when an id parameter has no object to point at. With
    `every_appeal`, one URL per appeal of the object school, else the first."""
    object_school = object_school or school
    variants: list[tuple[str, dict]] = [("/" + route.route, {})]
    for converter, name, segment in route.params:
        next_variants = []
        for url, chosen in variants:
            placeholder = f"<{converter}:{name}>" if f"<{converter}:{name}>" in url else f"<{name}>"
            for value, obj in _values(route, converter, name, segment, school, object_school, chosen, every_appeal):
                next_variants.append((url.replace(placeholder, str(value), 1), {**chosen, name: obj}))
        variants = next_variants
    urls = [url for url, _ in variants]
    return urls if every_appeal else urls[:1]


def _values(route, converter, name, segment, school, object_school, chosen, every_appeal):
    if name == "school":
        return [(school.slug, school)]
    if name == "district":
        return [(school.district.slug, school.district)]
    if converter in ("slug", "str", "path"):
        return [(SLUGS.get(name, "x"), None)]
    if name == "year":
        return [(object_school.school_year(), None)]
    model = model_for(segment)
    if model is None:
        raise LookupError(f"{route.route}: no model for the segment {segment!r}; add it to ALIASES")
    queryset = model._default_manager.all()
    path = school_path(model)
    if path:
        queryset = queryset.filter(**{path: object_school})
    for obj in chosen.values():
        if obj is None:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is type(obj):
                queryset = queryset.filter(**{field.name: obj})
    # Every appeal (a nested object, such as an answer, belongs to one of them); one of anything else.
    objects = list(queryset.order_by("pk")[: (20 if model._meta.model_name == "appeal" else 1)])
    return [(obj.pk, obj) for obj in objects]


def response_text(response) -> str:
    """What a reader would see: HTML, or the text inside a PDF, XLSX, DOCX or CSV."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        return subprocess.run(
            ["pdftotext", "-q", "-", "-"], input=content, capture_output=True, check=False, timeout=60
        ).stdout.decode(errors="replace")
    if content[:2] == b"PK":  # xlsx, docx
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(archive.read(n).decode(errors="replace") for n in archive.namelist() if n.endswith(".xml"))
    return content.decode(errors="replace")
