from django import forms
from django.utils.translation import gettext_lazy as _

from vault.services import recovery_normalise


class MemberForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=80,
        help_text=_("Seven groups of five letters and digits, as printed on the recovery sheet."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = recovery_normalise(self.cleaned_data["code"])
        if len(code.replace("-", "")) != 35:
            raise forms.ValidationError(_("A recovery code has 35 letters and digits."))
        return code


class RotateForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: the current recovery sheet stops working and a new one must be printed and stored."),
    )
