"""What a park workbook may cost to read (engine/intake/workbook.py): an .xlsx is a zip of XML, so
a small file can unpack to hundreds of MB ("zip bomb") or declare a million empty rows that
openpyxl would hand out one by one. The reader refuses a workbook that unpacks to more than
MAX_WORKBOOK_UNPACKED before unpacking anything, and stops reading at MAX_SHEET_ROWS rows of a
sheet or MAX_WORKBOOK_CELLS cells, naming the file, the sheet and the row; a realistic park
workbook (the largest bench park, 2,000 enterprises) reads well within the bounds.

The crafted workbooks are a real park workbook with one sheet's XML replaced (`with_sheet`);
the HTTP side of the bounds is in tests/test_service_workbook.py.
"""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from engine.errors import InputError, InputTooLarge
from engine.facts.loader import load_park
from engine.intake import load_workbook_bytes, workbook
from engine.intake.convert import write_park

ROOT = Path(__file__).resolve().parent.parent
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_SHEET_XML = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</worksheet>'


def park_workbook(example: str = "typical_municipal_park") -> bytes:
    """The example park as the workbook `greenpark convert --to xlsx` writes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{example}.xlsx"
        write_park(yaml.safe_load((ROOT / "examples" / f"{example}.yaml").read_text(encoding="utf-8")), out, "xlsx")
        return out.read_bytes()


def with_sheet(book: bytes, title: str, sheet_data: bytes, compress_type: int = zipfile.ZIP_DEFLATED) -> bytes:
    """`book` with the XML of sheet `title` replaced by a worksheet holding `sheet_data`."""
    src = zipfile.ZipFile(io.BytesIO(book))
    rid = next(s.get(_REL + "id") for s in ElementTree.fromstring(src.read("xl/workbook.xml")).iter(_MAIN + "sheet")
               if s.get("name") == title)
    rels = ElementTree.fromstring(src.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid).lstrip("/")
    part = target if target.startswith("xl/") else "xl/" + target
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = _SHEET_XML % sheet_data if info.filename == part else src.read(info.filename)
            dst.writestr(info.filename, data, compress_type=compress_type if info.filename == part
                         else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def bomb(book: bytes, unpacked: int) -> bytes:
    """`book` whose enterprise sheet holds rows of numbers adding up to `unpacked` bytes of XML:
    a zip of well under 1 MB (repeated XML compresses about 1000:1)."""
    row = b"<row>" + b"<c><v>1</v></c>" * 40 + b"</row>"
    return with_sheet(book, "企业", b"<sheetData>" + row * (unpacked // len(row) + 1) + b"</sheetData>")


@pytest.fixture(scope="module")
def book() -> bytes:
    return park_workbook()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(book, tmp_path):
    bombed = bomb(book, 60_000_000)
    assert len(bombed) < 1_000_000
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bombed)
    declared = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert declared > workbook.MAX_WORKBOOK_UNPACKED
    with pytest.raises(InputTooLarge) as caught:
        load_park(path)
    err = caught.value
    assert (err.what, err.size, err.limit) == ("unpacked", declared, workbook.MAX_WORKBOOK_UNPACKED)
    [line] = err.lines()
    assert line.startswith(f"{path}: 工作簿解压后为 ")
    assert f"({declared:,} bytes), over the limit of 50.0 MB (50,000,000 bytes) for a workbook " \
           "(MAX_WORKBOOK_UNPACKED)" in line
    # the CLI: exit 2 naming the file, no traceback, nothing written
    out = tmp_path / "park.json"
    r = CliRunner().invoke(app, ["convert", str(path), "--to", "json", "-o", str(out)])
    assert r.exit_code == 2 and str(path) in r.output and "MAX_WORKBOOK_UNPACKED" in r.output, r.output
    assert "Traceback" not in r.output and not out.exists()
    r = CliRunner().invoke(app, ["assess", str(path)])
    assert r.exit_code == 2 and f"{path}: 工作簿解压后为" in r.output, r.output


def test_the_in_memory_reader_takes_its_own_unpacked_limit(book):
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(book)).infolist())
    park, _ = load_workbook_bytes(book, "body", max_unpacked=unpacked)          # exactly at the limit
    assert park.profile.id
    with pytest.raises(InputTooLarge) as caught:
        load_workbook_bytes(book, "body", max_unpacked=unpacked - 1)
    assert (caught.value.size, caught.value.limit) == (unpacked, unpacked - 1)
    assert "max_workbook_unpacked_bytes" in caught.value.lines()[0]


def test_a_sheet_that_declares_the_whole_grid_stops_at_the_cell_limit(book, tmp_path):
    """62 kB that openpyxl would read as 1,048,576 rows of 16,384 empty cells (its dimension and
    one far cell): reading stops once a million cells are read, by row 62."""
    lying = with_sheet(book, "企业", b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
                                   b'<c r="XFD1048576"><v>1</v></c></row></sheetData>')
    path = tmp_path / "lying.xlsx"
    path.write_bytes(lying)
    with pytest.raises(InputTooLarge) as caught:
        load_park(path)
    err = caught.value
    assert err.what == "cells" and err.limit == workbook.MAX_WORKBOOK_CELLS < err.size
    [line] = err.lines()
    assert line.startswith(f"{path}:企业: 工作簿超过 1,000,000 个单元格的上限（MAX_WORKBOOK_CELLS）")
    stopped = re.search(r"reading stopped at row (\d+) of sheet '企业'", line)
    assert stopped and int(stopped.group(1)) <= 62                    # 16,384 cells a row
    assert err.size <= workbook.MAX_WORKBOOK_CELLS + 16_384


def test_a_sheet_of_endless_empty_rows_stops_at_the_row_limit(book):
    def far(row: int) -> bytes:
        return with_sheet(book, "企业", b'<sheetData><row r="%d"><c r="A%d"><v>1</v></c></row></sheetData>' % (row, row))

    with pytest.raises(InputTooLarge) as caught:
        load_workbook_bytes(far(5_000_000), "body")
    err = caught.value
    assert (err.what, err.size, err.limit) == ("rows", 100_001, workbook.MAX_SHEET_ROWS)
    assert err.problems[0].file == "body:企业"
    assert "sheet '企业' has more than 100,000 rows, the limit for a sheet (MAX_SHEET_ROWS): reading stopped " \
           "at row 100,001" in err.lines()[0]
    # a sheet of exactly the limit is read
    grids = workbook.read_workbook_bytes(far(workbook.MAX_SHEET_ROWS), "body")
    assert len(next(g for g in grids if g.title == "企业").rows) == workbook.MAX_SHEET_ROWS


def test_a_part_compressed_other_than_deflate_is_refused(book):
    """bzip2 and lzma parts are unpacked by zipfile without a bound per step: not a workbook's."""
    odd = with_sheet(book, "企业", b"<sheetData/>", compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(InputError, match="cannot read workbook") as caught:
        load_workbook_bytes(odd, "body")
    assert "compressed with zip method 12" in caught.value.lines()[0]


def test_the_largest_bench_park_reads_well_within_the_bounds(tmp_path):
    from bench.make_parks import large_park
    path = tmp_path / "large.xlsx"
    write_park(large_park(2000), path, "xlsx")
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert unpacked * 10 < workbook.MAX_WORKBOOK_UNPACKED               # 2.7 MB of 50 MB
    grids = workbook.read_workbook(path)
    assert sum(len(r) for g in grids for r in g.rows) * 10 < workbook.MAX_WORKBOOK_CELLS
    assert max(len(g.rows) for g in grids) * 10 < workbook.MAX_SHEET_ROWS
    assert len(load_park(path).enterprises) == 2000
