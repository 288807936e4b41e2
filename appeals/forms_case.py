"""Forms of case handling: one small form per action, each error translated."""

from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import PeopleChoiceField
from appeals.models import Answer, Appeal, Forwarding, Involvement, Measure

if TYPE_CHECKING:
    from reports.models import Subject

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_MAX = 4000
BLANK = [("", "—")]


def _today():
    return timezone.localdate()


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the school's staff on this case only, never by the writer."),
    )


class AssignForm(forms.Form):
    handlers = PeopleChoiceField(
        label=_("Case handlers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person to handle the case.")},
    )
    share_identity = forms.BooleanField(
        label=_("Show them the writer's name and contacts"),
        required=False,
        help_text=_(
            "Only for a signed appeal, when they must meet or call the writer. Otherwise they read the appeal "
            "without the name."
        ),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        cast(PeopleChoiceField, self.fields["handlers"]).queryset = candidates


class MeasuresForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of measure"),
        choices=Measure.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of measure.")},
        help_text=_("Counted in the reports, to see which measures work."),
    )
    text = forms.CharField(
        label=_("Measures taken"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, as it will stand in column f of the journal."),
    )
    taken_on = forms.DateField(label=_("Date"), widget=DATE, initial=_today)

    def clean_taken_on(self):
        day = self.cleaned_data["taken_on"]
        if day > _today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class FactsForm(forms.Form):
    """Facts the reports count to find causes: in the clear, so never a name or the appeal's words."""

    place = forms.ChoiceField(
        label=_("Where it happened"),
        choices=[*BLANK, *Appeal.Place.choices],
        required=False,
        help_text=_("These facts are kept in the clear for the reports: never a name or the appeal's words."),
    )
    involved = forms.MultipleChoiceField(
        label=_("Who is involved"), choices=Involvement.Who.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    grade_band = forms.ChoiceField(label=_("Grade band"), choices=[*BLANK, *Appeal.GradeBand.choices], required=False)
    subjects: forms.ModelMultipleChoiceField["Subject"] = forms.ModelMultipleChoiceField(
        label=_("Recurring subjects"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    new_subject = forms.CharField(
        label=_("New subject"),
        max_length=120,
        required=False,
        help_text=_("A short name that identifies nobody, e.g. “phones in class”."),
    )

    def __init__(self, *args, appeal: Appeal, **kwargs):
        from reports.models import Subject

        super().__init__(*args, **kwargs)
        self.initial = {
            "place": appeal.place,
            "involved": list(appeal.involved.values_list("who", flat=True)),
            "grade_band": appeal.grade_band or Appeal.band_for_grade(appeal.grade),
            "subjects": list(Subject.objects.filter(appeals=appeal).values_list("pk", flat=True)),
            **self.initial,
        }
        if appeal.district_id:  # subjects are the school's own; the district's appeals are not counted there
            del self.fields["subjects"], self.fields["new_subject"]
        else:
            cast(forms.ModelMultipleChoiceField, self.fields["subjects"]).queryset = Subject.objects.filter(
                school=appeal.school
            )


class ForwardForm(forms.Form):
    body = forms.ChoiceField(label=_("Competent body"), choices=Forwarding.Body.choices)
    addressee = forms.CharField(
        label=_("Addressee"),
        max_length=200,
        required=False,
        help_text=_("The office or official's title, as on the envelope (required for “other”)."),
    )
    forwarded_on = forms.DateField(label=_("Forwarded on"), widget=DATE, initial=_today)
    cover = forms.CharField(
        label=_("Cover letter"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty for the standard wording."),
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("body") == Forwarding.Body.OTHER and not data.get("addressee", "").strip():
            self.add_error("addressee", _("Name the body the appeal is forwarded to."))
        if data.get("forwarded_on") and data["forwarded_on"] > _today():
            self.add_error("forwarded_on", _("The date cannot be in the future."))
        return data


class AnswerForm(forms.Form):
    mode = forms.ChoiceField(label=_("How the answer is given"), choices=Answer.Mode.choices, widget=forms.RadioSelect)
    given_on = forms.DateField(label=_("Date"), widget=DATE, initial=_today)
    text = forms.CharField(
        label=_("The answer"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Reasoned, in the language of the appeal. The letter is made from it."),
    )

    def __init__(self, *args, appeal: Appeal, **kwargs):
        super().__init__(*args, **kwargs)
        online = hasattr(appeal, "followup")
        choices = Answer.Mode.choices
        if appeal.anonymous:
            choices = [c for c in choices if c[0] == Answer.Mode.RECEIPT]
        elif not online:
            choices = [c for c in choices if c[0] != Answer.Mode.RECEIPT]
        mode = cast(forms.ChoiceField, self.fields["mode"])
        mode.choices = choices
        mode.initial = choices[0][0] if choices else None

    def clean_given_on(self):
        day = self.cleaned_data["given_on"]
        if day > _today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class DismissForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Appeal.DismissalReason.choices)
    details = forms.CharField(
        label=_("Details"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtendForm(forms.Form):
    due_on = forms.DateField(label=_("New date the answer is due"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason for the extension"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, appeal: Appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].help_text = _("At most %(days)s days after the first deadline.") % {
            "days": settings.ISHENIM["EXTEND_MAX_DAYS"]
        }


class CorrectForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Appeal.Category.choices)
    summary = forms.CharField(
        label=_("Corrected brief summary"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to keep the summary. The first entry stays in the journal; this is added to it."),
    )


class OutgoingLetterForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the letter"), choices=settings.LANGUAGES)
    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("docx", "DOCX")])
