"""Every document in every language, read as a person would read it: the PDF's text and the DOCX's XML.

A Kyrgyz, Russian or Uzbek document must not carry the English labels the templates use,
every label must be translated, every date must be the school's day (an appeal sent at
00:30 in Bishkek is that day, not the UTC day before), and the forms of official
documents must hold («АКТ № 1», no «№ №», one A4 page for the poster).
"""

import datetime as dt
import difflib
import io
import re
import shutil
import subprocess
import zipfile
import zoneinfo
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import get_template
from django.test import Client
from django.utils import translation

from appeals.models import Answer, Appeal, Forwarding
from appeals.services import appeal_submit
from commission.services import (
    commission_from_accounts,
    commission_of,
    meeting_add_agenda_item,
    meeting_circulate,
    meeting_confirm,
    meeting_create,
    order_record,
)
from ishenim.document_registry import DOCUMENTS
from ishenim.documents import document_date
from schools.models import School, TimeZone

LANGUAGES = ["ky", "ru", "uz", "en"]
BISHKEK = zoneinfo.ZoneInfo("Asia/Bishkek")
# 00:30 on 28 November in Bishkek is 18:30 on 27 November in UTC.
SENT = dt.datetime(2026, 11, 28, 0, 30, tzinfo=BISHKEK)

# The English labels the document templates print; none may show in a ky/ru/uz document.
ENGLISH = [
    "APPROVED",
    "ACT No",
    "PROTOCOL No",
    "Date and time",
    "Place",
    "Present",
    "Agenda",
    "HEARD",
    "SPOKE",
    "RESOLVED",
    "Member of the commission",
    "Chair of the commission",
    "Secretary of the commission",
    "Director",
    "Journal number",
    "Anonymous or signed",
    "anonymous",
    "Pages",
    "Period",
    "Key figures",
    "Analysis",
    "Proposed measures",
    "Responsible person",
    "Dear",
    "On your appeal",
    "Author",
    "Attachment",
    "page",
    "confirmed in Ishenim",
    "signed on paper",
    "absent",
    "quorum",
    "Trust box",
    "Help numbers",
    "this quarter",
    "share",
    "of the removal",
    "seal No",
    "forwarding",
    "Copy of appeal",
    "Registered on",
]
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
CYRILLIC_MONTH_UTC = "27-ноябры"


def pdf_text(content: bytes, tmp_path: Path, name: str, mode: str = "-layout") -> str:
    """The PDF's text: as laid out on the page, or (-raw) in the order it was drawn."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def docx_text(content: bytes) -> str:
    """The text of the DOCX's XML, one paragraph per line."""
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    pieces = r"<w:t[^>]*>([^<]*)</w:t>|<w:(br|tab)/>"
    return "\n".join(
        "".join(text or {"br": "\n", "tab": "\t"}[tag] for text, tag in re.findall(pieces, p)) for p in paragraphs
    )


def template_msgids(template_name: str) -> list[tuple[str, str | None]]:
    """The strings a document template asks to translate (and those of the templates it extends)."""
    found = []
    template = get_template(template_name).template
    sources = [template.source]
    for match in re.finditer(r'{% extends "([^"]+)" %}', template.source):
        sources.append(get_template(match.group(1)).template.source)
    for source in sources:
        for text, context in re.findall(r'{% translate "([^"]+)"(?: context "([^"]+)")?', source):
            found.append((text, context or None))
        for body in re.findall(r"{% blocktranslate[^%]*%}(.*?){% (?:endblocktranslate|plural) %}", source, re.S):
            found.append((re.sub(r"{{ (\w+) }}", r"%(\1)s", body), None))
    return found


