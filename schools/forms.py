from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from schools.models import BoxHours, District, HelpNumber, Membership, Role, School

# Paths under /staff/ that a school's slug must not shadow.
RESERVED_SLUGS = frozenset({"setup", "welcome", "districts", "keys"})


def _free_slug(slug: str) -> str:
    if slug in RESERVED_SLUGS:
        raise forms.ValidationError(_("This address is used by Ishenim itself; choose another."))
    return slug


class SchoolForm(forms.ModelForm):
    website = forms.URLField(
        label=School._meta.get_field("website").verbose_name, required=False, assume_scheme="https"
    )

    class Meta:
        model = School
        fields = [
            "name_ky",
            "name_ru",
            "name_uz",
            "name_en",
            "address",
            "box_location",
            "box_location_ru",
            "box_location_uz",
            "box_location_en",
            "email",
            "website",
            "cadence",
            "opening_weekday",
            "opening_every_weeks",
            "opening_time",
            "schedule_start",
            "year_start_month",
            "summary_weekday",
            "quarter_mode",
            "time_zone",
        ]
        widgets = {
            "opening_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "schedule_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class SchoolCreateForm(SchoolForm):
    class Meta(SchoolForm.Meta):
        fields = ["slug", *SchoolForm.Meta.fields]

    def clean_slug(self):
        return _free_slug(self.cleaned_data["slug"])


class DistrictForm(forms.ModelForm):
    class Meta:
        model = District
        fields = ["name_ky", "name_ru", "name_uz", "name_en", "slug", "email"]


class ImportForm(forms.Form):
    sheet = forms.FileField(label=_("Spreadsheet (XLSX or CSV)"))


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    username = forms.RegexField(
        label=_("Login or phone number"),
        regex=r"^[\w.@+-]{2,150}$",
        help_text=_("An existing login adds the roles to that person."),
    )
    email = forms.EmailField(label=_("Email for the invitation"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r.value, r.label) for r in Role if r != Role.DISTRICT_OFFICER],
        widget=forms.CheckboxSelectMultiple,
    )
    position = forms.ChoiceField(label=_("Position"), choices=Membership.Position.choices)
    parents_representative = forms.BooleanField(label=_("Parents' representative"), required=False)


HelpNumberFormSet = inlineformset_factory(
    School, HelpNumber, fields=["kind", "label", "number", "order"], extra=2, can_delete=True
)
BoxHoursFormSet = inlineformset_factory(
    School,
    BoxHours,
    fields=["weekday", "opens", "closes"],
    extra=1,
    can_delete=True,
    widgets={
        "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    },
)
