"""The inbox's search: filters on the fields kept in the clear, and bulk assignment."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal


def _choices(choices) -> list[tuple[str, str]]:
    return [("", _("any"))] + list(choices)


class InboxFilterForm(forms.Form):
    """Every field is optional; an invalid value is ignored, never an error page."""

    q = forms.CharField(label=_("Journal number"), required=False, max_length=20)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=_choices(Appeal.Category.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_choices(Appeal.Status.choices))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_choices(Appeal.Channel.choices))
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    handler = forms.TypedChoiceField(label=_("Handled by"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, handlers=(), **kwargs):
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["handler"]).choices = [("", _("anyone")), ("0", _("nobody yet"))] + [
            (str(user.pk), user.get_full_name() or user.get_username()) for user in handlers
        ]

    def filters(self) -> dict:
        """The valid filters; fields with a wrong value are left out."""
        self.is_valid()
        chosen = self.cleaned_data.items()
        return {key: value for key, value in chosen if value is not False and value not in ("", None)}

    def journal_number(self) -> int | None:
        """The number typed in the search box ('12', '№ 12', '#12'), if it is one."""
        typed = (self.data.get("q") or "").strip().lstrip("№#").strip()
        return int(typed) if typed.isdigit() and len(typed) < 9 else None


class BulkAssignForm(forms.Form):
    appeal = forms.TypedMultipleChoiceField(label=_("Appeals"), coerce=int)
    handler = forms.TypedChoiceField(label=_("Give the chosen cases to"), coerce=int)

    def __init__(self, data, *, appeals=(), handlers=(), **kwargs):
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["appeal"]).choices = [(str(pk), str(pk)) for pk in appeals]
        cast(forms.ChoiceField, self.fields["handler"]).choices = [
            (str(user.pk), user.get_full_name() or user.get_username()) for user in handlers
        ]
