"""Adversarial XLSX files, each small enough to upload (≤ 1 MiB): for tests and the benchmark."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ["楼栋", "单元/房号", "姓名", "手机"]
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def workbook(sheet_xml: str | bytes, shared: list[str] | None = None,
             shared_xml: bytes | None = None) -> bytes:  # fmt: skip
    """A minimal workbook whose first sheet is ``sheet_xml`` (the part's whole text)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        shared_type = (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        has_shared = shared is not None or shared_xml is not None
        types = CONTENT_TYPES.replace("</Types>", shared_type + "</Types>") if has_shared else CONTENT_TYPES
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="业主" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None or shared_xml is not None:
            body = shared_xml or (
                f'<?xml version="1.0"?><sst xmlns="{MAIN}">'
                + "".join(f"<si><t>{s}</t></si>" for s in shared or [])
                + "</sst>"
            ).encode()
            z.writestr("xl/sharedStrings.xml", body)
    return out.getvalue()


def _row(number: int, values: list[str]) -> str:
    cols = "ABCDEFGH"
    cells = "".join(
        f'<c r="{cols[i]}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def sheet(rows: str, after: str = "") -> str:
    return f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData>{after}</worksheet>'


def sparse_far_cell() -> bytes:
    rows = _row(1, HEADER) + _row(2, ["1栋", "1-101", "王芳", "13800138000"])
    return workbook(sheet(rows + _row(1048576, ["x"])))


def many_merges(n: int = 60_000) -> bytes:
    merges = "".join(f'<mergeCell ref="A{i}:D{i + 1}"/>' for i in range(2, n + 2))
    return workbook(sheet(_row(1, HEADER), f'<mergeCells count="{n}">{merges}</mergeCells>'))


def huge_shared_strings(n: int = 300_000) -> bytes:
    rows = _row(1, HEADER)
    return workbook(sheet(rows), shared=[f"s{i}" for i in range(n)])


def deep_xml(depth: int = 100_000) -> bytes:
    deep = "<x>" * depth + "</x>" * depth
    return workbook(sheet(_row(1, HEADER) + f"<row r=\"2\">{deep}</row>"))


def entity_bomb() -> bytes:
    doctype = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + "]>"
    )
    return workbook(doctype + f'<worksheet xmlns="{MAIN}"><sheetData>{_row(1, ["&lol9;"])}</sheetData></worksheet>')


def many_columns(n: int = 16_000) -> bytes:
    cells = "".join(f'<c r="{_col(i)}2"><v>{i}</v></c>' for i in range(1, n + 1))
    return workbook(sheet(_row(1, HEADER) + f'<row r="2">{cells}</row>'))


def _col(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


CORPUS: dict[str, Callable[[], bytes]] = {
    "sparse far cell (row 1,048,576)": sparse_far_cell,
    "60,000 merged ranges": many_merges,
    "300,000 shared strings": huge_shared_strings,
    "XML nested 100,000 deep": deep_xml,
    "entity expansion (DTD)": entity_bomb,
    "16,000 columns in a row": many_columns,
}


def empty_rows(n: int = 400_000) -> bytes:
    rows = _row(1, HEADER) + "".join(f'<row r="{i}"/>' for i in range(2, n + 2))
    return workbook(sheet(rows))


CORPUS["400,000 empty rows"] = empty_rows
