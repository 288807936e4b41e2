"""Regenerate the screenshots in README.md: `make screenshots`.

Runs Ishenim in this process on a fresh SQLite database with the demo data,
drives Debian's Chromium through Playwright, and writes PNGs to docs/img/:
public pages at 360 px (a cheap phone) in Kyrgyz, staff pages at 1280 px, and
the first page of the main documents rendered from their PDFs with pdftoppm.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

OUT = Path(__file__).resolve().parent / "img"
VAR = tempfile.mkdtemp(prefix="ishenim-shots-")
os.environ["ISHENIM_VAR_DIR"] = VAR
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ishenim.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Playwright's sync API keeps an event loop in this thread; the ORM look-ups here are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from schools.demo import DEMO_PASSWORD  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve() -> str:
    # Screenshots show the pages, not the second factor: staff log in with a password here.
    settings.ISHENIM_TWO_FACTOR_ROLES = ()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}"


def login(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    return page


def shoot(page, url: str, name: str, full_page: bool = True) -> None:
    page.goto(url)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
    print(f"docs/img/{name}.png")


def document(context, url: str, name: str) -> None:
    response = context.request.get(url)
    if not response.ok:
        print(f"skipped {name}: {url} answered {response.status}", file=sys.stderr)
        return
    pdf = Path(VAR) / f"{name}.pdf"
    pdf.write_bytes(response.body())
    first_page(pdf, OUT / name)
    print(f"docs/img/{name}.png")


def first_page(pdf: Path, png: Path) -> None:
    """The PDF's first page as `png` (.png is added), 60 dpi."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png)], check=True
    )


def downloaded(page, submit: str, name: str) -> None:
    """A PDF the page hands over as a download when `submit` is clicked (a form that POSTs)."""
    with page.expect_download() as download:
        page.click(submit)
    pdf = Path(VAR) / f"{name}.pdf"
    download.value.save_as(pdf)
    first_page(pdf, OUT / name)
    print(f"docs/img/{name}.png")


