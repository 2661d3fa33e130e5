"""CSV export: no cell a spreadsheet would run, per OWASP's CSV Injection rules."""

from __future__ import annotations

import csv
import io

import pytest

from bot.insights.issue_routes import FIELDS, as_csv, csv_cell


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t'=1+1"),  # a tab begins a cell, and separates one in a TSV reader
        ("\r1", "'\r1"),
        ("\n1", "'\n1"),
        ("  =1+1", "'  =1+1"),  # spaces before it do not hide it
        ("＝1+1", "'＝1+1"),  # fullwidth forms
        ("＋1+1", "'＋1+1"),
        ("－1+1", "'－1+1"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("﹦1+1", "'﹦1+1"),  # the small equals sign is `=` to NFKC too
        # after a separator: a new cell where `;` separates (decimal-comma locales), or `,`
        ("x;=1+1", "x;'=1+1"),
        ("x,=1+1", "x,'=1+1"),
        ("x; -2+3", "x; '-2+3"),
        ('x";=1+1', "x\";'=1+1"),  # a quote closing the cell early
        ("x\n@A1", "x\n'@A1"),
        ("x;＝1+1", "x;'＝1+1"),
        ("=1;=2", "'=1;'=2"),
    ],
)
def test_a_formula_anywhere_a_cell_can_begin_is_text(title: str, cell: str) -> None:
    assert csv_cell(title) == cell


@pytest.mark.parametrize(
    "value",
    ["Checkout down", "INC-42", "2026-01-05T09:00:00Z", "api-gw", "a=b", "x -1", "it's", ""],
)
def test_plain_cells_stay_as_they_are(value: str) -> None:
    assert csv_cell(value) == value


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_no_reader_finds_a_cell_that_begins_with_a_formula(delimiter: str) -> None:
    row = dict.fromkeys(FIELDS, "") | {"key": "INC-1", "title": 'x;=1+1,=2+2";@A1'}
    text = as_csv([row])
    cells = [cell for line in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in line]
    if delimiter == ";":  # the `;` reader did split the title: its pieces are text
        assert "'=1+1,'=2+2\"\"" in cells
    assert not [cell for cell in cells if cell.lstrip(' "')[:1] in ("=", "+", "-", "@")]
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["title"] == "x;'=1+1,'=2+2\";'@A1"  # one cell, all of it