@pytest.fixture
def printed(demo, client, login):
    """Every staff document of the demo school, printed through its page, in every language and format."""
    users = get_user_model().objects
    director = users.get(username="director")
    commission = commission_of(demo)
    order = order_record(
        commission=commission, number="45-к", issued_on=dt.date(2026, 9, 1), scan=None, scan_type="", actor=director
    )
    commission_from_accounts(commission=commission, on=dt.date(2026, 9, 1), order=order, actor=director)

    meeting = meeting_create(
        commission=commission,
        actor=director,
        attendees=commission.members.exclude(user__username="teacher"),
        held_on=dt.date(2026, 10, 6),
        place="12",
    )
    meeting_add_agenda_item(
        meeting=meeting,
        title="Ишеним кутучасынын иши",
        heard="Н. Асанова",
        spoke="Э. Сыдыков",
        resolved="Эске алынсын.",
    )
    meeting_circulate(meeting=meeting, actor=director)
    parent = commission.members.get(user__username="parent")
    meeting_confirm(meeting=meeting, member=parent, actor=parent.user)

    appeal = appeal_submit(
        school=demo,
        channel=Appeal.Channel.PAPER,
        text="Балам 7Б классында куугунтукка кабылып жатат.",
        category=Appeal.Category.BULLYING,
        author_kind=Appeal.AuthorKind.PARENT,
        author={"full_name": "Айгүл Токтогулова", "address": "Ош ш., Ленин к. 5", "phone": "0555 000000"},
        grade=7,
        received_at=SENT,
    )
    for day, category in ((3, Appeal.Category.BULLYING), (10, Appeal.Category.SUGGESTION)):
        appeal_submit(
            school=demo,
            text="Тест",
            category=category,
            author_kind=Appeal.AuthorKind.STUDENT,
            received_at=dt.datetime(2026, 8, day, 10, tzinfo=BISHKEK),
        )
    client = login("director")
    base = f"/staff/rakhmanov/cases/{appeal.pk}/"
    forward = {"body": "ombudsman", "addressee": "", "forwarded_on": "2026-11-28", "cover": "Шашылыш."}
    assert client.post(f"{base}forward/", forward).status_code == 302
    answer = {"mode": "letter", "given_on": "2026-11-28", "text": "Чаралар көрүлдү."}
    measures = {"kinds": ["talk_student"], "text": "Окуучу менен сүйлөшүү өттү.", "taken_on": "2026-11-28"}
    assert client.post(f"{base}measures/", measures).status_code == 302
    assert client.post(f"{base}answer/", answer).status_code == 302
    answer, forwarding = Answer.objects.get(appeal=appeal), Forwarding.objects.get(appeal=appeal)

    opening = _opening(client, commission)
    from reports.periods import quarter_in
    from reports.services import quarterly_report_draft

    report = quarterly_report_draft(school=demo, period=quarter_in("calendar", dt.date(2026, 8, 1)))
    urls = {
        "act": lambda lang, fmt: f"/staff/rakhmanov/commission/openings/{opening.pk}/act.{fmt}?lang={lang}",
        "protocol": lambda lang, fmt: f"/staff/rakhmanov/commission/meetings/{meeting.pk}/protocol.{fmt}?lang={lang}",
        "answer_letter": lambda lang, fmt: f"{base}answers/{answer.pk}/letter/?language={lang}&format={fmt}",
        "cover_letter": lambda lang, fmt: f"{base}forwardings/{forwarding.pk}/letter/?language={lang}&format={fmt}",
        "quarterly_report": lambda lang,
        fmt: f"/staff/rakhmanov/reports/quarterly/{report.pk}/report.{fmt}?language={lang}",
        "opening_book": lambda lang,
        fmt: f"/staff/rakhmanov/commission/journal/{opening.opened_at.year}/print.pdf?lang={lang}&format={fmt}",
    }
    result = {}
    for code, url in urls.items():
        for language in LANGUAGES:
            for fmt in DOCUMENTS[code].formats:
                response = client.get(url(language, fmt))
                assert response.status_code == 200, (code, language, fmt, response.status_code)
                result[code, language, fmt] = response.content
    from journal.documents import BoundVolume
    from journal.models import Volume
    from journal.selectors import journal_rows
    from schools.offices import Office

    volume = Volume.objects.filter(school=demo).order_by("-year").first()
    bound = BoundVolume(Office(school=demo), volume, journal_rows(volume), director)
    for language in LANGUAGES:
        for fmt in DOCUMENTS["journal_volume"].formats:
            result["journal_volume", language, fmt] = DOCUMENTS["journal_volume"].render(
                bound, language=language, fmt=fmt
            )
    for language in LANGUAGES:
        result["poster", language, "pdf"] = client.get(f"/s/rakhmanov/poster.pdf?language={language}").content
    for language in ("ky", "ru", "uz"):  # a batch of paper forms in each language the commission may choose
        batch = {"count": "1", "size": "A5", "language": language}
        response = client.post("/staff/rakhmanov/commission/paper-forms/", batch)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", language
        result["paper_forms", language, "pdf"] = response.content
    from openings.paper_forms import PaperForms
    from openings.services.stubs import PrintedForm

    forms = PaperForms(demo, [PrintedForm("7-01-3", "K7QM-2XWD-9PLA")], "A4")  # and in English, from the registry
    result["paper_forms", "en", "pdf"] = DOCUMENTS["paper_forms"].render(forms, language="en", fmt="pdf")
    code = client.post("/staff/rakhmanov/keys/recovery/").context["code"]  # a new recovery sheet, printed
    for language in LANGUAGES:
        response = client.post(f"/staff/rakhmanov/keys/recovery/sheet.pdf?lang={language}", {"code": code})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", language
        result["recovery_sheet", language, "pdf"] = response.content
    officer = login("district", client=Client())  # the district's analysis of its schools' quarter
    for language in LANGUAGES:
        for fmt in DOCUMENTS["district_analysis"].formats:
            response = officer.get(f"/district/osh/analysis/report.{fmt}?on=2026-08-01&language={language}")
            assert response.status_code == 200, ("district_analysis", language, fmt)
            result["district_analysis", language, fmt] = response.content
    writer = Client()  # the writer's receipt: only the session that sent the appeal has it
    sent = {"author_kind": "student", "signed": "anonymous", "category": "wish", "text": "Рахмат мугалимдерге."}
    assert writer.post("/s/rakhmanov/write/", sent).status_code == 302
    for language in LANGUAGES:
        response = writer.get(f"/s/rakhmanov/receipt.pdf?language={language}")
        assert response.status_code == 200, language
        result["receipt", language, "pdf"] = response.content
    assert Client().get("/s/rakhmanov/receipt.pdf").status_code == 404
    return result


