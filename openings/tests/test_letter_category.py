"""A letter from the box gets the category a person chose: nothing is preselected."""

from django.utils import translation

from openings.forms import LetterForm

DATA = {"author_kind": "student", "signed": "0", "summary": "Тыныгууда кордоо.", "language": "ky"}


def test_the_letter_form_preselects_no_category():
    html = str(LetterForm()["category"])
    assert '<option value="" selected>' in html
    assert 'value="child_rights" selected' not in html and "selected" not in html.replace('value="" selected', "")


def test_a_letter_without_a_category_is_refused_with_a_clear_error():
    with translation.override("en"):
        form = LetterForm(DATA)
        assert not form.is_valid()
        assert form.errors["category"] == ["Choose the category of the letter: nothing is chosen for you."]
    assert LetterForm({**DATA, "category": "bullying"}).is_valid()
