from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.forms import PersonChoiceField
from commission.models import AgendaItem, Election, Meeting, Member, Order

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class Labelled:
    """Labels as sentences: model fields get a capital letter from Django, explicit labels get one here."""

    fields: dict[str, forms.Field]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)


class OrderForm(Labelled, forms.ModelForm):
    scan = forms.FileField(
        label=_("scanned copy of the order (PDF or photo, optional)"),
        required=False,
        help_text=_("Stored encrypted; only the director and the responsible person can open it."),
    )

    class Meta:
        model = Order
        fields = ["number", "issued_on"]
        widgets = {"issued_on": DATE}

    def clean_scan(self) -> tuple[bytes, str] | None:
        """The scan as (content, type): a PDF as it is, a photo re-encoded without its metadata."""
        from openings.services import page_clean

        scan = self.cleaned_data.get("scan")
        return page_clean(scan) if scan else None


class UserChoiceField(PersonChoiceField):
    """A staff member by name and login: two people may share a name."""

    def label_from_instance(self, obj) -> str:
        return f"{super().label_from_instance(obj)} ({obj.username})"


class MembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} — {obj.position_label}"


class MemberForm(Labelled, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "full_name",
            "position",
            "position_note",
            "user",
            "parents_representative",
            "responsible",
            "order",
            "member_from",
        ]
        widgets = {"member_from": DATE}
        field_classes = {"user": UserChoiceField}

    def __init__(self, *args, school, commission, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(memberships__school=school, memberships__active=True).distinct()
        cast(UserChoiceField, self.fields["user"]).queryset = users.order_by("last_name", "first_name")
        cast(forms.ModelChoiceField, self.fields["order"]).queryset = commission.orders.all()
        if not self.instance.pk:
            self.initial.setdefault("member_from", timezone.localdate())
            latest = commission.orders.first()
            if latest:
                self.initial.setdefault("order", latest.pk)
                self.initial["member_from"] = latest.issued_on


class MemberEndForm(Labelled, forms.Form):
    until = forms.DateField(label=_("member until (last day)"), widget=DATE, initial=timezone.localdate)


class MeetingForm(Labelled, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["held_on", "starts_at", "place", "first", "attendees", "invited"]
        widgets = {"held_on": DATE, "starts_at": TIME, "attendees": forms.CheckboxSelectMultiple}
        field_classes = {"attendees": MembersChoiceField}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        cast(MembersChoiceField, self.fields["attendees"]).queryset = members
        self.fields["attendees"].label = capfirst(_("members present"))


class AgendaItemForm(Labelled, forms.ModelForm):
    """The item as the secretary writes it. The linked record (`object_ref`) is not
    typed by people: the page that puts its record on the agenda sets it (e.g. the
    quarterly report's "Put on the agenda"), and editing the item keeps it."""

    class Meta:
        model = AgendaItem
        fields = ["title", "heard", "spoke", "resolved"]
        widgets = {
            "heard": forms.Textarea(attrs={"rows": 4}),
            "spoke": forms.Textarea(attrs={"rows": 4}),
            "resolved": forms.Textarea(attrs={"rows": 3}),
        }


class ElectionForm(Labelled, forms.Form):
    office = forms.ChoiceField(label=_("office"), choices=Election.Office)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for member in self.candidates:
            self.fields[f"c{member.pk}"] = forms.BooleanField(label=member.full_name, required=False)
            for key, label in (
                ("for", _("for")),
                ("against", _("against")),
                ("abstained", _("abstained")),
            ):
                self.fields[f"c{member.pk}_{key}"] = forms.IntegerField(
                    label=label, min_value=0, max_value=99, required=False, initial=0
                )

    def rows(self):
        for member in self.candidates:
            yield (
                member,
                self[f"c{member.pk}"],
                self[f"c{member.pk}_for"],
                self[f"c{member.pk}_against"],
                self[f"c{member.pk}_abstained"],
            )

    def tallies(self):
        from commission.services import Tally

        return [
            Tally(
                member=member,
                votes_for=self.cleaned_data.get(f"c{member.pk}_for") or 0,
                votes_against=self.cleaned_data.get(f"c{member.pk}_against") or 0,
                abstained=self.cleaned_data.get(f"c{member.pk}_abstained") or 0,
            )
            for member in self.candidates
            if self.cleaned_data.get(f"c{member.pk}")
        ]

    def clean(self):
        data = super().clean() or {}
        if not any(data.get(f"c{m.pk}") for m in self.candidates):
            raise ValidationError(_("Tick at least one candidate."))
        return data


class PaperSignForm(Labelled, forms.Form):
    member = forms.ModelChoiceField(label=_("member who signed the paper protocol"), queryset=Member.objects.none())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["member"]).queryset = members
