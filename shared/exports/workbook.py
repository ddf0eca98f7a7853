"""xlsx workbooks of any length in constant memory: xlsxwriter's ``constant_memory`` mode writes each row to a
temporary file as soon as the next one starts, so memory does not grow with the number of rows (the choice
against openpyxl's write-only mode is measured in bench/exports.py and explained in BENCHMARKS.md).

Every sheet has a frozen, bold header row, an autofilter over its columns and widths by column type. Cells
are typed: numbers as numbers, times as Excel dates (UTC), text as text. Text that a spreadsheet would
take for a formula or a command (starting with = + - @, a tab or a carriage return) is written as a string
cell with Excel's quote prefix, so it stays text when shown, edited or re-saved; headers too. Nothing is
ever written as a formula.

xlsxwriter is imported when a workbook is made: most functions never write one.
"""

from __future__ import annotations

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
    limit goes on in a sheet of the same name and columns, numbered " (2)", " (3)"..."""

    def __init__(self, book: Workbook, name: str, columns: list[Column]) -> None:
        if not columns:
            raise ValueError("a sheet has at least one column")
        self._book = book
        self.name = name
        self.columns = columns
        self.rows = 0  # data rows over all parts
        self._start()

    def _start(self) -> None:
        book = self._book
        self._ws = ws = book._new_worksheet(self.name)
        self._title = ws.get_name()
        for c, column in enumerate(self.columns):
            ws.set_column(c, c, column.display_width)
        ws.freeze_panes(1, 0)
        for c, column in enumerate(self.columns):
            header = column.header
            ws.write_string(0, c, header, book._header_quoted if is_formula_like(header) else book._header)
        self._row = 1
        self._writers = [self._writer(column) for column in self.columns]

    def _writer(self, column: Column) -> Callable[[int, int, Any], None]:
        book, kind = self._book, column.type
        ws, quoted = self._ws, book._quoted
        # xlsxwriter's typed writes without the A1-notation wrapper of the public ones (the same methods
        # write() and write_row() dispatch to): a cell costs a few microseconds, and there are millions.
        write_string, write_number, write_datetime = ws._write_string, ws._write_number, ws._write_datetime
        number_format = book._format(column.number_format) if column.number_format else book._formats.get(kind)
        time_format = (
            number_format if kind in (ColumnType.DATETIME, ColumnType.DATE) else book._formats[ColumnType.DATETIME]
        )

        def text(r: int, c: int, value: Any) -> None:
            s = value if value.__class__ is str else str(value)
            if not s:
                return
            if s.startswith(FORMULA_TRIGGERS):
                write_string(r, c, s, quoted)
            else:
                write_string(r, c, s)

        def number(r: int, c: int, value: Any) -> None:
            cls = value.__class__
            if cls is int or cls is float:
                write_number(r, c, value, number_format)
            elif cls is Decimal:
                write_number(r, c, float(value), number_format)
            elif cls is bool:
                ws._write_boolean(r, c, value)
            elif isinstance(value, date):
                moment(r, c, value)
            elif isinstance(value, int | float):
                write_number(r, c, value, number_format)
            else:
                text(r, c, value)

        def moment(r: int, c: int, value: Any) -> None:
            if isinstance(value, datetime):
                write_datetime(r, c, utc_naive(value), time_format)
            elif isinstance(value, date):
                write_datetime(r, c, datetime(value.year, value.month, value.day), time_format)
            else:
                text(r, c, value)

        match kind:
            case ColumnType.NUMBER | ColumnType.INTEGER | ColumnType.VALUE:
                return number
            case ColumnType.DATETIME | ColumnType.DATE:
                return moment
        return text

    def append(self, values: Sequence[Any]) -> None:
        """One row; None leaves a cell empty. Values beyond the sheet's columns are refused."""
        if len(values) > len(self._writers):
            raise ValueError(f"{len(values)} values for {len(self._writers)} columns")
        if self._row >= self._book.max_rows:
            self._finish_part()
            self._start()
        r, writers = self._row, self._writers
        for c, value in enumerate(values):
            if value is not None:
                writers[c](r, c, value)
        self._row = r + 1
        self.rows += 1

    def extend(self, rows: Sequence[Sequence[Any]]) -> None:
        for values in rows:
            self.append(values)

    def _finish_part(self) -> None:
        self._ws.autofilter(0, 0, max(self._row - 1, 1), len(self.columns) - 1)
        self._book.rows_by_sheet[self._title] = self._row - 1

    def finish(self) -> None:
        self._finish_part()