def _opening(client, commission):
    from django.utils import timezone

    from openings.models import Opening

    base = "/staff/rakhmanov/commission"
    client.post(f"{base}/openings/start/")
    opening = Opening.objects.latest("pk")
    present = [m.pk for m in commission.members.filter(user__username__in=["responsible", "parent", "deputy"])]
    step = f"{base}/openings/{opening.pk}/step"
    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    client.post(f"{step}/present/", {"opened_at": when.strftime("%Y-%m-%dT%H:%M"), "place": "фойе", "present": present})
    client.post(f"{step}/seal/", {"number": "№ 004571", "state": "intact", "note": ""})
    client.post(f"{step}/count/", {"letters_found": 1})
    letter = {"category": "bullying", "author_kind": "student", "signed": "0", "summary": "Кордолот", "language": "ky"}
    client.post(f"{step}/letters/", letter)
    client.post(
        f"{step}/close/", {"new_seal_number": "№004572", "sealed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    )
    opening.refresh_from_db()
    assert opening.act_number == 1, opening.status
    return opening


def test_it_reads_every_document_in_every_language(printed, tmp_path):
    faults = []
    unread = {(code, language) for code in DOCUMENTS for language in LANGUAGES} - {key[:2] for key in printed}
    assert not unread, f"registered documents the test does not read: {sorted(unread)}"
    for (code, language, fmt), content in printed.items():
        text = pdf_text(content, tmp_path, f"{code}-{language}") if fmt == "pdf" else docx_text(content)
        where = f"{code} {language} {fmt}"
        if language != "en":
            faults += [f"{where}: English «{w}»" for w in ENGLISH if re.search(rf"(?<![\w-]){w}(?![\w-])", text)]
        if ISO_DATE.search(text):
            faults.append(f"{where}: ISO date {ISO_DATE.search(text).group()}")
        if re.search(r"№\s*№", text):
            faults.append(f"{where}: «№ №»")
        if re.search(r"№\s*\d+\s+(АКТ|акт)", text):
            faults.append(f"{where}: the number before «АКТ»")

    def check(condition, fault):
        if not condition:
            faults.append(fault)

    def flat(text):
        return " ".join(text.split())

    for language in LANGUAGES:
        act = docx_text(printed["act", language, "docx"])
        check("004571" in act and "004572" in act, f"act {language}: the seal numbers")
    ky_act = flat(pdf_text(printed["act", "ky", "pdf"], tmp_path, "act"))
    check(re.search(r"АКТ № 1\b", ky_act), "act ky: «АКТ № 1»")
    check("мектебинин директору" in ky_act, "act ky: «…мектебинин директору»")
    ky_report = flat(pdf_text(printed["quarterly_report", "ky", "pdf"], tmp_path, "report"))
    check("2026-жылдын 1-июлунан 30-сентябрына чейин" in ky_report, "report ky: the period in words")
    for fmt in ("pdf", "docx"):
        content = printed["protocol", "ky", fmt]
        ky_protocol = flat(pdf_text(content, tmp_path, "p") if fmt == "pdf" else docx_text(content))
        for word in ("УГУЛДУ", "ЧЫГЫП СҮЙЛӨШТҮ", "ТОКТОМ КЫЛЫНДЫ"):
            check(word in ky_protocol, f"protocol ky {fmt}: {word}")
        check("ырасталды" in ky_protocol, f"protocol ky {fmt}: the member's confirmation")
        content = printed["protocol", "ru", fmt]
        ru_protocol = flat(pdf_text(content, tmp_path, "p") if fmt == "pdf" else docx_text(content))
        for word in ("СЛУШАЛИ", "ВЫСТУПИЛИ", "ПОСТАНОВИЛИ"):
            check(word in ru_protocol, f"protocol ru {fmt}: {word}")
    for language in LANGUAGES:  # the quarterly report's charts are pictures in the DOCX too
        names = zipfile.ZipFile(io.BytesIO(printed["quarterly_report", language, "docx"])).namelist()
        check(any(n.startswith("word/media/") and n.endswith(".png") for n in names), f"report {language}: charts")
    assert not faults, "\n".join(faults)


def test_letters_print_the_school_day_of_an_appeal_sent_at_half_past_midnight(printed, tmp_path):
    day = SENT.date()
    for language in LANGUAGES:
        for code in ("answer_letter", "cover_letter"):
            for fmt in ("pdf", "docx"):
                content = printed[code, language, fmt]
                text = pdf_text(content, tmp_path, code) if fmt == "pdf" else docx_text(content)
                flat = " ".join(text.split())
                assert document_date(day, language) in flat, (code, language, fmt)
                assert document_date(day - dt.timedelta(days=1), language) not in flat, (code, language, fmt)
    # The cover letter names the day the appeal was registered in the journal (the school's day of registered_at,
    # which is when the test ran, not SENT), in the words of the letter's language.
    appeal = Appeal.objects.get(received_at=SENT)
    ru = " ".join(docx_text(printed["cover_letter", "ru", "docx"]).split())
    registered = document_date(appeal.registered_at, "ru", school=appeal.school)
    assert f"под № {appeal.journal_number} от {registered} (категория" in ru, ru


def test_titles_put_the_head_noun_where_each_language_puts_it(printed, tmp_path):
    """One string per title, ordered by its translation: «…отурумунун / ПРОТОКОЛУ № 1», «ПРОТОКОЛ № 1 / заседания…»."""
    expected = {
        ("protocol", "ky"): "«Ишеним кутучасын» ачуу боюнча комиссиянын отурумунун ПРОТОКОЛУ № 1",
        ("protocol", "ru"): "ПРОТОКОЛ № 1 заседания комиссии по вскрытию ящика доверия",
        ("protocol", "uz"): "Ishonch qutisini ochish komissiyasi yigʻilishining BAYONNOMASI № 1",
        ("protocol", "en"): "PROTOCOL No. 1 of the meeting of the trust box opening commission",
        ("journal_volume", "ky"): "аркылуу келип түшкөн кайрылууларды КАТТОО ЖУРНАЛЫ",
        ("journal_volume", "ru"): "ЖУРНАЛ РЕГИСТРАЦИИ обращений, поступивших через Ящик доверия",
        ("journal_volume", "uz"): "orqali kelgan murojaatlarni ROʻYXATGA OLISH JURNALI",
        ("journal_volume", "en"): "REGISTRATION JOURNAL of appeals received through the Trust Box",
    }
    for (code, language), title in expected.items():
        for fmt in ("pdf", "docx"):
            content = printed[code, language, fmt]
            text = pdf_text(content, tmp_path, code) if fmt == "pdf" else docx_text(content)
            assert title in " ".join(text.split()), (code, language, fmt)


@pytest.mark.parametrize(("zone", "day", "time"), [("Asia/Bishkek", 28, "00:30"), ("Asia/Tashkent", 27, "23:30")])
def test_letters_and_receipts_print_the_day_in_the_schools_own_time_zone(demo, login, tmp_path, zone, day, time):
    """18:30 UTC on 27 November is 00:30 on the 28th in Bishkek and still 23:30 on the 27th in Tashkent."""
    from appeals.documents import Receipt

    demo.time_zone = zone
    demo.save(update_fields=["time_zone"])
    appeal = appeal_submit(
        school=demo,
        channel=Appeal.Channel.PAPER,
        text="Балам 7Б классында куугунтукка кабылып жатат.",
        category=Appeal.Category.BULLYING,
        author_kind=Appeal.AuthorKind.PARENT,
        author={"full_name": "Айгүл Токтогулова", "address": "Ош ш., Ленин к. 5", "phone": "0555 000000"},
        received_at=SENT,
    )
    client = login("director")
    base = f"/staff/rakhmanov/cases/{appeal.pk}/"
    measures = {"kinds": ["talk_student"], "text": "Окуучу менен сүйлөшүү өттү.", "taken_on": "2026-11-28"}
    assert client.post(f"{base}measures/", measures).status_code == 302
    answer = {"mode": "letter", "given_on": "2026-11-28", "text": "Чаралар көрүлдү."}
    assert client.post(f"{base}answer/", answer).status_code == 302
    letter = f"{base}answers/{Answer.objects.get(appeal=appeal).pk}/letter/"
    local = dt.date(2026, 11, day)
    for language in LANGUAGES:
        with translation.override(language):
            subject = translation.gettext("On your appeal No. %(number)s of %(date)s") % {
                "number": appeal.journal_number,
                "date": document_date(local, language),
            }
        text = " ".join(docx_text(client.get(f"{letter}?language={language}&format=docx").content).split())
        assert subject in text, (zone, language, text)
        receipt = DOCUMENTS["receipt"].render(Receipt(demo, appeal, "K7QM-2XWD"), language=language, fmt="pdf")
        text = " ".join(pdf_text(receipt, tmp_path, "receipt").split())
        assert f"{document_date(local, language)}, {time}" in text, (zone, language, text)


def test_a_schools_box_opens_on_its_own_clock_and_its_page_says_so(demo, client):
    demo.time_zone = "Asia/Tashkent"
    demo.save(update_fields=["time_zone"])
    opening = demo.next_opening(dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert opening.astimezone(zoneinfo.ZoneInfo("Asia/Tashkent")).time() == demo.opening_time  # 12:00 there
    assert opening.astimezone(dt.UTC).hour == demo.opening_time.hour - 5  # 07:00 UTC, not Bishkek's 06:00
    page = client.get("/s/rakhmanov/").content.decode()
    shown = demo.next_opening()
    assert f"{document_date(shown, 'ky', school=demo)}, {demo.opening_time:%H:%M}" in page


def test_a_schools_time_zone_is_one_of_kyrgyzstan_and_its_neighbours(demo):
    assert School._meta.get_field("time_zone").default == "Asia/Bishkek"
    demo.time_zone = "Europe/Moscow"
    with pytest.raises(ValidationError):
        demo.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.filter(pk=demo.pk).update(time_zone="Europe/Moscow")
    for zone in TimeZone:
        assert zoneinfo.ZoneInfo(zone.value).key == zone.value


def test_the_poster_is_one_a4_page_with_the_hours_and_help_numbers(printed, tmp_path):
    for language in LANGUAGES:
        content = printed["poster", language, "pdf"]
        assert pdf_pages(content, tmp_path) == 1, language
        text = pdf_text(content, tmp_path, f"poster-{language}")
        assert "111" in text or "150" in text, text  # a help number


def test_the_poster_stays_on_one_page_for_a_long_school_name_and_box_place(demo, client, tmp_path):
    long_names = {
        "ky": "Ош облусунун Кара-Суу районундагы Жапар Шакиров атындагы "
        "№112 жалпы билим берүүчү орто мектеп-гимназиясы",
        "ru": "Средняя общеобразовательная школа-гимназия №112 имени Жапара Шакирова "
        "Кара-Суйского района Ошской области",
        "uz": "Oʻsh viloyati Qorasuv tumanidagi Jopar Shakirov nomidagi "
        "112-sonli umumiy oʻrta taʼlim maktab-gimnaziyasi",
        "en": "Japar Shakirov Secondary General Education School-Gymnasium No. 112 of Kara-Suu District, Osh Region",
    }
    places = {
        "ky": "биринчи кабатта, негизги кире бериштен оң тарапта, ашкананын жанындагы коридордо, "
        "медициналык кабинеттин каршысында",
        "ru": "на первом этаже, справа от главного входа, в коридоре рядом со столовой, напротив медицинского кабинета",
        "uz": "birinchi qavatda, asosiy kirish eshigidan oʻngda, oshxona yonidagi yoʻlakda, tibbiyot xonasi qarshisida",
        "en": "on the ground floor, to the right of the main entrance, in the corridor by the canteen, "
        "opposite the nurse's room",
    }
    for language in LANGUAGES:
        setattr(demo, f"name_{language}", long_names[language])
        setattr(demo, "box_location" if language == "ky" else f"box_location_{language}", places[language])
    demo.save()
    for language in LANGUAGES:
        content = client.get(f"/s/rakhmanov/poster.pdf?language={language}").content
        assert pdf_pages(content, tmp_path) == 1, language
        text = "".join(pdf_text(content, tmp_path, "poster", "-raw").split()).lower()  # a line breaks after «мектеп-»
        for whole in (long_names[language], places[language]):
            assert "".join(whole.split()).lower() in text, (language, whole, text)


def test_every_label_of_every_document_is_translated():
    missing = []
    for document in DOCUMENTS.values():
        for msgid, context in template_msgids(document.template):
            if not re.search(r"[A-Za-z]{2}", msgid):
                continue
            for language in ("ky", "ru", "uz"):
                with translation.override(language):
                    shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                if shown == msgid:
                    missing.append(f"{document.code} {language}: {msgid}")
    assert not missing, "\n".join(missing)


def test_the_docx_of_the_act_and_the_protocol_print_the_same_lines_as_their_pdfs(printed, tmp_path):
    """LibreOffice turns each DOCX into a PDF; laid out (pdftotext -layout), it has our PDF's lines, in order.

    Spaces inside a line are normalised; only where the pages break may differ.
    """
    assert shutil.which("soffice"), "LibreOffice is needed (apt: libreoffice-writer-nogui)"
    files = []
    for code in ("act", "protocol"):
        for language in LANGUAGES:
            path = tmp_path / f"{code}-{language}.docx"
            path.write_bytes(printed[code, language, "docx"])
            (tmp_path / f"{code}-{language}-ours.pdf").write_bytes(printed[code, language, "pdf"])
            files.append(path)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
        + [str(f) for f in files],
        capture_output=True,
        check=True,
        timeout=240,
    )
    faults = []
    for path in files:
        code, language = path.stem.split("-")
        ours = _lines(pdf_text(printed[code, language, "pdf"], tmp_path, "ours"), language)
        theirs = _lines(pdf_text(path.with_suffix(".pdf").read_bytes(), tmp_path, "theirs"), language)
        if ours != theirs:
            faults.append(
                f"{path.stem}:\n"
                + "\n".join(difflib.unified_diff(ours, theirs, "weasyprint", "word", n=1, lineterm=""))
            )
    assert not faults, "\n\n".join(faults)


def _lines(text: str, language: str) -> list[str]:
    """The page's lines, spaces normalised, without empty lines and the footer our PDF adds («бет 1 / 1»)."""
    with translation.override(language):
        page = translation.gettext("page")
    footer = re.compile(rf"{re.escape(page)} \d+ / \d+")
    lines = (" ".join(line.split()) for line in text.replace("\f", "\n").split("\n"))
    return [line for line in lines if line and not footer.fullmatch(line)]
