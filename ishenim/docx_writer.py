"""A document's HTML (the one its PDF is made from) written as a Word file.

Only what the document templates use: headings, paragraphs, lists, tables, bold
and upper-case runs, line breaks, page breaks and images (SVG charts and QR
codes become PNG). Classes the templates already have steer the layout:
`approval`/`to` stand in the right part of the page (left edge at 55%), `meta`
puts its two parts at the two edges, `head`/`sub`/h1 centre, `sign` tables have
no borders and their `sigline` cell is a line, `muted`/`stamp` are small,
`no-docx` is left out (on-screen or PDF-only parts). Column widths come from a
table's `<col style="width: …">`, as the PDF's do.

The page is the PDF's: A4, the margins of `documents/base.html` plus the 8 px
the browser's style sheet gives the body, Noto Sans 10.5 pt, so that a line
breaks where it breaks in the PDF (`tests/test_documents.py` compares them line
by line through LibreOffice).
"""

from __future__ import annotations

import base64
import io
import re
import urllib.parse
from typing import TYPE_CHECKING

from lxml import html as lxml_html

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph

SKIP = {"head", "style", "script", "title"}
BLOCKS = {"p", "div", "section", "h1", "h2", "h3", "h4", "li", "ol", "ul", "table", "header", "footer", "article"}
# Blocks whose paragraphs stand indented (mm; "55%" of the text width) with a small gap after them (mm).
INDENT: dict[str, tuple[str | float, float]] = {"approval": ("55%", 1.5), "to": ("55%", 0), "list": (6, 1)}
SMALL = {"muted": 9, "stamp": 7}  # font sizes in pt, in grey
GREY = "555555"
RED = {"danger": "B3261E"}
PROSE = {"body"}  # letters' text: justified, the first line indented 10 mm, 3 mm between paragraphs
BODY_MM = 8 * 25.4 / 96  # the body's 8 px margin in the browser's style sheet
MARGINS_MM = {"left": 20 + BODY_MM, "right": 16 + BODY_MM, "top": 18 + BODY_MM, "bottom": 20}
TEXT_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
BOLD = {"name", "subject", "title", "danger", "draft", "sub"}
CENTRE = {"head", "sub", "school", "lead", "scan", "url", "danger", "qr", "letterhead", "centre", "center", "draft"}


def html_to_docx(markup: str) -> bytes:
    writer = _Writer()
    root = lxml_html.document_fromstring(markup)
    body = root.find("body")
    writer.block(body if body is not None else root, align=None)
    writer.footer(" ".join(root.xpath("//style/text()")))
    buffer = io.BytesIO()
    writer.document.save(buffer)
    return buffer.getvalue()


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _text(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "")


