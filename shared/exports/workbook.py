"""xlsx workbooks of any length in constant memory: xlsxwriter's ``constant_memory`` mode keeps each sheet's rows
in a temporary file, so memory does not grow with the number of rows (the choice against openpyxl's write-only
mode is measured in bench/exports.py and explained in BENCHMARKS.md). xlsxwriter makes the file; data rows are
put in its row file a row at a time, as the XML it would write for them cell by cell (see Sheet).

Every sheet has a frozen, bold header row, an autofilter over its columns and widths by column type. Cells
are typed: numbers as numbers, times as Excel dates (UTC), text as text. Text that a spreadsheet would
take for a formula or a command (starting with = + - @, a tab or a carriage return) is written as a string
cell with Excel's quote prefix, so it stays text when shown, edited or re-saved; headers too. Nothing is
ever written as a formula.

xlsxwriter is imported when a workbook is made: most functions never write one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

# What Excel reads as the start of a formula (= + - @) or what CSV tools turn into one (tab, CR).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 1_048_576  # rows of a sheet, the header included
MAX_SHEET_NAME = 31
STRING_MAX = 32_767  # characters of a cell, in UTF-16 units
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ColumnType(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # any number, shown as Excel's General format shows it
    INTEGER = "integer"
    DATETIME = "datetime"  # timezone-aware datetimes, written in UTC
    DATE = "date"
    VALUE = "value"  # numbers as numbers, times as times, anything else as text (an answer of any type)


_WIDTHS = {
    ColumnType.TEXT: 18,
    ColumnType.NUMBER: 12,
    ColumnType.INTEGER: 10,
    ColumnType.DATETIME: 20,
    ColumnType.DATE: 12,
    ColumnType.VALUE: 18,
}
_FORMATS = {ColumnType.DATETIME: "yyyy-mm-dd hh:mm:ss", ColumnType.DATE: "yyyy-mm-dd"}
MIN_WIDTH, MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Column:
    header: str
    type: ColumnType = ColumnType.TEXT
    width: float | None = None  # None: by type, widened to fit the header
    number_format: str | None = None  # None: by type (times as yyyy-mm-dd hh:mm:ss, numbers as General)

    @property
    def display_width(self) -> float:
        if self.width is not None:
            return self.width
        return float(min(MAX_WIDTH, max(MIN_WIDTH, _WIDTHS[self.type], len(self.header) + 2)))


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def utc_naive(moment: datetime) -> datetime:
    """Excel has no time zones: an aware time as UTC wall-clock time (naive ones are taken as UTC already)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def sheet_name(name: str) -> str:
    """A name Excel accepts: no []:*?/\\, not blank, at most 31 characters."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("' ") or "Sheet"
    return cleaned[:MAX_SHEET_NAME]


class Workbook:
    """One xlsx file being written. Sheets are written one after the other, each to the end, then ``close``."""

    def __init__(
        self, path: Path, *, tmpdir: Path | None = None, title: str | None = None, max_rows: int = MAX_ROWS
    ) -> None:
        import xlsxwriter

        self.max_rows = max_rows
        self._book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": str(tmpdir) if tmpdir else None,
                # write() is never called, but should anything reach it, it must not guess.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "use_zip64": True,
            },
        )
        if title:
            self._book.set_properties({"title": title})
        self._header = self._book.add_format({"bold": True, "bottom": 1, "text_wrap": False})
        self._header_quoted = self._book.add_format({"bold": True, "bottom": 1, "quote_prefix": True})
        self._quoted = self._book.add_format({"quote_prefix": True})
        self._formats = {kind: self._book.add_format({"num_format": fmt}) for kind, fmt in _FORMATS.items()}
        # Each format's number in the file, fixed now rather than by which cell happens to use it first.
        for cell_format in (self._header, self._header_quoted, self._quoted, *self._formats.values()):
            cell_format._get_xf_index()
        self._custom: dict[str, Any] = {}
        self._names: set[str] = set()
        self._current: Sheet | None = None
        self.rows_by_sheet: dict[str, int] = {}

    def sheet(self, name: str, columns: Sequence[Column]) -> Sheet:
        """Start a sheet; the previous one is finished (autofilter set) first."""
        if self._current is not None:
            self._current.finish()
        self._current = Sheet(self, name, list(columns))
        return self._current

    def close(self) -> None:
        if self._current is not None:
            self._current.finish()
            self._current = None
        self._book.close()

    # -- for Sheet -----------------------------------------------------------------------------------------

    def _format(self, number_format: str) -> Any:
        if number_format not in self._custom:
            self._custom[number_format] = self._book.add_format({"num_format": number_format})
            self._custom[number_format]._get_xf_index()
        return self._custom[number_format]

    def _new_worksheet(self, name: str) -> Any:
        unique, n = sheet_name(name), 1
        while unique.lower() in self._names:
            n += 1
            suffix = f" ({n})"
            unique = sheet_name(name)[: MAX_SHEET_NAME - len(suffix)] + suffix
        self._names.add(unique.lower())
        return self._book.add_worksheet(unique)


class Sheet:
    """Rows appended to a sheet, each value written as its column's type. A sheet longer than Excel's row
    limit goes on in a sheet of the same name and columns, numbered " (2)", " (3)"...

    The header goes through xlsxwriter's own writes. Data rows are written as xlsxwriter writes a row in
    constant_memory mode (one ``<row>`` of ``<c>`` elements: inline strings, numbers, dates as numbers with
    their format, booleans) but a row at a time: one string per row put together from the column's own
    writer, instead of xlsxwriter's cell tuple, table and attribute lists per cell, which took most of an
    export's time (bench/exports.py). tests/unit/test_export_workbook.py holds the two byte for byte equal."""

    def __init__(self, book: Workbook, name: str, columns: list[Column]) -> None:
        if not columns:
            raise ValueError("a sheet has at least one column")
        self._book = book
        self.name = name
        self.columns = columns
        self.rows = 0  # data rows over all parts
        self._start()

    def _start(self) -> None:
        from xlsxwriter.utility import xl_col_to_name

        book = self._book
        self._ws = ws = book._new_worksheet(self.name)
        self._title = ws.get_name()
        for c, column in enumerate(self.columns):
            ws.set_column(c, c, column.display_width)
        ws.freeze_panes(1, 0)
        for c, column in enumerate(self.columns):
            header = column.header
            ws.write_string(0, c, header, book._header_quoted if is_formula_like(header) else book._header)
        ws._write_single_row(1)  # the header row goes to the sheet's row file; data rows follow it there
        self._row = 1
        self._cells = [_cell_writer(ws, book, column, xl_col_to_name(c)) for c, column in enumerate(self.columns)]

    def _row_xml(self, values: Sequence[Any]) -> str:
        if len(values) > len(self._cells):
            raise ValueError(f"{len(values)} values for {len(self._cells)} columns")
        if self._row >= self._book.max_rows:
            self._finish_part()
            self._start()
        number = str(self._row + 1)
        cells = self._cells
        parts = [f'<row r="{number}">']
        for c, value in enumerate(values):
            if value is not None:
                parts.append(cells[c](number, value))
        self._row += 1
        self.rows += 1
        if len(parts) == 1:
            return ""
        parts.append("</row>")
        return "".join(parts)

    def append(self, values: Sequence[Any]) -> None:
        """One row; None leaves a cell empty. Values beyond the sheet's columns are refused."""
        xml = self._row_xml(values)
        self._ws.fh.write(xml)

    def extend(self, rows: Sequence[Sequence[Any]]) -> None:
        xml: list[str] = []
        for values in rows:
            if self._row >= self._book.max_rows:  # the rows so far belong to the part that ends here
                self._ws.fh.write("".join(xml))
                xml = []
            xml.append(self._row_xml(values))
        self._ws.fh.write("".join(xml))

    def _finish_part(self) -> None:
        ws, last = self._ws, self._row - 1
        if last >= 1:  # the sheet's dimension, as xlsxwriter's own writes would have left it
            ws._check_dimensions(last, 0)
        ws.previous_row = self._row  # nothing may be written above the rows written here
        ws.autofilter(0, 0, max(last, 1), len(self.columns) - 1)
        self._book.rows_by_sheet[self._title] = last

    def finish(self) -> None:
        self._finish_part()


