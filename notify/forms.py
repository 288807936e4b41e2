from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

phone = RegexValidator(
    r"^\+?[0-9 ()-]{7,20}$", _("Write the phone number with the country code, e.g. +996 555 123 456.")
)


class ChannelsForm(forms.Form):
    email_on = forms.BooleanField(label=_("by email"), required=False)
    telegram_on = forms.BooleanField(label=_("by Telegram"), required=False)
    sms_on = forms.BooleanField(label=_("by SMS"), required=False)
    whatsapp_on = forms.BooleanField(label=_("by WhatsApp"), required=False)
    phone = forms.CharField(label=_("phone for SMS"), required=False, max_length=20, validators=[phone])
    language = forms.ChoiceField(label=_("language of messages"), choices=settings.LANGUAGES)

    def clean(self):
        data = super().clean() or {}
        if data.get("sms_on") and not data.get("phone"):
            self.add_error("phone", _("Write the phone number that should receive SMS."))
        return data


class WhatsAppNumberForm(forms.Form):
    whatsapp_phone = forms.CharField(label=_("WhatsApp number"), max_length=20, validators=[phone])


class WhatsAppCodeForm(forms.Form):
    code = forms.CharField(label=_("Code from WhatsApp"), max_length=12)
