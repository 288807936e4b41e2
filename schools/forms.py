from django import forms
from django.forms import inlineformset_factory

from schools.models import BoxHours, HelpNumber, School


class SchoolForm(forms.ModelForm):
    website = forms.URLField(
        label=School._meta.get_field("website").verbose_name, required=False, assume_scheme="https"
    )

    class Meta:
        model = School
        fields = [
            "name_ky",
            "name_ru",
            "name_en",
            "address",
            "box_location",
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
        ]
        widgets = {
            "opening_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "schedule_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


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
