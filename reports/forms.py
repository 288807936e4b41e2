from typing import cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import PersonChoiceField
from appeals.models import Appeal, Measure
from reports.models import QuarterlyReport


class ReportTextForm(forms.ModelForm):
    class Meta:
        model = QuarterlyReport
        fields = ["analysis", "measures"]
        widgets = {
            "analysis": forms.Textarea(attrs={"rows": 10}),
            "measures": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "analysis": _(
                "What the appeals of the quarter show, grouped by category and subject, and why the problems arise. "
                "Write about causes, not about people: no names, classes or details that identify anyone."
            ),
            "measures": _("What the school will do to remove the causes, who does it and by when."),
        }


class FinaliseForm(forms.Form):
    discussed_on = forms.DateField(
        label=_("discussed at the commission's meeting on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


class AgendaForm(forms.Form):
    meeting = forms.TypedChoiceField(label=_("meeting"), coerce=int)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["meeting"]).choices = [(m.pk, f"{m} {m.place}".strip()) for m in meetings]


class SubjectForm(forms.Form):
    name = forms.CharField(
        label=_("subject"),
        max_length=120,
        help_text=_("A short name for what the appeals are about, without names: «queue in the canteen»."),
    )
    appeals = forms.TypedMultipleChoiceField(label=_("appeals"), coerce=int, required=False)
    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")], initial="add", required=False)

    def __init__(self, *args, appeal_ids, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["appeals"]).choices = [(pk, pk) for pk in appeal_ids]

    def clean_appeals(self):
        chosen = self.cleaned_data["appeals"]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one appeal."))
        return chosen


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("language of my report emails and documents"), choices=settings.LANGUAGES)


class DocumentLanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(forms.Form):
    """A measure for the whole school: no names, no case."""

    title = forms.CharField(
        label=_("measure"),
        max_length=200,
        help_text=_("A measure for the whole school, e.g. “a teacher on duty in the yard at breaks”. No names."),
    )
    kind = forms.ChoiceField(label=_("kind of measure"), choices=Measure.Kind.choices)
    category = forms.ChoiceField(
        label=_("against appeals about"), choices=[("", "—"), *Appeal.Category.choices], required=False
    )
    place = forms.ChoiceField(label=_("where"), choices=[("", "—"), *Appeal.Place.choices], required=False)
    owner = PersonChoiceField(label=_("responsible"), queryset=None)
    decided_on = forms.DateField(label=_("decided on"), widget=DATE, initial=timezone.localdate)
    due_on = forms.DateField(label=_("due by"), widget=DATE)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["owner"]).queryset = owners


class ActionDoneForm(forms.Form):
    done_on = forms.DateField(label=_("done on"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(
        label=_("what was done"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A few words, without names."),
    )
