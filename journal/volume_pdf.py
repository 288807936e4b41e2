"""The bound journal volume as a PDF, laid out by hand with reportlab, in a process of its own.

WeasyPrint needed 30 s and 512 MiB for 2,000 entries (190 s and 2.1 GiB for
10,000), inside the web worker, which kept the memory. Here the web worker only
opens the rows and turns the journal's context into a "sheet" of plain strings
(`volume_sheet`, in the reader's language); a child process
(`python -m journal.volume_pdf OUT`, no Django) reads the sheet from a pipe,
measures every cell, cuts the rows into pages (so the page count is known
before anything is drawn: "page N of M" and the closing statement in one pass)
and draws them. The finished file is kept under `var/journal-pdf/` by volume,
head hash and language: a new record moves the head, and the next print makes a
new file.

The journal's words never touch the disk in the clear: the sheet goes to the
child through its standard input, and the kept file is encrypted (AES-GCM)
under a key derived from the private key that opened the rows (the office's, or
the reader's own), which only a logged-in reader's keyring holds. A stolen disk
holds no readable journal.

The page is what the WeasyPrint template printed: a title page, the landscape
table with the columns a)–f) and channel, category, status (its header repeated
on every page), "page N of M" at the foot, and the closing certification with
the number of entries and pages, the chain's head and the signatures; Noto Sans
(ң ө ү, oʻ gʻ) embedded.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from vault import crypto

MM = 72 / 25.4
PAGE_W, PAGE_H = 297 * MM, 210 * MM  # A4 landscape
MARGIN_T, MARGIN_R, MARGIN_B, MARGIN_L = 16 * MM, 12 * MM, 16 * MM, 18 * MM
COLUMNS = (4, 8, 14, 8.5, 20, 17.5, 8, 9, 11)  # per cent of the table's width, as in the HTML template
SMALL = {6, 7, 8}  # channel, category, status: a smaller size
BODY, SMALL_SIZE, HEAD_SIZE, LEADING = 8.5, 7.3, 7.5, 1.3
PAD_X, PAD_Y = 1.5 * MM, 1.2 * MM
FONT, BOLD = "NotoSans", "NotoSans-Bold"
STALE_JOB = 600  # seconds after which an unfinished job is started again
FAILED_PAUSE = 60  # seconds during which a failed layout is reported, not tried again


class RenderFailed(RuntimeError):
    """The layout child failed (its message is kept beside the file); it is tried again a minute later."""


# --- the web worker's side: strings only ---------------------------------------------------------


def volume_sheet(context: dict, *, language: str) -> dict:
    """Everything the printed journal says, as plain strings, from `journal.documents.journal_context`."""
    from django.utils import translation
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    with translation.override(language):
        volume = context["volume"]
        rows = []
        for row in context["rows"]:
            summary = row.summary_display
            if row.corrected:
                summary += "\n" + _("(corrected by an amendment)")
            rows.append(
                [
                    str(row.number),
                    f"{row.taken_on:%d.%m.%Y}",
                    row.author_display,
                    row.class_phone_display,
                    summary,
                    row.measures_display,
                    str(row.channel_display).capitalize(),
                    str(row.category_display).capitalize(),
                    str(row.status_display).capitalize(),
                ]
            )
        head = volume.head_hash
        return {
            "language": language,
            "owner": context["office_name"],
            "district": context["district_name"],
            "title": _("Registration journal"),
            "title_lines": context["title_lines"],
            "year": _("School year %(school_year)s") % {"school_year": context["school_year"]},
            "running": _("Registration journal") + f" · {context['school_year']}",
            "facts": [
                [_("Started") + ":", context["started"]],
                [_("Last entry") + ":", context["finished"]],
                [_("Entries") + ":", str(volume.last_number)],
            ],
            "rule": _(
                "Every appeal is entered under the next serial number, without gaps. Measures taken, status "
                "changes and corrections are added as amendments; nothing is written over or removed. The "
                "electronic journal is hash-chained: the closing sheet gives its head, which proves that no "
                "earlier entry was changed."
            ),
            "columns": [str(c) for c in context["columns"]],
            "rows": rows,
            "empty": _("No entries yet."),
            "page_of": _("page {page} of {pages}"),
            "certification": _("Closing certification"),
            "statement": _("This journal holds {entries} entries on {pages} pages, numbered and bound.").replace(
                "{entries}", str(volume.last_number)
            ),
            "records": _("Records in the electronic journal, entries and amendments together: %(records)s.")
            % {"records": volume.last_seq},
            "head_label": _("Head of the chain (SHA-256) when printed:"),
            "head": [head[:32], head[32:]],
            "printed": _(
                "Printed on %(date)s at %(time)s by %(name)s. The command “ishenim journal verify” checks "
                "the electronic journal against this head."
            )
            % {
                "date": context["printed"],
                "time": date_format(context["printed_at"], "H:i"),
                "name": context["printed_by"],
            },
            "signers": [[str(title), name] for title, name in context["signers"]],
            "seal": _("Place of the seal"),
        }


def cache_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "JOURNAL_PDF_DIR", settings.VAR_DIR / "journal-pdf"))


def cached_path(volume, language: str, reader: str = "") -> Path:
    """Where the volume's PDF at its present head, in `language`, is kept.

    `reader` is empty for the file every holder of the office's key may have; a
    reader without that key gets a file of their own (made with their keyring,
    "sealed" where it cannot open), never the clear one.
    """
    suffix = f"-{reader}" if reader else ""
    return cache_dir() / f"volume-{volume.pk}-{volume.head_hash[:24]}-{language}{suffix}.pdf"


def file_key(secret: bytes, path: Path) -> bytes:
    """The key of one kept file, from a private key only a logged-in reader's keyring holds."""
    return hmac.new(secret, b"ishenim journal pdf\x00" + path.name.encode(), hashlib.sha256).digest()


