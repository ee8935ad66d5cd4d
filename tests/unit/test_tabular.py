"""Reading uploads at a cost proportional to what is in them: the adversarial XLSX corpus."""

from __future__ import annotations

import io

import openpyxl
import pytest

from portal import xlsx
from portal.errors import InvalidInput
from portal.tabular import read_sheet
from tests.support import xlsx_corpus

MAX_ROWS = 5000


def test_one_cell_at_row_1048576_makes_one_row_not_a_million() -> None:
    sheet = read_sheet(xlsx_corpus.sparse_far_cell(), MAX_ROWS, "roster")
    assert [n for n, _ in sheet.rows] == [1, 2, 1048576]
    assert sheet.rows[2][1] == ["x"]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (xlsx_corpus.many_merges, "roster_too_large"),
        (xlsx_corpus.huge_shared_strings, "roster_too_large"),
        (xlsx_corpus.empty_rows, "roster_too_large"),
        (xlsx_corpus.entity_bomb, "roster_unreadable"),
    ],
)
def test_adversarial_workbooks_are_refused_with_a_stable_code(make: object, code: str) -> None:
    data = make()  # type: ignore[operator]
    assert len(data) <= 1024 * 1024  # each fits in an upload
    with pytest.raises(InvalidInput) as err:
        read_sheet(data, MAX_ROWS, "roster")
    assert err.value.code == code


def test_deep_xml_and_wide_rows_are_read_within_their_caps() -> None:
    deep = read_sheet(xlsx_corpus.deep_xml(), MAX_ROWS, "roster")
    assert [n for n, _ in deep.rows] == [1]
    wide = read_sheet(xlsx_corpus.many_columns(), MAX_ROWS, "roster")
    assert len(wide.rows[1][1]) == xlsx.MAX_COLUMNS


def test_the_element_budget_bounds_any_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ELEMENTS", 50)
    with pytest.raises(InvalidInput) as err:
        read_sheet(xlsx_corpus.many_columns(100), MAX_ROWS, "roster")
    assert err.value.code == "roster_too_large"


def test_merged_cells_are_filled_only_in_the_rows_that_exist() -> None:
    rows = (
        xlsx_corpus._row(1, ["楼栋", "单元/房号", "姓名", "手机"])
        + xlsx_corpus._row(2, ["3栋", "1-101", "王芳", "13800138000"])
        + '<row r="3"><c r="B3" t="inlineStr"><is><t>1-102</t></is></c></row>'
    )
    far = '<mergeCells count="1"><mergeCell ref="A2:A900000"/></mergeCells>'  # costs nothing more
    sheet = read_sheet(xlsx_corpus.workbook(xlsx_corpus.sheet(rows, far)), MAX_ROWS, "roster")
    assert [(n, cells[0]) for n, cells in sheet.rows] == [(1, "楼栋"), (2, "3栋"), (3, "3栋")]


def test_a_workbook_written_by_openpyxl_still_reads() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["楼栋", "单元/房号", "姓名", "手机"])
    ws.append(["3栋", "1-101", "王芳", "13800138000"])
    out = io.BytesIO()
    wb.save(out)
    rows = read_sheet(out.getvalue(), MAX_ROWS, "roster").rows
    assert rows == [(1, ["楼栋", "单元/房号", "姓名", "手机"]), (2, ["3栋", "1-101", "王芳", "13800138000"])]


def test_shared_and_inline_strings_numbers_and_booleans_are_read() -> None:
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>单元</t></is></c>'
        '<c r="C1"><v>13800138000</v></c><c r="D1" t="b"><v>1</v></c><c r="F1"><v>89.5</v></c></row>'
    )
    data = xlsx_corpus.workbook(xlsx_corpus.sheet(cells), shared=["楼栋"])
    ((number, row),) = read_sheet(data, MAX_ROWS, "roster").rows
    assert number == 1 and row == ["楼栋", "单元", 13800138000, True, None, 89.5]
