"""Dates on pages as documents print them: the school's day, in the reader's language, never ISO."""

from django import template
from django.utils import translation

from ishenim.documents import document_date, local_time

register = template.Library()


@register.filter
def local_date(value, school=None) -> str:
    """«2026-жылдын 28-ноябры» of a date or a moment (in the school's time zone)."""
    if not value:
        return ""
    return document_date(value, (translation.get_language() or "ky")[:2], school=school)


@register.filter
def local_datetime(value, school=None) -> str:
    """«2026-жылдын 28-ноябры, 00:30»."""
    if not value:
        return ""
    return f"{local_date(value, school)}, {local_time(value, school)}"