class _Writer:
    def __init__(self):
        from docx import Document
        from docx.shared import Mm, Pt

        self.document = Document()
        style = self.document.styles["Normal"]
        style.font.name = "Noto Sans"
        style.font.size = Pt(10.5)
        # html { line-height: 1.4 }; a paragraph's margins are 1em above and below, collapsed to one
        style.paragraph_format.line_spacing = Pt(10.5 * 1.4)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(0), Pt(10.5)
        for name, size, before, after in (("Heading 1", 14, 6, 4), ("Heading 2", 12, 5, 2), ("Heading 3", 10.5, 5, 2)):
            heading = self.document.styles[name]
            heading.font.name = "Noto Sans"
            heading.font.size = Pt(size)
            heading.font.color.rgb = None
            heading.font.italic = False
            heading.paragraph_format.line_spacing = Pt(size * 1.4)
            heading.paragraph_format.space_before, heading.paragraph_format.space_after = Mm(before), Mm(after)
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        self.paragraph: Paragraph | None = None
        self.page_break = False
        self.indent: tuple | None = None  # (left indent, space after) of the block being written
        self.after_table = False  # the next paragraph keeps its margin above (CSS margins do not collapse into a table)

    # blocks -------------------------------------------------------------------------------

    def new_paragraph(self, *, style: str | None = None, align=None, container=None) -> Paragraph:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        target = container if container is not None else self.document
        paragraph = target.add_paragraph(style=style) if style else target.add_paragraph()
        if align == "centre":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.indent is not None and container is None:
            paragraph.paragraph_format.left_indent, paragraph.paragraph_format.space_after = self.indent
        elif container is not None:
            paragraph.paragraph_format.space_after = 0
        if self.after_table and container is None:
            paragraph.paragraph_format.space_before = Pt(10.5)
        self.after_table = False
        if self.page_break:
            paragraph.paragraph_format.page_break_before = True
            self.page_break = False
        self.paragraph = paragraph
        return paragraph

    def block(self, element, *, align, prefix: str = "", container=None, bold: bool = False) -> None:
        """Write an element that starts its own paragraph(s)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt, RGBColor

        classes = _classes(element)
        indent, size = self.indent, next((SMALL[c] for c in classes if c in SMALL), None)
        for name in classes & INDENT.keys():
            left, after = INDENT[name]
            self.indent = (Mm(TEXT_MM * float(left[:-1]) / 100 if isinstance(left, str) else left), Mm(after))
        body = container if container is not None else self.document
        before = len(body.paragraphs)
        if "meta" in classes and len(element) == 2 and not _text(element.text).strip():
            self.edges(element, container)
        else:
            self.element(element, align=align, prefix=prefix, container=container, bold=bold)
        self.indent = indent
        written = body.paragraphs[before:]
        if classes & INDENT.keys() and written and indent is None:
            written[-1].paragraph_format.space_after = None  # the block's own margin below
        for paragraph in written if classes & PROSE else ():
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph.paragraph_format.first_line_indent = Mm(10)
            paragraph.paragraph_format.space_after = Mm(3)
        colour = GREY if size else next((RED[c] for c in classes if c in RED), None)
        if colour:
            for paragraph in written:
                if size:
                    paragraph.paragraph_format.line_spacing = Pt(size * 1.4)
                for run in paragraph.runs:
                    run.font.size = Pt(size) if size else run.font.size
                    run.font.color.rgb = RGBColor.from_string(colour)

    def footer(self, style: str) -> None:
        """The page footer of `documents/base.html` («бет 1 / 2»): its words, and Word's page fields."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        match = re.search(r'content:\s*"([^"]*)"\s*counter\(page\)\s*"([^"]*)"\s*counter\(pages\)', style)
        if not match:
            return
        self.document.styles["Footer"].font.size = Pt(8)
        paragraph = self.document.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for part in (match[1], "PAGE", match[2], "NUMPAGES"):
            run = _field(paragraph, part) if part in ("PAGE", "NUMPAGES") else paragraph.add_run(part)
            run.font.size, run.font.color.rgb = Pt(8), RGBColor.from_string(GREY)

    def edges(self, element, container) -> None:
        """`display: flex; justify-content: space-between` of two parts: a right tab stop between them."""
        from docx.enum.text import WD_TAB_ALIGNMENT
        from docx.shared import Mm

        paragraph = self.new_paragraph(align=None, container=container)
        paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_MM), WD_TAB_ALIGNMENT.RIGHT)
        first, second = element
        self.inline(first, paragraph, bold=False)
        paragraph.add_run("\t")
        self.inline(second, paragraph, bold=False)
        self.paragraph = None

    def element(self, element, *, align, prefix: str, container, bold: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in SKIP or "no-docx" in _classes(element):
            return
        classes = _classes(element)
        if "page-break-before" in (element.get("style") or "") or "copy" in classes or "page" in classes:
            self.page_break = self.page_break or bool(len(self.document.paragraphs))
        if classes & CENTRE or tag == "h1":
            align = "centre"
        if tag == "table":
            self.table(element, borders="sign" not in classes and "cols" not in classes and "numbers" not in classes)
            self.paragraph = None
            self.after_table = True
            return
        if tag in ("ol", "ul"):
            for n, item in enumerate(element.iterchildren("li"), 1):
                mark = f"{n}. " if tag == "ol" else "• "
                self.block(item, align=align, prefix=mark, container=container)
            self.paragraph = None
            return
        style = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3", "h4": "Heading 3"}.get(tag)
        bold = bold or tag in ("h1", "h2", "h3", "h4") or bool(classes & BOLD)
        has_blocks = any(isinstance(c.tag, str) and c.tag in BLOCKS for c in element)
        if not has_blocks:
            paragraph = self.new_paragraph(style=style, align=align, container=container)
            if prefix:
                paragraph.add_run(prefix)
            self.inline(element, paragraph, bold=bold, first=not prefix)
            self.paragraph = None
            return
        # mixed content: loose text and inline children gather into paragraphs between the blocks
        self.paragraph = None
        pending = prefix
        if _text(element.text).strip():
            self.loose(element.text, align, container, bold, pending)
            pending = ""
        for child in element:
            if isinstance(child.tag, str) and child.tag in BLOCKS:
                self.paragraph = None
                self.block(child, align=align, container=container, bold=bold)
            elif isinstance(child.tag, str) and child.tag not in SKIP:
                current: Paragraph | None = self.paragraph  # loose text may have opened one
                if current is None:
                    current = self.new_paragraph(align=align, container=container)
                    if pending:
                        current.add_run(pending)
                        pending = ""
                self.inline_element(child, current, bold=bold)
            if _text(child.tail).strip():
                self.loose(child.tail, align, container, bold, pending)
                pending = ""
        self.paragraph = None

    def loose(self, text, align, container, bold, prefix) -> None:
        paragraph = self.paragraph
        if paragraph is None:
            paragraph = self.new_paragraph(align=align, container=container)
            if prefix:
                paragraph.add_run(prefix)
            text = _text(text).lstrip()
        paragraph.add_run(_text(text)).bold = bold or None

    # runs --------------------------------------------------------------------------------

    def inline(self, element, paragraph, *, bold: bool, first: bool = True) -> None:
        text = _text(element.text)
        if first:
            text = text.lstrip()
        if text:
            paragraph.add_run(text).bold = bold or None
        for child in element:
            self.inline_element(child, paragraph, bold=bold)
            if child.tail and _text(child.tail):
                paragraph.add_run(_text(child.tail)).bold = bold or None

    def inline_element(self, child, paragraph, *, bold: bool) -> None:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or tag in SKIP or "no-docx" in _classes(child):
            return
        if tag == "br":
            paragraph.add_run().add_break()
        elif tag == "img":
            self.image(paragraph, child)
        elif tag == "svg":
            from lxml import etree

            self.image(paragraph, None, svg=etree.tostring(child))
        else:
            strong = bold or tag in ("strong", "b") or bool(_classes(child) & {"label", "n"})
            if "line" in _classes(child):  # a 45 mm signature line: underlined no-break spaces, no text
                paragraph.add_run("\u00a0" * 47).font.underline = True
            self.inline(child, paragraph, bold=strong, first=False)

    def image(self, paragraph, element, *, svg: bytes | None = None) -> None:
        from docx.shared import Mm

        png, width = None, 160
        if element is not None:
            source = element.get("src") or ""
            width = _width_mm(element) or (
                60 if "qr" in source[:40] or element.getparent().get("class") == "qr" else 160
            )
            if source.startswith("data:"):
                head, _, payload = source.partition(",")
                raw = base64.b64decode(payload) if head.endswith(";base64") else urllib.parse.unquote(payload).encode()
                if "svg" in head:
                    svg = raw
                else:
                    png = raw
        if svg is not None:
            import cairosvg

            png = cairosvg.svg2png(bytestring=svg, output_width=int(width / 25.4 * 200))
        if png:
            paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width))

    # tables ------------------------------------------------------------------------------

    def table(self, element, *, borders: bool) -> None:
        from docx.enum.table import WD_ALIGN_VERTICAL
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt, RGBColor

        rows = element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        if not rows:
            return
        width = max(len([c for c in tr if c.tag in ("td", "th")]) for tr in rows)
        table = self.document.add_table(rows=0, cols=width)
        if borders:
            table.style = "Table Grid"
        sign = "sign" in _classes(element)
        _cell_margins(table, Mm(1.5 if sign else 2), Mm(6 if sign else 1.5), Mm(0 if sign else 1.5))
        widths = _column_widths(element, width)
        if widths:
            table.autofit = False
            for column, mm in zip(table.columns, widths, strict=True):
                column.width = Mm(mm)
        for tr in rows:
            cells = table.add_row().cells
            for n, (cell, td) in enumerate(zip(cells, [c for c in tr if c.tag in ("td", "th")], strict=False)):
                if widths:
                    cell.width = Mm(widths[n])
                if "sigline" in _classes(td):
                    _bottom_border(cell)
                if sign:
                    cell.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.space_after = 0
                header = td.tag == "th"
                if "num" in _classes(td):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if any(isinstance(c.tag, str) and c.tag in BLOCKS - {"div"} for c in td):
                    cell._element.remove(paragraph._element)
                    self.block(td, align=None, container=cell, bold=header)
                    if not cell.paragraphs:
                        cell.add_paragraph()
                elif "sigline" not in _classes(td):
                    self.inline(td, paragraph, bold=header)
                size = next((SMALL[c] for c in _classes(td) if c in SMALL), None)
                if size:
                    for cell_paragraph in cell.paragraphs:
                        cell_paragraph.paragraph_format.line_spacing = Pt(size * 1.4)
                        for run in cell_paragraph.runs:
                            run.font.size = Pt(size)
                for run in paragraph.runs if header else ():
                    run.font.color.rgb = RGBColor(0, 0, 0)
                if header:
                    _shade(cell, "EEEEEE")


