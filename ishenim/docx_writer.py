"""A document's HTML (the one its PDF is made from) written as a Word file.

Only what the document templates use: headings, paragraphs, lists, tables, bold
and upper-case runs, line breaks, page breaks and images (SVG charts and QR
codes become PNG). Classes the templates already have steer the layout:
`approval`/`to` align right, `head`/`sub`/h1 centre, `sign` tables have no
borders, `no-docx` is left out (on-screen or PDF-only parts).
"""

from __future__ import annotations

import base64
import io
import re
import urllib.parse

from lxml import html as lxml_html

SKIP = {"head", "style", "script", "title"}
BLOCKS = {"p", "div", "section", "h1", "h2", "h3", "h4", "li", "ol", "ul", "table", "header", "footer", "article"}
RIGHT = {"approval", "to"}
BOLD = {"name", "subject", "title", "danger", "draft"}
CENTRE = {"head", "sub", "school", "lead", "scan", "url", "danger", "qr", "letterhead", "centre", "center", "draft"}


def html_to_docx(markup: str) -> bytes:
    writer = _Writer()
    root = lxml_html.document_fromstring(markup)
    body = root.find("body")
    writer.block(body if body is not None else root, align=None)
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
        for name in ("Heading 1", "Heading 2", "Heading 3"):
            self.document.styles[name].font.name = "Noto Sans"
            self.document.styles[name].font.color.rgb = None
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(20), Mm(16)
        section.top_margin, section.bottom_margin = Mm(18), Mm(20)
        self.paragraph = None
        self.page_break = False

    # blocks -------------------------------------------------------------------------------

    def new_paragraph(self, *, style: str | None = None, align=None, container=None):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        target = container if container is not None else self.document
        paragraph = target.add_paragraph(style=style) if style else target.add_paragraph()
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "centre":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.page_break:
            paragraph.paragraph_format.page_break_before = True
            self.page_break = False
        self.paragraph = paragraph
        return paragraph

    def block(self, element, *, align, prefix: str = "", container=None, bold: bool = False) -> None:
        """Write an element that starts its own paragraph(s)."""
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in SKIP or "no-docx" in _classes(element):
            return
        classes = _classes(element)
        if "page-break-before" in (element.get("style") or "") or "copy" in classes or "page" in classes:
            self.page_break = self.page_break or bool(len(self.document.paragraphs))
        if classes & RIGHT:
            align = "right"
        elif classes & CENTRE or tag == "h1":
            align = "centre"
        if tag == "table":
            self.table(element, borders="sign" not in classes and "cols" not in classes and "numbers" not in classes)
            self.paragraph = None
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
                if self.paragraph is None:
                    self.new_paragraph(align=align, container=container)
                    if pending:
                        self.paragraph.add_run(pending)
                        pending = ""
                self.inline_element(child, self.paragraph, bold=bold)
            if _text(child.tail).strip():
                self.loose(child.tail, align, container, bold, pending)
                pending = ""
        self.paragraph = None

    def loose(self, text, align, container, bold, prefix) -> None:
        if self.paragraph is None:
            self.new_paragraph(align=align, container=container)
            if prefix:
                self.paragraph.add_run(prefix)
            text = _text(text).lstrip()
        self.paragraph.add_run(_text(text)).bold = bold or None

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
            if "line" in _classes(child):
                paragraph.add_run(" ________________ ")
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
        from docx.shared import RGBColor

        rows = element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        if not rows:
            return
        width = max(len([c for c in tr if c.tag in ("td", "th")]) for tr in rows)
        table = self.document.add_table(rows=0, cols=width)
        if borders:
            table.style = "Table Grid"
        for tr in rows:
            cells = table.add_row().cells
            for cell, td in zip(cells, [c for c in tr if c.tag in ("td", "th")], strict=False):
                paragraph = cell.paragraphs[0]
                header = td.tag == "th"
                if any(isinstance(c.tag, str) and c.tag in BLOCKS - {"div"} for c in td):
                    cell._element.remove(paragraph._element)
                    self.block(td, align=None, container=cell, bold=header)
                    if not cell.paragraphs:
                        cell.add_paragraph()
                elif "sigline" in _classes(td):
                    paragraph.add_run("____________________")
                else:
                    self.inline(td, paragraph, bold=header)
                for run in paragraph.runs if header else ():
                    run.font.color.rgb = RGBColor(0, 0, 0)


def _width_mm(element) -> int | None:
    match = re.search(r"width:\s*(\d+)mm", element.get("style") or "")
    return int(match.group(1)) if match else None
