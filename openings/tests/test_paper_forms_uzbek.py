"""Paper forms in Uzbek: the box in Osh takes letters in Uzbek, and its forms can be printed in it."""

import subprocess

from openings.models import Stub


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_it_prints_the_paper_forms_in_uzbek(commission, login):
    client = login("director")
    r = client.post("/staff/rakhmanov/commission/paper-forms/", {"count": "1", "size": "A4", "language": "uz"})
    assert r["Content-Type"] == "application/pdf", r.content[:300]
    text = pdf_text(r.content)
    assert "Ishonch qutisiga murojaat" in text and "Maxfiy kodingiz" in text
    assert "oʻ" in text or "Oʻ" in text  # the font has the Uzbek letter: no missing glyph
    assert Stub.objects.get().batch.language == "uz"


def test_the_letter_form_offers_uzbek(commission, login):
    from openings.forms import LetterForm

    assert ("uz", "Oʻzbekcha") in LetterForm.base_fields["language"].choices