# What xlsxwriter escapes or marks in an inline string (control characters, its own _xHHHH_ escapes, the
# non-characters U+FFFE and U+FFFF, XML's & < >, leading or trailing white space). Text without any of them is
# written as it is.
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_INF = float("inf")


def _inline_text(text: str) -> str:
    """The rest of a ``<t`` element: as xlsxwriter writes an inline string, except that text which looks like
    its rich-string markup (``<r>...</r>``) is escaped like any other instead of being written raw."""
    from xlsxwriter.utility import _preserve_whitespace
    from xlsxwriter.xmlwriter import XMLwriter

    text = XMLwriter._escape_control_characters(text)
    preserve = ' xml:space="preserve">' if _preserve_whitespace(text) else ">"
    return preserve + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_writer(ws: Any, book: Workbook, column: Column, letters: str) -> Callable[[str, Any], str]:
    """The function that makes the ``<c>`` element of a value of ``column`` in row ``number`` (a string of
    the 1-based row number)."""
    kind = column.type
    number_format = book._format(column.number_format) if column.number_format else book._formats.get(kind)
    time_format = (
        number_format if kind in (ColumnType.DATETIME, ColumnType.DATE) else book._formats[ColumnType.DATETIME]
    )
    opening = f'<c r="{letters}'

    def style(cell_format: Any) -> str:
        return f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""

    text_plain = '" t="inlineStr"><is><t'
    text_quoted = f'"{style(book._quoted)} t="inlineStr"><is><t'
    number_tail = f'"{style(number_format)}><v>'
    time_tail = f'"{style(time_format)}><v>'
    convert_time = ws._convert_date_time

    def text(number: str, value: Any) -> str:
        s = value if value.__class__ is str else str(value)
        if not s:
            return ""
        tail = text_quoted if s.startswith(FORMULA_TRIGGERS) else text_plain
        if len(s) > STRING_MAX // 2:  # Excel's limit, in UTF-16 units, as xlsxwriter truncates
            from xlsxwriter.utility import _utf16_len, _utf16_truncate

            if _utf16_len(s) > STRING_MAX:
                s = _utf16_truncate(s, STRING_MAX)
        if _NEEDS_CARE.search(s) is None:
            return f"{opening}{number}{tail}>{s}</t></is></c>"
        return f"{opening}{number}{tail}{_inline_text(s)}</t></is></c>"

    def numeric(number: str, value: Any) -> str:
        cls = value.__class__
        if cls is int or cls is float:
            if -_INF < value < _INF:
                return f"{opening}{number}{number_tail}{value:.16G}</v></c>"
            return text(number, value)  # NaN and infinities have no cell type of their own: shown as text
        if cls is Decimal:
            return numeric(number, float(value))
        if cls is bool:
            return f'{opening}{number}" t="b"><v>{1 if value else 0}</v></c>'
        if isinstance(value, date):
            return moment(number, value)
        if isinstance(value, int | float):
            return numeric(number, int(value) if isinstance(value, int) else float(value))
        return text(number, value)

    def moment(number: str, value: Any) -> str:
        if isinstance(value, datetime):
            return f"{opening}{number}{time_tail}{convert_time(utc_naive(value)):.16G}</v></c>"
        if isinstance(value, date):
            day = datetime(value.year, value.month, value.day)
            return f"{opening}{number}{time_tail}{convert_time(day):.16G}</v></c>"
        return text(number, value)

    match kind:
        case ColumnType.NUMBER | ColumnType.INTEGER | ColumnType.VALUE:
            return numeric
        case ColumnType.DATETIME | ColumnType.DATE:
            return moment
    return text
