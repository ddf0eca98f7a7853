"""The xlsx writer: text that looks like a formula stays text (headers too), cells carry their types, every
sheet has a frozen header and an autofilter, and a sheet past Excel's row limit goes on in another."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from shared.exports.workbook import Column, ColumnType, Workbook, is_formula_like, sheet_name, utc_naive

INJECTIONS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def read(path: Path) -> Any:
    return openpyxl.load_workbook(path)


def test_text_starting_like_a_formula_stays_text_with_a_quote_prefix(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Workbook(path)
    sheet = book.sheet("Answers", [Column("answer"), Column("any", ColumnType.VALUE)])
    for text in INJECTIONS:
        sheet.append([text, text])
    sheet.append(["plain", "plain"])
    book.close()

    cells = list(read(path)["Answers"].iter_rows(min_row=2))
    for text, (answer, any_value) in zip(INJECTIONS, cells, strict=False):
        for cell in (answer, any_value):
            assert cell.data_type == "s", text
            assert cell.quotePrefix, text
            # The text itself is untouched (a CR comes back in the file's own escape).
            assert cell.value == text.replace("\r", "_x000D_")
    plain = cells[-1][0]
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("plain", "s", False)


def test_headers_that_look_like_formulas_stay_text_too(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Workbook(path)
    book.sheet("S", [Column('=HYPERLINK("http://x","y")'), Column("@score", ColumnType.NUMBER), Column("ok")])
    book.close()

    header = next(read(path)["S"].iter_rows(max_row=1))
    assert [(c.value, c.data_type, c.quotePrefix) for c in header] == [
        ('=HYPERLINK("http://x","y")', "s", True),
        ("@score", "s", True),
        ("ok", "s", False),
    ]
    assert all(c.font.b for c in header)


def test_cells_carry_their_types(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Workbook(path)
    columns = [
        Column("n", ColumnType.NUMBER),
        Column("i", ColumnType.INTEGER),
        Column("at", ColumnType.DATETIME),
        Column("day", ColumnType.DATE),
        Column("value", ColumnType.VALUE),
        Column("text"),
    ]
    sheet = book.sheet("Typed", columns)
    abidjan_noon = datetime(2026, 3, 1, 12, 30, 15, tzinfo=timezone(timedelta(hours=2)))
    sheet.append([Decimal("55.25"), 7, abidjan_noon, date(2026, 3, 1), 4.5, 42])
    sheet.append([0.1, None, datetime(2026, 3, 1, tzinfo=UTC), None, "yes; no", "text"])
    sheet.append([True, None, None, None, None, None])
    book.close()

    rows = list(read(path)["Typed"].iter_rows(min_row=2))
    first = rows[0]
    assert [c.value for c in first] == [55.25, 7, datetime(2026, 3, 1, 10, 30, 15), datetime(2026, 3, 1), 4.5, "42"]
    assert [c.data_type for c in first] == ["n", "n", "d", "d", "n", "s"]
    assert first[2].number_format == "yyyy-mm-dd hh:mm:ss"
    assert first[3].number_format == "yyyy-mm-dd"
    second = rows[1]
    assert [c.value for c in second] == [0.1, None, datetime(2026, 3, 1), None, "yes; no", "text"]
    assert rows[2][0].value is True


def test_every_sheet_has_a_frozen_header_an_autofilter_and_widths_by_type(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Workbook(path)
    data = book.sheet("Data", [Column("id"), Column("submitted at (UTC)", ColumnType.DATETIME),
                               Column("score", ColumnType.NUMBER), Column("notes", width=40)])  # fmt: skip
    data.extend([["a", None, 1, None], ["b", None, 2, None], ["c", None, 3, None]])
    book.sheet("Empty", [Column("only")])
    book.close()

    workbook = read(path)
    assert workbook.sheetnames == ["Data", "Empty"]
    ws = workbook["Data"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D4"
    widths = [ws.column_dimensions[letter].width for letter in "ABCD"]
    # The header widens a column past its type's width; an explicit width wins.
    assert widths[1] > widths[0]
    assert widths[2] < widths[1]
    assert 40 <= widths[3] < 41
    assert workbook["Empty"].auto_filter.ref == "A1:A2"
    assert workbook["Empty"].freeze_panes == "A2"


def test_a_sheet_past_the_row_limit_goes_on_in_a_numbered_sheet_with_the_same_header(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Workbook(path, max_rows=4)  # a header and three rows per sheet
    sheet = book.sheet("Answers", [Column("n", ColumnType.INTEGER)])
    sheet.extend([[n] for n in range(8)])
    book.sheet("About", [Column("k")])
    book.close()

    workbook = read(path)
    assert workbook.sheetnames == ["Answers", "Answers (2)", "Answers (3)", "About"]
    parts = [[c.value for c in col] for name in workbook.sheetnames[:3] for col in workbook[name].iter_cols()]
    assert parts == [["n", 0, 1, 2], ["n", 3, 4, 5], ["n", 6, 7]]
    assert sheet.rows == 8
    assert book.rows_by_sheet == {"Answers": 3, "Answers (2)": 3, "Answers (3)": 2, "About": 0}
    assert workbook["Answers (3)"].auto_filter.ref == "A1:A3"


def test_sheet_names_are_made_acceptable_and_unique(tmp_path: Path) -> None:
    assert sheet_name("a/b:c?") == "a_b_c_"
    assert sheet_name("x" * 40) == "x" * 31
    path = tmp_path / "x.xlsx"
    book = Workbook(path)
    book.sheet("Costs", [Column("a")])
    book.sheet("costs", [Column("a")])
    book.close()
    assert read(path).sheetnames == ["Costs", "costs (2)"]


@pytest.mark.parametrize("values", [[1, 2, 3], ["a", "b", "c", "d"]])
def test_more_values_than_columns_are_refused(tmp_path: Path, values: list[Any]) -> None:
    book = Workbook(tmp_path / "x.xlsx")
    sheet = book.sheet("S", [Column("a"), Column("b")])
    with pytest.raises(ValueError, match="columns"):
        sheet.append(values)
    book.close()


def test_a_value_column_keeps_numbers_times_and_text_apart_and_formats_follow_the_column(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Workbook(path)
    sheet = book.sheet("About", [Column("field"), Column("value", ColumnType.VALUE),
                                 Column("usd", ColumnType.NUMBER, number_format="0.000000000000")])  # fmt: skip
    sheet.append(["rows", 1000, Decimal("0.000001866672")])
    sheet.append(["at", datetime(2026, 3, 1, 8, 0, tzinfo=UTC), None])
    sheet.append(["day", date(2026, 3, 1), None])
    sheet.append(["filters", '{"sector": "ict"}', None])
    book.close()

    rows = [[(c.value, c.data_type, c.number_format) for c in r] for r in read(path)["About"].iter_rows(min_row=2)]
    assert rows[0][1:] == [(1000, "n", "General"), (0.000001866672, "n", "0.000000000000")]
    assert rows[1][1] == (datetime(2026, 3, 1, 8, 0), "d", "yyyy-mm-dd hh:mm:ss")
    assert rows[2][1] == (datetime(2026, 3, 1), "d", "yyyy-mm-dd hh:mm:ss")
    assert rows[3][1] == ('{"sector": "ict"}', "s", "General")


def _typed_writes(path: Path, columns: list[Column], rows: list[list[Any]]) -> None:
    """The same rows through xlsxwriter's own typed writes, cell by cell, with the workbook's formats and rules:
    what the workbook's rows must be byte for byte equal to."""
    book = Workbook(path)
    ws = book._new_worksheet("S")
    for c, column in enumerate(columns):
        ws.set_column(c, c, column.display_width)
    ws.freeze_panes(1, 0)
    for c, column in enumerate(columns):
        ws.write_string(0, c, column.header, book._header_quoted if is_formula_like(column.header) else book._header)
    time_format = book._formats[ColumnType.DATETIME]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            kind = columns[c].type
            number_format = book._format(columns[c].number_format) if columns[c].number_format else None
            if value is None or value == "":
                continue
            if kind is ColumnType.TEXT or isinstance(value, str):
                text = str(value)
                ws.write_string(r, c, text, book._quoted if is_formula_like(text) else None)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, datetime):
                ws.write_datetime(r, c, utc_naive(value), time_format)
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), book._formats[ColumnType.DATE]
                                  if kind is ColumnType.DATE else time_format)  # fmt: skip
            else:
                ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, number_format)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    book._book.close()


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_rows_are_written_byte_for_byte_as_xlsxwriter_writes_them_cell_by_cell(tmp_path: Path) -> None:
    columns = [
        Column("text"),
        Column("n", ColumnType.NUMBER),
        Column("i", ColumnType.INTEGER),
        Column("at", ColumnType.DATETIME),
        Column("day", ColumnType.DATE),
        Column("value", ColumnType.VALUE),
        Column("usd", ColumnType.NUMBER, number_format="0.000000000000"),
    ]
    texts = [*INJECTIONS, "plain", "a & b < c > d \"q\"", "two\nlines", " leading", "trailing ", "tab\tinside",
             "bell\x07", "_x0041_ literal", "non\ufffecharacter\uffff", "emoji \U0001f600", "Résumé ü", "-",
             "="]  # fmt: skip
    rows: list[list[Any]] = []
    for n, text in enumerate(texts):
        rows.append([text, n / 3, n, datetime(2026, 3, 1, 12, n, tzinfo=timezone(timedelta(hours=2))),
                     date(2026, 3, n + 1), text if n % 2 else Decimal(n) / 7, Decimal("0.000001866672")])  # fmt: skip
    rows += [
        [None, None, None, None, None, None, None],
        ["holes", None, 10**20, None, date(2026, 1, 1), datetime(2026, 1, 1, 8, tzinfo=UTC), None],
        [42, -0.0, -7, datetime(1900, 3, 1), date(1900, 1, 1), True, 1e-300],
        ["", 1.5e300, 0, datetime(2026, 12, 31, 23, 59, 59, 999999), None, False, 12345678901234567],
    ]
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    book = Workbook(ours)
    sheet = book.sheet("S", columns)
    sheet.extend(rows[:5])
    for row in rows[5:]:
        sheet.append(row)
    book.close()
    _typed_writes(theirs, columns, rows)

    assert _sheet_xml(ours) == _sheet_xml(theirs)


def test_text_that_looks_like_xlsxwriter_rich_string_markup_is_text_too(tmp_path: Path) -> None:
    # xlsxwriter writes a string that starts with <r> and ends with </r> into the file as it is (its rich strings
    # in constant_memory mode): an answer could break the file. The workbook escapes it like any other text.
    path = tmp_path / "x.xlsx"
    book = Workbook(path)
    sheet = book.sheet("S", [Column("answer"), Column("any", ColumnType.VALUE)])
    sheet.append(["<r>&</r>", "<r><t>bold?</t></r>"])
    book.close()

    row = next(read(path)["S"].iter_rows(min_row=2))
    assert [c.value for c in row] == ["<r>&</r>", "<r><t>bold?</t></r>"]
