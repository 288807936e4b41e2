"""Filters of the inbox and the case panel: how a deadline looks."""

from django import template

from appeals.selectors import deadline_class, deadline_words

register = template.Library()


@register.filter
def days_left_class(appeal) -> str:
    """The colour of a case's deadline (`appeals.selectors.deadline_class`)."""
    return deadline_class(appeal.days_left())


@register.filter
def days_left_words(appeal) -> str:
    """A case's deadline in words (`appeals.selectors.deadline_words`)."""
    return deadline_words(appeal.days_left())
