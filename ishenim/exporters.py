"""Exporters: a subclass names its columns and yields rows; the base writes CSV or XLSX."""

import csv
import io
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from ishenim.documents import file_response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Exporter(ABC):
    filename = "export"
    sheet_title = "Ishenim"

    @abstractmethod
    def headers(self) -> Sequence[str]: ...

    @abstractmethod
    def rows(self) -> Iterable[Sequence]: ...

    def csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(h) for h in self.headers()])
        writer.writerows(self.rows())
        return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel opens Cyrillic CSV right

    def xlsx(self) -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(self.sheet_title)[:31])
        header = []
        for title in self.headers():
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(sheet, value=str(title))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in self.rows():
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def response(self, fmt: str) -> HttpResponse:
        if fmt == "xlsx":
            return file_response(self.xlsx(), f"{self.filename}.xlsx", XLSX_TYPE)
        return file_response(self.csv(), f"{self.filename}.csv", "text/csv; charset=utf-8")
