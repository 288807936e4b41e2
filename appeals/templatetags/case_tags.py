"""The case panel on the appeal's page loads its own data, so the page's view needs to know nothing of it."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panel_data(context, appeal):
    from appeals.views_case import case_panel_context

    return case_panel_context(context["request"], appeal)


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