def _column_widths(table, count: int) -> list[float] | None:
    """The widths (mm) of a table's `<col style="width: N%|Nmm">`; the columns without one share the rest."""
    cols = table.xpath("./colgroup/col|./col")
    if not cols:
        return None
    given = []
    for col in cols[:count]:
        match = re.search(r"width:\s*([\d.]+)(%|mm)", col.get("style") or "")
        given.append(None if not match else float(match[1]) * (TEXT_MM / 100 if match[2] == "%" else 1))
    given += [None] * (count - len(given))
    rest = TEXT_MM - sum(w for w in given if w)
    share = rest / max(1, given.count(None))
    return [w if w else share for w in given]


def _cell_margins(table, width, top, bottom) -> None:
    """The cells' padding (CSS `padding` of td)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side, size in (("top", top), ("left", width), ("bottom", bottom), ("right", width)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(int(size.twips)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        properties.append(margins)


def _shade(cell, colour: str) -> None:
    """A header cell's background (CSS `th { background: #eee }`)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", colour)):
        shading.set(qn(f"w:{key}"), value)
    properties = cell._tc.get_or_add_tcPr()
    after = properties.find(qn("w:vAlign"))
    if after is not None:
        after.addprevious(shading)
    else:
        properties.append(shading)


def _field(paragraph, code: str):
    """A Word field (PAGE, NUMPAGES) in a run of its own."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text is not None and text.strip() == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    return run


def _bottom_border(cell) -> None:
    """A signature line: the cell's bottom border (a `div` with border-bottom in the PDF)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    cell._tc.get_or_add_tcPr().append(borders)


def _width_mm(element) -> int | None:
    match = re.search(r"width:\s*(\d+)mm", element.get("style") or "")
    return int(match.group(1)) if match else None
