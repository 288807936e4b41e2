import datetime as dt
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appeals.attachments import MultipleFileField, MultipleFileInput
from appeals.forms import class_parse
from appeals.models import Appeal
from commission.forms import Labelled, MembersChoiceField
from commission.models import Member
from openings.models import Opening, StubBatch
from openings.services import STUB_BATCH_MAX

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Letters in the box and printed forms: the languages families in the south write in.
LANGUAGES = [("ky", "Кыргызча"), ("ru", "Русский"), ("uz", "Oʻzbekcha")]


class PresentForm(Labelled, forms.Form):
    opened_at = forms.DateTimeField(label=_("opened at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    place = forms.CharField(label=_("place"), max_length=200)
    present = MembersChoiceField(
        label=_("commission members present"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        cast(MembersChoiceField, self.fields["present"]).queryset = members

    def clean_opened_at(self):
        value = self.cleaned_data["opened_at"]
        if value > timezone.now() + dt.timedelta(minutes=10):
            raise ValidationError(_("The opening cannot be in the future."))
        return value


class SealForm(Labelled, forms.Form):
    number = forms.CharField(label=_("number of the seal found on the box"), max_length=40, required=False)
    state = forms.ChoiceField(label=_("state of the seal"), choices=Opening.SealState, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("what was seen (required when the seal is broken or missing)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, expected: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean(self):
        data = super().clean() or {}
        number = data.get("number", "").strip()
        if data.get("state") == Opening.SealState.INTACT and not number:
            self.add_error("number", _("Write the number of the intact seal."))
        elif number and self.expected and number != self.expected and not data.get("note"):
            self.add_error(
                "note",
                _(
                    "The number differs from the seal put on the box last time (№%(expected)s): describe what was "
                    "seen. It is reported to the director as an incident."
                )
                % {"expected": self.expected},
            )
        if data.get("state") in (Opening.SealState.BROKEN, Opening.SealState.MISSING) and not data.get("note"):
            self.add_error("note", _("Describe what was seen: this is an incident reported to the director."))
        return data


class CountForm(Labelled, forms.Form):
    letters_found = forms.IntegerField(label=_("how many letters were in the box"), min_value=0, max_value=500)


class LetterForm(Labelled, forms.Form):
    pages = MultipleFileField(
        label=_("photos or scans of the pages"),
        required=False,
        help_text=_("Take a photo of each page. Photos are stored encrypted, without their location data."),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
    )
    # No default: a preselected category would count every letter nobody sorted (R20).
    category = forms.ChoiceField(
        label=_("category"),
        choices=[("", "—"), *Appeal.Category.choices],
        error_messages={"required": _("Choose the category of the letter: nothing is chosen for you.")},
    )
    author_kind = forms.ChoiceField(label=_("who wrote"), choices=Appeal.AuthorKind, initial=Appeal.AuthorKind.STUDENT)
    signed = forms.TypedChoiceField(
        label=_("the letter is"),
        choices=[("0", _("anonymous")), ("1", _("signed"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    full_name = forms.CharField(label=_("author's full name"), max_length=200, required=False)
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    school_class = forms.CharField(label=pgettext_lazy("school class", "class"), max_length=20, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    summary = forms.CharField(
        label=_("brief summary (for the journal)"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    text = forms.CharField(
        label=_("the letter's text, typed (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    language = forms.ChoiceField(label=_("language of the letter"), choices=LANGUAGES, initial="ky")
    urgent = forms.BooleanField(label=_("urgent: a child may be in danger"), required=False)
    form_number = forms.CharField(
        label=_("form number from the letter (optional)"),
        max_length=40,
        required=False,
        help_text=_(
            "Printed forms carry a number such as 12-07-3 at the bottom; its writer follows the appeal online "
            "with the code on the stub they kept."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_school_class(self) -> str:
        """The class as the public form takes it («7-б» → «7Б»): one rule for what a class is."""
        value = self.cleaned_data["school_class"].strip()
        if not value:
            return ""
        parsed = class_parse(value)
        if parsed is None:
            raise ValidationError(_("Write the class as a number and a letter, for example 7Б."))
        return parsed[1]

    def grade(self) -> int | None:
        parsed = class_parse(self.cleaned_data["school_class"]) if self.cleaned_data["school_class"] else None
        return parsed[0] if parsed else None

    def clean(self):
        data = super().clean() or {}
        if data.get("signed") and not data.get("full_name", "").strip():
            self.add_error("full_name", _("A signed letter needs its author's full name."))
        return data

    def author(self) -> dict | None:
        data = self.cleaned_data
        if not data["signed"]:
            return None
        return {
            "full_name": data["full_name"].strip(),
            "address": data["address"].strip(),
            "school_class": data["school_class"],
            "phone": data["phone"].strip(),
        }


class CloseForm(Labelled, forms.Form):
    new_seal_number = forms.CharField(label=_("number of the new seal put on the box"), max_length=40)
    sealed_at = forms.DateTimeField(label=_("sealed at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])


class StubBatchForm(Labelled, forms.Form):
    count = forms.IntegerField(label=_("number of forms"), min_value=1, max_value=STUB_BATCH_MAX, initial=20)
    size = forms.ChoiceField(label=_("paper size"), choices=StubBatch.Size, initial=StubBatch.Size.A4)
    language = forms.ChoiceField(label=_("language of the form"), choices=LANGUAGES, initial="ky")
