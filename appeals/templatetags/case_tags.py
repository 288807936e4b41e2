"""Filters of the inbox and the case panel: how a deadline looks."""

from django import template

register = template.Library()


@register.filter
def days_left_class(appeal) -> str:
    """The inbox's colour for a case: red when late, amber on the last two days."""
    left = appeal.days_left()
    if left is None:
        return ""
    if left < 0:
        return "overdue"
    return "due-soon" if left <= 2 else ""


@register.filter
def absolute(value: int) -> int:
    return abs(value)