def volume_pdf_read(path: Path, key: bytes) -> bytes:
    return crypto.unbox(key, path.read_bytes())


def volume_pdf_ready(volume, language: str, reader: str = "") -> Path | None:
    path = cached_path(volume, language, reader)
    return path if path.exists() else None


def volume_pdf_start(volume, language: str, make_sheet, secret: bytes, reader: str = "") -> Path:
    """Start the child that makes the volume's PDF, unless it is made or being made; return its path.

    `make_sheet()` is called only when a child is started (it opens the sealed rows);
    `secret` is the private key the file's key is derived from (`file_key`). The
    `.job` file only marks that a child is at work: the words go through a pipe.
    Files of the volume at an older head are removed: their head no longer proves anything new.
    """
    path = cached_path(volume, language, reader)
    if path.exists():
        return path
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    job = path.with_suffix(".job")
    failed = path.with_suffix(".failed")
    if failed.exists():
        if time.time() - failed.stat().st_mtime < FAILED_PAUSE:
            raise RenderFailed(failed.read_text(encoding="utf-8", errors="replace")[-2000:])
        failed.unlink(missing_ok=True)
    try:
        fd = os.open(job, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if time.time() - job.stat().st_mtime < STALE_JOB:
            return path  # another request started it
        job.unlink(missing_ok=True)
        fd = os.open(job, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    for old in folder.glob(f"volume-{volume.pk}-*-{language}{f'-{reader}' if reader else ''}.pdf"):
        old.unlink(missing_ok=True)
    os.close(fd)
    payload = json.dumps({"key": file_key(secret, path).hex(), "sheet": make_sheet()}, ensure_ascii=False)
    child = subprocess.Popen(  # noqa: S603 - our own module, no shell
        [sys.executable, "-m", "journal.volume_pdf", str(path)],
        cwd=str(Path(__file__).resolve().parent.parent),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert child.stdin is not None  # stdin=PIPE
    with child.stdin:
        child.stdin.write(payload.encode())
    return path


def volume_pdf_wait(path: Path, key: bytes, timeout: float = 120) -> bytes:
    """For the command line and the tests: wait for the child's file and open it."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.05)
    return volume_pdf_read(path, key)


# --- the child's side: reportlab, no Django ------------------------------------------------------


def _fonts() -> None:
    from fontTools.ttLib import TTFont as FontFile
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(__file__).resolve().parent.parent / "static" / "fonts"
    for name, file in ((FONT, "NotoSans-Regular.woff2"), (BOLD, "NotoSans-Bold.woff2")):
        font = FontFile(folder / file)  # the same subset the web pages use (ң ө ү oʻ gʻ)
        font.flavor = None
        data = io.BytesIO()
        font.save(data)
        data.seek(0)
        pdfmetrics.registerFont(TTFont(name, data))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` that fit `width`; a word longer than the width is cut."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    space = stringWidth(" ", font, size)
    for paragraph in (text or "").split("\n"):
        line, used = "", 0.0
        for word in paragraph.split():
            w = stringWidth(word, font, size)
            while w > width:  # a long token (an address, a link): cut it
                cut = len(word)
                while cut > 1 and stringWidth(word[:cut], font, size) > width:
                    cut = max(1, int(cut * width / stringWidth(word[:cut], font, size)) - 1)
                if line:
                    lines.append(line)
                    line, used = "", 0.0
                lines.append(word[:cut])
                word = word[cut:]
                w = stringWidth(word, font, size)
            if not word:
                continue
            if line and used + space + w <= width:
                line, used = f"{line} {word}", used + space + w
            else:
                if line:
                    lines.append(line)
                line, used = word, w
        lines.append(line)
    return lines


def _center(c, text: str, y: float, font: str, size: float, width: float = PAGE_W - MARGIN_L - MARGIN_R) -> float:
    c.setFont(font, size)
    for line in _wrap(text, font, size, width):
        c.drawCentredString(MARGIN_L + (PAGE_W - MARGIN_L - MARGIN_R) / 2, y, line)
        y -= size * 1.35
    return y


def render_sheet(sheet: dict) -> bytes:
    """The PDF of a sheet made by `volume_sheet`."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    rl_config.useA85 = 0  # binary streams: ASCII85 doubled the time and adds a quarter to the size
    _fonts()
    table_w = PAGE_W - MARGIN_L - MARGIN_R
    widths = [table_w * p / 100 for p in COLUMNS]
    xs = [MARGIN_L]
    for w in widths:
        xs.append(xs[-1] + w)

    # The header: titles, then the column numbers 1..9 on a grey band.
    head_lines = [_wrap(t, BOLD, HEAD_SIZE, w - 2 * 0.8 * MM) for t, w in zip(sheet["columns"], widths, strict=True)]
    head_h = max(len(lines) for lines in head_lines) * HEAD_SIZE * 1.2 + 2 * PAD_Y
    numbers_h = HEAD_SIZE * 1.2 + 1 * MM

    # Measure every row, then cut the rows into pages.
    cells: list[tuple[list[list[str]], float]] = []
    for row in sheet["rows"] or [[sheet["empty"]] + [""] * 8]:
        wrapped = []
        for i, text in enumerate(row):
            font = BOLD if i == 0 else FONT
            size = SMALL_SIZE if i in SMALL else BODY
            pad = 1 * MM if i in SMALL else PAD_X
            wrapped.append(_wrap(text, font, size, widths[i] - 2 * pad))
        tallest = max(len(w) for w in wrapped)
        cells.append((wrapped, tallest * BODY * LEADING + 2 * PAD_Y))
    room = PAGE_H - MARGIN_T - MARGIN_B - head_h - numbers_h
    pages: list[list[int]] = [[]]
    used = 0.0
    for index, (_lines, height) in enumerate(cells):
        if pages[-1] and used + height > room:
            pages.append([])
            used = 0.0
        pages[-1].append(index)
        used += min(height, room)
    total = len(pages) + 2  # the title page and the certification

    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1)
    c.setTitle(f"{sheet['title']} — {sheet['owner']} — {sheet['year']}")

    def foot(number: int) -> None:
        c.setFont(FONT, 8)
        c.setFillGray(0)
        text = sheet["page_of"].replace("{page}", str(number)).replace("{pages}", str(total))
        c.drawCentredString(PAGE_W / 2, MARGIN_B / 2, text)

    # 1. The title page.
    y = PAGE_H - MARGIN_T - 22 * MM
    y = _center(c, sheet["owner"], y, FONT, 12)
    y = _center(c, sheet["district"] or " ", y, FONT, 10) - 20 * MM
    for line, heading in sheet["title_lines"]:
        y = _center(c, line.upper(), y - 10, BOLD, 26) if heading else _center(c, line, y, FONT, 12)
        y -= 4 * MM
    y -= 10 * MM
    y = _center(c, sheet["year"], y, BOLD, 14) - 14 * MM
    c.setFont(FONT, 11)
    left = PAGE_W / 2 - 60 * MM
    for label, value in sheet["facts"]:
        c.drawString(left, y, label)
        c.drawString(left + 40 * MM, y, value)
        y -= 11 * 1.6
    y -= 18 * MM
    c.setFont(FONT, 8.5)
    c.setFillGray(0.2)
    for line in _wrap(sheet["rule"], FONT, 8.5, PAGE_W - MARGIN_L - MARGIN_R - 60 * MM):
        c.drawString(MARGIN_L + 30 * MM, y, line)
        y -= 8.5 * 1.35
    foot(1)
    c.showPage()

    # 2. The table, its header on every page.
    for page_index, indexes in enumerate(pages):
        number = page_index + 2
        c.setFont(FONT, 7.5)
        c.setFillGray(0.33)
        c.drawString(MARGIN_L, PAGE_H - MARGIN_T / 2, sheet["owner"])
        c.drawRightString(PAGE_W - MARGIN_R, PAGE_H - MARGIN_T / 2, sheet["running"])
        top = PAGE_H - MARGIN_T
        c.setFillGray(0.965)
        c.rect(MARGIN_L, top - head_h - numbers_h, table_w, numbers_h, stroke=0, fill=1)
        c.setFillGray(0)
        for i, lines in enumerate(head_lines):
            mid = (xs[i] + xs[i + 1]) / 2
            block = len(lines) * HEAD_SIZE * 1.2
            ty = top - (head_h - block) / 2 - HEAD_SIZE
            c.setFont(BOLD, HEAD_SIZE)
            for line in lines:
                c.drawCentredString(mid, ty, line)
                ty -= HEAD_SIZE * 1.2
            c.setFont(FONT, HEAD_SIZE)
            c.drawCentredString(mid, top - head_h - numbers_h + 0.5 * MM + 1.5, str(i + 1))
        rules = [top, top - head_h, top - head_h - numbers_h]
        y = rules[-1]
        text = c.beginText()
        for index in indexes:
            wrapped, height = cells[index]
            height = min(height, room)
            for i, lines in enumerate(wrapped):
                size = SMALL_SIZE if i in SMALL else BODY
                font = BOLD if i == 0 else FONT
                text.setFont(font, size, BODY * LEADING)
                if i in (0, 1):  # the number and the date are centred
                    for k, line in enumerate(lines):
                        from reportlab.pdfbase.pdfmetrics import stringWidth

                        x = (xs[i] + xs[i + 1] - stringWidth(line, font, size)) / 2
                        text.setTextOrigin(x, y - PAD_Y - BODY - k * BODY * LEADING)
                        text.textOut(line)
                    continue
                pad = 1 * MM if i in SMALL else PAD_X
                text.setTextOrigin(xs[i] + pad, y - PAD_Y - BODY)
                fit = int((height - 2 * PAD_Y) / (BODY * LEADING) + 1e-6)
                for line in lines[:fit] if len(lines) > fit else lines:
                    text.textLine(line)
            y -= height
            rules.append(y)
        c.drawText(text)
        c.setLineWidth(0.6)
        path = c.beginPath()
        for ry in rules:
            path.moveTo(MARGIN_L, ry)
            path.lineTo(MARGIN_L + table_w, ry)
        for x in xs:
            path.moveTo(x, top)
            path.lineTo(x, y)
        c.drawPath(path, stroke=1, fill=0)
        foot(number)
        c.showPage()

    # 3. The closing certification.
    y = PAGE_H - MARGIN_T - 18 * MM
    y = _center(c, sheet["certification"].upper(), y, BOLD, 14) - 10 * MM
    x, width = MARGIN_L + 12 * MM, PAGE_W - MARGIN_L - MARGIN_R - 24 * MM
    statement = sheet["statement"].replace("{pages}", str(total))

    def paragraph(value: str, size: float = 11, font: str = FONT, after: float = 4 * MM) -> None:
        nonlocal y
        c.setFont(font, size)
        for line in _wrap(value, font, size, width):
            c.drawString(x, y, line)
            y -= size * 1.4
        y -= after

    paragraph(statement, 13, after=6 * MM)
    paragraph(sheet["records"])
    paragraph(sheet["head_label"], after=0)
    c.setFont("Courier", 10.5)
    for part in sheet["head"]:
        c.drawString(x, y, part)
        y -= 10.5 * 1.4
    y -= 4 * MM
    c.setFillGray(0.33)
    paragraph(sheet["printed"], 9)
    c.setFillGray(0)
    y -= 10 * MM
    c.setFont(FONT, 11)
    for title, name in sheet["signers"]:
        label = f"{title}: "
        c.drawString(x, y, label)
        lx = x + c.stringWidth(label, FONT, 11)
        c.line(lx, y - 1.5, lx + 55 * MM, y - 1.5)
        c.drawString(lx + 57 * MM, y, name)
        y -= 14 * MM
    c.drawString(x, y, sheet["seal"])
    foot(total)
    c.showPage()
    c.save()
    return buffer.getvalue()


def main(argv: list[str], source=None) -> int:
    """`python -m journal.volume_pdf OUT.pdf` with {"key", "sheet"} on standard input: render,
    encrypt, write OUT atomically, remove OUT's `.job` mark."""
    out = Path(argv[0])
    try:
        payload = json.load(source if source is not None else sys.stdin)
        pdf = render_sheet(payload["sheet"])
        part = out.with_suffix(".part")
        fd = os.open(part, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(crypto.box(uuid.UUID(int=0), bytes.fromhex(payload["key"]), pdf))
        os.replace(part, out)
    except Exception:
        import traceback

        out.with_suffix(".failed").write_text(traceback.format_exc(), encoding="utf-8")
        raise
    finally:
        out.with_suffix(".job").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
