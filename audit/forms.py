from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.labels import ACTIONS

GROUPS = [
    ("", _("everything")),
    ("ishenim.account.", _("logins and accounts")),
    ("ishenim.key.", _("key operations")),
    ("ishenim.appeal.", _("appeals")),
    ("ishenim.journal.", _("journal")),
    ("ishenim.commission.", _("commission")),
    ("ishenim.openings.", _("box openings")),
    ("ishenim.report.", _("reports and exports")),
]


class TrailFilter(forms.Form):
    action = forms.ChoiceField(label=_("What"), required=False)
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, people):
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["action"]).choices = GROUPS + list(ACTIONS.items())
        cast(forms.ChoiceField, self.fields["actor"]).choices = [("", _("everyone"))] + [
            (u.pk, u.get_full_name() or u.username) for u in people
        ]