def word_beside_pdf(context, url: str, name: str) -> None:
    """A document's PDF (left) and its DOCX as LibreOffice prints it (right), first pages side by side."""
    from PIL import Image

    pages = []
    for fmt in ("pdf", "docx"):
        path = Path(VAR) / f"{name}.{fmt}"
        path.write_bytes(context.request.get(url.format(fmt=fmt)).body())
        if fmt == "docx":
            profile = (Path(VAR) / "lo-profile").as_uri()
            subprocess.run(
                ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
                + ["--outdir", str(Path(VAR) / "word"), str(path)],
                check=True,
                capture_output=True,
                timeout=240,
            )
            path = Path(VAR) / "word" / f"{name}.pdf"
        first_page(path, Path(VAR) / f"{name}-{fmt}")
        pages.append(Image.open(Path(VAR) / f"{name}-{fmt}.png").convert("RGB"))
    gap = 12
    both = Image.new("RGB", (pages[0].width + gap + pages[1].width, max(p.height for p in pages)), "#888888")
    both.paste(pages[0], (0, 0))
    both.paste(pages[1], (pages[0].width + gap, 0))
    both.save(OUT / f"{name}.png", optimize=True)
    print(f"docs/img/{name}.png")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from commission.models import Meeting
    from openings.models import Opening
    from reports.models import QuarterlyReport

    base = serve()
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        phone = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
        page = phone.new_page()
        shoot(page, f"{base}/s/rakhmanov/", "public-box-ky")
        shoot(page, f"{base}/s/rakhmanov/write/", "public-form-ky")
        page.check("input[name=author_kind][value=student]")
        page.select_option("select[name=category]", "bullying")
        page.fill("textarea[name=text]", "Тыныгууда 8-класстын балдары кичүү класстардын акчасын тартып алышат.")
        page.click("form button[type=submit].primary")
        page.screenshot(path=str(OUT / "public-receipt-ky.png"), full_page=True)
        print("docs/img/public-receipt-ky.png")
        document(phone, f"{base}/s/rakhmanov/receipt.pdf", "document-receipt-ky")  # only this session has it
        document(phone, f"{base}/s/rakhmanov/poster.pdf", "document-poster-ky")

        # "I or someone else is in danger right now": the receipt puts the child's numbers first.
        urgent = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1).new_page()
        urgent.goto(f"{base}/s/rakhmanov/write/")
        urgent.check("input[name=danger]")
        urgent.check("input[name=author_kind][value=student]")
        urgent.select_option("select[name=category]", "child_rights")
        urgent.fill("textarea[name=text]", "Досум үйүнөн кетип калам деп жатат, эки күндөн бери сабакка келген жок.")
        urgent.click("form button[type=submit].primary")
        urgent.screenshot(path=str(OUT / "public-urgent-receipt-ky.png"), full_page=True)
        print("docs/img/public-urgent-receipt-ky.png")

        # The same public pages in Uzbek (Latin script), as a family in Osh sees them.
        uzbek = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
        uzbek.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "uz", "url": base}])
        page = uzbek.new_page()
        shoot(page, f"{base}/s/rakhmanov/", "public-box-uz")
        shoot(page, f"{base}/s/rakhmanov/write/", "public-form-uz")
        document(uzbek, f"{base}/s/rakhmanov/poster.pdf?language=uz", "document-poster-uz")

        desk = browser.new_context(viewport={"width": 1280, "height": 800})
        staff = login(desk, base, "responsible")
        shoot(staff, f"{base}/staff/work/", "staff-work-ky", full_page=False)
        shoot(staff, f"{base}/staff/rakhmanov/appeals/", "staff-inbox-ky", full_page=False)
        shoot(staff, f"{base}/staff/rakhmanov/journal/", "staff-journal-ky", full_page=False)
        shoot(staff, f"{base}/staff/rakhmanov/commission/", "staff-commission-ky", full_page=False)
        shoot(staff, f"{base}/staff/rakhmanov/reports/", "staff-dashboard-ky", full_page=False)
        shoot(staff, f"{base}/staff/rakhmanov/reports/compliance/", "staff-compliance-ky", full_page=False)
        document(desk, f"{base}/staff/rakhmanov/journal/journal.pdf?language=ky", "document-journal-ky")
        report = QuarterlyReport.objects.filter(school__slug="rakhmanov").order_by("-pk").first()
        if report:
            document(desk, f"{base}/staff/rakhmanov/reports/quarterly/{report.pk}/report.pdf", "document-report-ky")
            document(
                desk,
                f"{base}/staff/rakhmanov/reports/quarterly/{report.pk}/report.pdf?language=uz",
                "document-report-uz",
            )
        opening = Opening.objects.filter(school__slug="rakhmanov", letters__isnull=False).order_by("-pk").first()
        if opening:
            document(desk, f"{base}/staff/rakhmanov/commission/openings/{opening.pk}/act.pdf", "document-act-ky")
            document(
                desk, f"{base}/staff/rakhmanov/commission/openings/{opening.pk}/act.pdf?lang=uz", "document-act-uz"
            )
        meeting = Meeting.objects.filter(commission__school__slug="rakhmanov").order_by("-pk").first()
        if meeting:
            document(
                desk, f"{base}/staff/rakhmanov/commission/meetings/{meeting.pk}/protocol.pdf", "document-protocol-ky"
            )
        # The Word files of the act and the protocol, printed by LibreOffice, beside their PDFs.
        if opening:
            act = f"{base}/staff/rakhmanov/commission/openings/{opening.pk}/act.{{fmt}}?lang=ky"
            word_beside_pdf(desk, act, "document-act-docx-ky")
        if meeting:
            protocol = f"{base}/staff/rakhmanov/commission/meetings/{meeting.pk}/protocol.{{fmt}}?lang=ru"
            word_beside_pdf(desk, protocol, "document-protocol-docx-ru")

        # The documents handed over once: a batch of paper forms, and a new recovery sheet.
        director = login(browser.new_context(viewport={"width": 1280, "height": 800}), base, "director")
        director.goto(f"{base}/staff/rakhmanov/commission/paper-forms/")
        director.fill("input[name=count]", "2")
        director.select_option("select[name=language]", "uz")
        downloaded(director, "form button[type=submit].primary", "document-paper-form-uz")
        director.goto(f"{base}/staff/rakhmanov/keys/")
        director.click("form[action$='/keys/recovery/'] button[type=submit]")
        downloaded(director, "form[action$='sheet.pdf'] button[type=submit]", "document-recovery-sheet-ky")

        handset = browser.new_context(viewport={"width": 390, "height": 844})
        shoot(login(handset, base, "psychologist"), f"{base}/staff/work/", "staff-work-phone-ky")

        district = browser.new_context(viewport={"width": 1280, "height": 800})
        officer = login(district, base, "district")
        shoot(officer, f"{base}/district/osh/", "district-dashboard-ky", full_page=False)
        shoot(officer, f"{base}/district/osh/analysis/", "district-analysis-ky", full_page=False)
        browser.close()


if __name__ == "__main__":
    main()
