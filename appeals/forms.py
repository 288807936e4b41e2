"""Forms of the online box (public) and of the staff inbox.

Every error has its own translated message and nothing the writer typed is
lost: a bad file is reported by name while the text and the other fields stay.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals import attachments
from appeals.models import Appeal, FollowUp
from appeals.receipts import ALPHABET, LENGTH, receipt_normalise
from appeals.triage import words_validate

TEXT_MIN_CHARS = 10
TEXT_MAX_CHARS = 6000
MESSAGE_MAX_CHARS = 3000

ANONYMOUS, SIGNED = "anonymous", "signed"


def phone_normalise(value: str) -> str | None:
    """A Kyrgyz phone number written as +996 555 123 456, or None if it is not one."""
    digits = re.sub(r"[\s\-().]", "", value)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("996"):
            return None
    if not digits.isdigit():
        return None
    if digits.startswith("996") and len(digits) == 12:
        digits = digits[3:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = digits[1:]
    if len(digits) != 9:
        return None
    return f"+996 {digits[:3]} {digits[3:6]} {digits[6:]}"


CLASS_RE = re.compile(r"^(?P<grade>\d{1,2})\s*[-–]?\s*\"?(?P<letter>[^\W\d_]?)\"?$")


def class_parse(value: str) -> tuple[int, str] | None:
    """«7Б», «7-б», «11 A» → (7, "7Б"); None if it is not a class of a school."""
    match = CLASS_RE.match(value.strip())
    if not match:
        return None
    grade = int(match["grade"])
    if not 1 <= grade <= 12:
        return None
    return grade, f"{grade}{match['letter'].upper()}"


def text_check(value: str, *, max_chars: int) -> str:
    value = value.strip()
    if len(value) > max_chars:
        raise ValidationError(
            _(
                "The text is too long: %(length)d characters, at most %(max)d. Shorten it, or send the rest in a "
                "message with your receipt code."
            ),
            params={"length": len(value), "max": max_chars},
            code="too_long",
        )
    return value


class AppealForm(forms.Form):
    """The one form of the online box."""

    # First on the form: the writer's own word makes the appeal urgent, whatever the text says.
    danger = forms.BooleanField(
        label=_("I or someone else is in danger right now"),
        required=False,
        help_text=_("Tick this and the school's staff are alerted at once."),
    )
    author_kind = forms.ChoiceField(
        label=_("Who is writing?"),
        choices=Appeal.AuthorKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who is writing: a student, a parent or another citizen.")},
    )
    signed = forms.ChoiceField(
        label=_("Anonymous or with your name?"),
        choices=[
            (ANONYMOUS, _("Anonymous: the school will not know who wrote")),
            (SIGNED, _("With my name: the school can answer me in person")),
        ],
        widget=forms.RadioSelect,
        initial=ANONYMOUS,
        error_messages={"required": _("Choose whether you write anonymously or with your name.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    school_class = forms.CharField(
        label=_("Class"), max_length=10, required=False, help_text=_("For example 7Б. Parents: your child's class.")
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("For example 0555 123 456"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[("", _("— choose —")), *Appeal.Category.choices],
        error_messages={"required": _("Choose what the appeal is about; if nothing fits, choose «other».")},
    )
    text = forms.CharField(
        label=_("Your appeal"),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": TEXT_MAX_CHARS + 500}),
        strip=False,
        help_text=_(
            "Write what happened, where and when, and who can help. Do not write your name if you want to "
            "stay anonymous."
        ),
        error_messages={"required": _("Write your appeal: the box cannot send an empty one.")},
    )
    files = attachments.MultipleFileField(  # type: ignore[assignment]  # Django's metaclass moves declared fields off the class, so self.files stays the uploads
        label=_("Photos or documents (optional)"), required=False
    )
    to_district = forms.BooleanField(
        label=_("Send it to the district education department instead of the school"),
        required=False,
        help_text=_(
            "Choose this if the appeal is about the school's director or leadership: the school will not see it."
        ),
    )
    # A field people never see (hidden by the stylesheet); robots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = attachments.limits_text()
        # The browser checks sizes before uploading (appeals/box.js); the server checks again.
        self.fields["files"].widget.attrs.update(
            {
                "data-max-bytes": attachments.MAX_BYTES,
                "data-unit": _("MB"),
                "data-too-large": _(
                    "«{name}» is too large ({size}); the limit is {limit} a file. It was not added: choose a "
                    "smaller photo. Your text is kept."
                ),
            }
        )
        self.clean_files_list: list[attachments.CleanFile] = []

    def clean_text(self) -> str:
        value = text_check(self.cleaned_data["text"], max_chars=TEXT_MAX_CHARS)
        if not value:
            raise ValidationError(self.fields["text"].error_messages["required"], code="required")
        if len(value.split()) < 2 or len(value) < TEXT_MIN_CHARS:
            raise ValidationError(
                _("One word is not enough for the school to act. Describe in a few sentences what happened."),
                code="too_short",
            )
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        phone = phone_normalise(value)
        if phone is None:
            raise ValidationError(
                _("This is not a phone number we can call. Write it like 0555 123 456 or +996 555 123 456."),
                code="phone",
            )
        return phone

    def clean_files(self) -> list:
        uploads = self.cleaned_data.get("files") or []
        if len(uploads) > attachments.MAX_FILES:
            raise ValidationError(
                ngettext(
                    "You can send at most %(count)d file.",
                    "You can send at most %(count)d files.",
                    attachments.MAX_FILES,
                )
                % {"count": attachments.MAX_FILES},
                code="too_many",
            )
        if self.errors:
            return uploads  # pictures are decoded only for an otherwise valid appeal (they must be chosen again)
        errors = []
        for upload in uploads:
            try:
                self.clean_files_list.append(attachments.attachment_clean(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            errors.append(ValidationError(_("Choose the files again: a browser cannot keep them after an error.")))
            raise ValidationError(errors)
        return uploads

    def clean(self):
        data = super().clean() or {}
        if data.get("website"):
            raise ValidationError(_("The appeal could not be sent."), code="honeypot")
        if data.get("signed") == SIGNED:
            self._clean_signed(data)
        return data

    def _clean_signed(self, data: dict) -> None:
        if len(data.get("full_name", "").strip()) < 3:
            self.add_error("full_name", _("Write your full name, or choose to write anonymously."))
        if not data.get("address", "").strip() and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Give a phone number or an address, so the school can answer you."))
        school_class = data.get("school_class", "").strip()
        if school_class:
            parsed = class_parse(school_class)
            if parsed is None:
                self.add_error("school_class", _("Write the class as a number and a letter, for example 7Б."))
            else:
                data["grade"], data["school_class"] = parsed
        elif data.get("author_kind") == Appeal.AuthorKind.STUDENT:
            self.add_error("school_class", _("A student who signs the appeal writes their class, for example 7Б."))

    def author(self) -> dict | None:
        """The identity to seal, or None for an anonymous appeal: nothing typed before switching is kept."""
        data = self.cleaned_data
        if data["signed"] != SIGNED:
            return None
        return {
            "full_name": data["full_name"].strip(),
            "address": data["address"].strip(),
            "school_class": data.get("school_class", ""),
            "phone": data.get("phone", ""),
        }

    def grade(self) -> int | None:
        return self.cleaned_data.get("grade") if self.cleaned_data["signed"] == SIGNED else None


class ReceiptCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Type the receipt code you got when you sent the appeal.")},
    )

    def clean_code(self) -> str:
        code = receipt_normalise(self.cleaned_data["code"])
        raw = code.replace("-", "")
        if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
            raise ValidationError(
                _("A receipt code has 20 letters and digits in four groups, like ABCDE-FGHJK-MNPQR-STUVW."),
                code="format",
            )
        return code


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_CHARS + 500}),
        strip=False,
        error_messages={"required": _("Write the message first.")},
    )

    def clean_body(self) -> str:
        value = text_check(self.cleaned_data["body"], max_chars=MESSAGE_MAX_CHARS)
        if not value:
            raise ValidationError(_("Write the message first."), code="required")
        return value


class SolvedForm(forms.Form):
    solved = forms.ChoiceField(
        label=_("Was the problem solved?"),
        choices=FollowUp.Solved.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one answer.")},
    )


class SendOnForm(forms.Form):
    """The writer sends a case the school closed, unsolved, on to the district education department."""

    note = forms.CharField(
        label=_("What is still wrong? (you may leave this empty)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_CHARS + 500}),
        help_text=_("The district sees your first letter, the school's answer and this. It does not see your name."),
    )

    def clean_note(self) -> str:
        return text_check(self.cleaned_data["note"], max_chars=MESSAGE_MAX_CHARS)


class UrgentWordsForm(forms.Form):
    words = forms.CharField(
        label=_("Extra urgent words of this school"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "One word or phrase a line. A * at the end matches every ending: «коркут*». Lines starting "
            "with # are comments."
        ),
    )

    def clean_words(self) -> str:
        value = self.cleaned_data["words"]
        short = words_validate(value)
        if short:
            raise ValidationError(
                _("These entries are too short and would mark almost every appeal urgent: %(entries)s"),
                params={"entries": ", ".join(short)},
                code="too_short",
            )
        return value
