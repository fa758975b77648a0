"""Excel/CSV intake (engine/intake): the template is generated from the park model, every
example and scenario park round-trips YAML -> xlsx/CSV -> YAML with the same input digest, and
bad workbooks are refused with every problem named by sheet!cell and field path."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli import app
from engine.assessment import input_digest
from engine.errors import InputError
from engine.facts.loader import load_park, load_park_document, park_from_data
from engine.intake.convert import write_park
from engine.intake.layout import workbook_layout

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*.yaml"))
runner = CliRunner()


def _raw(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["park"] if "scenario" in data else data


@pytest.mark.parametrize("path", EXAMPLES + SCENARIOS, ids=lambda p: p.stem)
def test_round_trip_keeps_the_input_digest(path, tmp_path):
    raw = _raw(path)
    digest = input_digest(park_from_data(raw))
    for lang in ("zh", "en") if path in EXAMPLES else ("zh",):      # scenarios: one language keeps it fast
        book = tmp_path / f"park_{lang}.xlsx"
        write_park(raw, book, "xlsx", lang)
        park, doc = load_park_document(book)
        assert input_digest(park) == digest, f"{lang}: xlsx differs"
        back = tmp_path / f"back_{lang}.yaml"
        write_park(doc.data, back, "yaml")
        assert input_digest(load_park(back)) == digest, f"{lang}: xlsx -> yaml differs"
    folder = tmp_path / "csv"
    write_park(raw, folder, "csv", "zh")
    assert input_digest(load_park(folder)) == digest


def test_every_model_field_has_a_column():
    """The sheets' columns are exactly the model's leaf fields (walked here independently)."""
    import typing

    from pydantic import BaseModel

    from engine.facts.models import Park

    def models_in(annotation):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for a in typing.get_args(annotation) for m in models_in(a)]

    def leaves(model, prefix=()):
        out = set()
        for name, f in model.model_fields.items():
            nested = models_in(f.annotation)
            is_list = typing.get_origin(f.annotation) is list or any(     # list[X] | None too
                typing.get_origin(a) is list for a in typing.get_args(f.annotation))
            if nested and not is_list:
                out |= leaves(nested[0], prefix + (name,))
            elif nested:
                out |= {("LIST",) + prefix + (name,)} | {("IN",) + prefix + (name,) + p for p in leaves(nested[0])}
            else:
                out.add(prefix + (name,))
        return out

    expected = leaves(Park)
    got = set()
    for sheet in workbook_layout():
        got |= {c.path for c in sheet.root_columns}
        if sheet.shape == "record":
            got |= {sheet.path + c.path for c in sheet.columns}
        else:
            got |= {("LIST",) + sheet.path} | {("IN",) + sheet.path + c.path for c in sheet.columns}
    assert got == expected


def test_a_new_model_field_shows_up_in_the_template(tmp_path):
    """No list to update: a field added to a model is a column of the template, with its range."""
    from pydantic import Field

    from engine.facts import models as m

    class Enterprise2(m.Enterprise):
        heat_recovery_rate: m.Percent | None = None

    class Park2(m.Park):
        enterprises: list[Enterprise2] = Field(default_factory=list)

    layout = workbook_layout(Park2)
    sheet = next(s for s in layout if s.key == "enterprises")
    column = next(c for c in sheet.columns if c.dotted == "heat_recovery_rate")
    assert (column.kind, column.minimum, column.maximum) == ("percent", 0, 100)
    from engine.intake.workbook import write_workbook
    out = tmp_path / "t.xlsx"
    write_workbook(None, out, "zh", layout=layout)
    ws = load_workbook(out)["企业"]
    cell = next(ws.cell(3, c) for c in range(1, ws.max_column + 1) if ws.cell(2, c).value == "heat_recovery_rate")
    rule = next(dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref)
    assert (rule.type, rule.formula1, rule.formula2) == ("decimal", "0", "100")
    assert "heat_recovery_rate" not in {c.dotted for c in next(s for s in workbook_layout() if s.key == "enterprises").columns}


def test_template_has_validation_lists_ranges_and_instructions(tmp_path):
    out = tmp_path / "t.xlsx"
    r = runner.invoke(app, ["template", "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "填表说明"
    assert "留空表示“未知”" in "\n".join(str(c.value) for c in wb["填表说明"]["A"])
    assert {"园区概况", "年度数据", "企业", "规划目标", "规划任务", "智慧平台"} <= set(wb.sheetnames)
    ent = wb["企业"]
    header = [c.value for c in ent[2]]
    col = header.index("key_energy_user") + 1
    letter = ent.cell(2, col).column_letter
    rules = [dv for dv in ent.data_validations.dataValidation if f"{letter}3" in dv.sqref]
    assert rules and rules[0].type == "list"
    lists = wb["_lists"]
    ref = rules[0].formula1.split("!")[1].replace("$", "").split(":")
    assert [lists[c].value for c in ref] == ["是", "否"]
    years = wb["年度数据"]
    row = next(r for r in range(1, years.max_row + 1) if years.cell(r, 2).value == "air_quality_good_days")
    share = [dv for dv in years.data_validations.dataValidation if f"E{row}" in dv.sqref]
    assert share and (share[0].type, share[0].formula1, share[0].formula2) == ("decimal", "0", "100")
    en = tmp_path / "en.xlsx"
    assert runner.invoke(app, ["template", "--lang", "en", "-o", str(en)]).exit_code == 0
    assert {"instructions", "profile", "years", "enterprises"} <= set(load_workbook(en).sheetnames)


def _book(tmp_path, lang="zh") -> Path:
    out = tmp_path / f"park_{lang}.xlsx"
    write_park(_raw(EXAMPLES[0]), out, "xlsx", lang)
    return out


def _cell(ws, row_path=None, col_path=None, row=None):
    """The cell of a record/years row by field path (column E), or of a table column by path (row `row`)."""
    if row_path is not None:
        r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == row_path)
        return ws.cell(r, 5)
    c = next(c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value == col_path)
    return ws.cell(row, c)


def test_errors_in_three_sheets_are_all_reported_with_sheet_and_cell(tmp_path):
    book = _book(tmp_path)
    wb = load_workbook(book)
    bad = [_cell(wb["园区概况"], row_path="profile.province"), _cell(wb["年度数据"], row_path="air_quality_good_days"),
           _cell(wb["企业"], col_path="key_energy_user", row=4)]
    bad[0].value, bad[1].value, bad[2].value = "火星", 130, "可能"
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_park(book)
    lines = caught.value.lines()
    assert len(lines) == 3, lines
    assert any(f"园区概况!{bad[0].coordinate}: profile.province" in line for line in lines)
    assert any(f"年度数据!{bad[1].coordinate}: years[0].air_quality_good_days: a percentage must be 0-100" in line
               for line in lines)
    assert any(f"企业!{bad[2].coordinate}: enterprises[1].key_energy_user" in line for line in lines)
    r = runner.invoke(app, ["assess", str(book)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert f"企业!{bad[2].coordinate}" in r.output


def test_english_workbook_errors_name_english_sheets(tmp_path):
    book = _book(tmp_path, "en")
    wb = load_workbook(book)
    cell = _cell(wb["enterprises"], col_path="energy_use:unit", row=3)
    cell.value = "kWh"
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_park(book)
    value = _cell(wb["enterprises"], col_path="energy_use", row=3).coordinate
    assert any(f"enterprises!{value}: enterprises[0].energy_use: unit 'kWh'" in l for l in caught.value.lines())


def test_quantity_without_unit_and_text_number_are_located(tmp_path):
    book = _book(tmp_path)
    wb = load_workbook(book)
    _cell(wb["企业"], col_path="energy_use:unit", row=3).value = None
    _cell(wb["年度数据"], row_path="major_env_incidents").value = "一次"
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_park(book)
    text = "\n".join(caught.value.lines())
    assert "no unit" in text and "must be a number, not '一次'" in text


def test_a_blank_plant_sheet_is_unknown_and_none_says_the_park_has_none(tmp_path):
    """污水处理厂 left blank: the plants are not reported (unknown, null), never "no plant"; 无 or
    none alone in the first cell of its first row says the park has none ([]). The emission-factor sheet alike,
    and a park file's [] is written so."""
    book = _book(tmp_path)
    wb = load_workbook(book)
    plants = wb["污水处理厂"]
    for row in plants.iter_rows(min_row=3):
        for cell in row:
            cell.value = None
    wb.save(book)
    park = load_park(book)
    assert park.infrastructure.wastewater_plants is None and park.management.factors is None
    plants["A3"] = "无"
    wb["排放因子"]["A3"] = "None"
    wb.save(book)
    park = load_park(book)
    assert park.infrastructure.wastewater_plants == [] and park.management.factors == []
    raw = _raw(EXAMPLES[0])
    raw["infrastructure"]["wastewater_plants"], raw["management"]["factors"] = [], []
    for lang, word in (("zh", "无"), ("en", "none")):
        out = tmp_path / f"none_{lang}.xlsx"
        write_park(raw, out, "xlsx", lang)
        wb = load_workbook(out)
        sheet = "污水处理厂" if lang == "zh" else "wastewater plants"
        assert wb[sheet]["A3"].value == word and all(c.value is None for c in wb[sheet][4])
        assert load_park(out).infrastructure.wastewater_plants == []


def test_convert_refuses_a_bad_file_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLES[0].read_text(encoding="utf-8").replace("province: 宁夏", "province: 火星"), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    r = runner.invoke(app, ["convert", str(bad), "--to", "xlsx", "-o", str(out)])
    assert r.exit_code == 2 and "profile.province" in r.output and "Traceback" not in r.output
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_convert_both_ways_over_the_cli(tmp_path):
    book, back, js = tmp_path / "p.xlsx", tmp_path / "p.yaml", tmp_path / "p.json"
    assert runner.invoke(app, ["convert", str(EXAMPLES[1]), "--to", "xlsx", "-o", str(book)]).exit_code == 0
    assert runner.invoke(app, ["convert", str(book), "--to", "yaml", "-o", str(back)]).exit_code == 0
    assert runner.invoke(app, ["convert", str(book), "--to", "json", "-o", str(js)]).exit_code == 0
    digest = input_digest(load_park(EXAMPLES[1]))
    assert input_digest(load_park(back)) == input_digest(load_park(js)) == digest
    assert "万" in back.read_text(encoding="utf-8")         # units kept as written, not canonicalised
    import os
    mask = os.umask(0)
    os.umask(mask)
    assert {p.stat().st_mode & 0o777 for p in (book, back, js)} == {0o666 & ~mask}   # as `open` would make them


def test_assess_xlsx_gives_the_yaml_findings(tmp_path):
    book = tmp_path / "park.xlsx"
    write_park(_raw(EXAMPLES[2]), book, "xlsx", "zh")
    a = runner.invoke(app, ["assess", str(EXAMPLES[2]), "-f", "json"])
    b = runner.invoke(app, ["assess", str(book), "-f", "json"])
    assert a.exit_code == b.exit_code == 0, b.output
    ra, rb = json.loads(a.stdout), json.loads(b.stdout)
    assert ra["input_digest"] == rb["input_digest"]
    assert [(f["id"], f["status"]) for f in ra["findings"]] == [(f["id"], f["status"]) for f in rb["findings"]]


def test_assess_folder_picks_up_workbooks(tmp_path):
    write_park(_raw(EXAMPLES[0]), tmp_path / "a.xlsx", "xlsx", "zh")
    (tmp_path / "b.yaml").write_text(EXAMPLES[1].read_text(encoding="utf-8"), encoding="utf-8")
    r = runner.invoke(app, ["assess", str(tmp_path), "-f", "json"])
    assert r.exit_code == 0, r.output
    results = json.loads(r.stdout)
    assert [Path(x["file"]).name for x in results] == ["a.xlsx", "b.yaml"]
    assert results[0]["result"]["input_digest"] == input_digest(load_park(EXAMPLES[0]))


def test_assess_takes_a_folder_of_csv_files_as_one_park(tmp_path):
    """A CSV park is assessed as it is, as one park (its result, not an array); a folder of parks
    picks up its CSV parks' folders beside its files; a bad cell is named by file and cell."""
    raw = _raw(EXAMPLES[0])
    folder = tmp_path / "csvpark"
    write_park(raw, folder, "csv", "zh")
    r = runner.invoke(app, ["assess", str(folder), "-f", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["input_digest"] == input_digest(load_park(EXAMPLES[0]))
    parks = tmp_path / "parks"
    parks.mkdir()
    write_park(raw, parks / "b_csv", "csv", "en")
    (parks / "a.yaml").write_text(EXAMPLES[1].read_text(encoding="utf-8"), encoding="utf-8")
    (parks / "c_notes").mkdir()                                   # a folder without CSV files: not a park
    (parks / "c_notes" / "readme.txt").write_text("notes", encoding="utf-8")
    r = runner.invoke(app, ["assess", str(parks), "-f", "json"])
    assert r.exit_code == 0, r.output
    results = json.loads(r.stdout)
    assert [Path(x["file"]).name for x in results] == ["a.yaml", "b_csv"]
    assert results[1]["result"]["input_digest"] == input_digest(load_park(EXAMPLES[0]))
    text = (folder / "园区概况.csv").read_text(encoding="utf-8-sig").replace("宁夏", "火星")
    (folder / "园区概况.csv").write_text(text, encoding="utf-8-sig")
    r = runner.invoke(app, ["assess", str(folder), "-f", "json"])
    assert r.exit_code == 2 and f"error: {folder / '园区概况.csv'}!" in r.output and "profile.province" in r.output


def test_percent_formatted_cell_and_gbk_csv_are_read(tmp_path):
    raw = _raw(EXAMPLES[0])
    book = tmp_path / "p.xlsx"
    write_park(raw, book, "xlsx", "zh")
    wb = load_workbook(book)
    cell = _cell(wb["年度数据"], row_path="air_quality_good_days")
    before = cell.value
    cell.value, cell.number_format = before / 100, "0.0%"
    wb.save(book)
    assert load_park(book).sorted_years()[0].air_quality_good_days == pytest.approx(before)
    folder = tmp_path / "csv"
    write_park(raw, folder, "csv", "zh")
    target = folder / "企业.csv"
    target.write_bytes(target.read_text(encoding="utf-8-sig").encode("gb18030"))
    assert input_digest(load_park(folder)) == input_digest(park_from_data(raw))


def test_uncalculated_formula_is_refused_by_cell(tmp_path):
    book = _book(tmp_path)
    wb = load_workbook(book)
    cell = _cell(wb["年度数据"], row_path="waste_heat_recovery")
    cell.value = "=1+1"                      # openpyxl stores the formula with no calculated value
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_park(book)
    assert [f"年度数据!{cell.coordinate}" in l and "formula" in l for l in caught.value.lines()] == [True]


def test_workbook_limits_and_wrong_inputs_are_refused(tmp_path, monkeypatch):
    from engine.intake import workbook
    book = _book(tmp_path)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_UNPACKED", 1000)
    with pytest.raises(InputError, match="too large") as caught:
        load_park(book)
    assert "MAX_WORKBOOK_UNPACKED" in caught.value.lines()[0]
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read workbook"):
        load_park(fake)
    single = tmp_path / "enterprises.csv"
    single.write_text("id,name\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_park(single)
    assert "give the folder" in caught.value.lines()[0]


def test_labels_ids_and_text_forms_are_read(tmp_path):
    """A clerk may write ids or labels in either language, 78% as text, a number as text."""
    book = _book(tmp_path)
    wb = load_workbook(book)
    profile = wb["园区概况"]
    _cell(profile, row_path="profile.level").value = "provincial"      # the id instead of 省级
    _cell(profile, row_path="profile.has_management_body").value = "yes"
    years = wb["年度数据"]
    share = _cell(years, row_path="air_quality_good_days")
    expected = share.value
    share.value = f"{expected}%"
    wb.save(book)
    park = load_park(book)
    assert park.profile.level == "provincial" and park.profile.has_management_body is True
    assert park.sorted_years()[0].air_quality_good_days == expected


def test_convert_with_an_enterprise_csv_headed_by_labels(tmp_path):
    """A clerk's export, headed by the template's Chinese labels, replaces the park's enterprise list."""
    csv_file = tmp_path / "企业.csv"
    csv_file.write_text("编号,名称,行业代码,综合能源消费量,单位,重点用能单位\n"
                        "X-1,新企业一,C2614,12000,tce,是\nX-2,新企业二,C3011,3.5,万tce,否\n", encoding="utf-8")
    out = tmp_path / "merged.yaml"
    r = runner.invoke(app, ["convert", str(EXAMPLES[2]), "--with", str(csv_file), "--to", "yaml", "-o", str(out)])
    assert r.exit_code == 0, r.output
    park = load_park(out)
    assert [(e.id, e.energy_use, e.key_energy_user) for e in park.enterprises] == [
        ("X-1", 12000.0, True), ("X-2", 35000.0, False)]
    assert park.years == load_park(EXAMPLES[2]).years          # the other sheets are the park's own
    csv_file.write_text("编号,名称,行业代码,综合能源消费量,单位,重点用能单位\nX-1,新企业一,C2614,-5,tce,也许\n"
                        "X-2,,C3011,,,\n", encoding="utf-8")
    out.unlink()
    r = runner.invoke(app, ["convert", str(EXAMPLES[2]), "--with", str(csv_file), "--to", "yaml", "-o", str(out)])
    assert r.exit_code == 2 and not out.exists()
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert {line.split(": ")[1] for line in errors} == {f"{csv_file}!D2", f"{csv_file}!F2", f"{csv_file}!B3"}


def test_csv_folder_reports_problems_by_file_and_cell(tmp_path):
    folder = tmp_path / "park"
    write_park(_raw(EXAMPLES[0]), folder, "csv", "en")
    text = (folder / "profile.csv").read_text(encoding="utf-8-sig").replace("宁夏", "火星")
    (folder / "profile.csv").write_text(text, encoding="utf-8-sig")
    with pytest.raises(InputError) as caught:
        load_park(folder)
    assert len(caught.value.lines()) == 1
    assert caught.value.lines()[0].startswith(f"{folder / 'profile.csv'}!E") and "profile.province" in caught.value.lines()[0]


def test_csv_folder_rewritten_in_the_other_language_keeps_one_file_per_sheet(tmp_path):
    folder = tmp_path / "park"
    write_park(_raw(EXAMPLES[0]), folder, "csv", "zh")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    write_park(_raw(EXAMPLES[0]), folder, "csv", "en")
    assert (folder / "enterprises.csv").exists() and not (folder / "企业.csv").exists()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert input_digest(load_park(folder)) == input_digest(load_park(EXAMPLES[0]))


def test_a_field_named_twice_is_refused(tmp_path):
    book = _book(tmp_path)
    wb = load_workbook(book)
    ws = wb["园区概况"]
    ws.append(["", "profile.city", None, None, "银川"])
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_park(book)
    assert [line for line in caught.value.lines() if f"园区概况!B{ws.max_row}" in line and "appears twice" in line]


def test_random_parks_round_trip_exactly(tmp_path):
    """Machine-made parks (every field, odd floats with 17 significant digits, mixed units) keep
    their digest through xlsx and back to YAML."""
    import random
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    from make_parks import random_park
    rng, checked = random.Random(7), 0
    while checked < 8:
        data = random_park(rng)
        try:
            digest = input_digest(park_from_data(data))
        except InputError:
            continue                                  # the generator also makes invalid parks
        book = tmp_path / f"r{checked}.xlsx"
        write_park(data, book, "xlsx", "en")
        park, doc = load_park_document(book)
        assert input_digest(park) == digest
        back = tmp_path / f"r{checked}.yaml"
        write_park(doc.data, back, "yaml")
        assert input_digest(load_park(back)) == digest
        checked += 1


def test_an_enterprise_list_not_reported_and_one_reported_empty_round_trip_apart(tmp_path):
    """A blank 企业 sheet is a list not reported (unknown); the one row 无 / none in the id column
    reports the park has no enterprises. Both keep their digest through xlsx and CSV."""
    raw = _raw(EXAMPLES[2])
    raw.pop("enterprises")
    for enterprises in (None, []):
        data = dict(raw) if enterprises is None else {**raw, "enterprises": enterprises}
        digest = input_digest(park_from_data(data))
        for lang in ("zh", "en"):
            book = tmp_path / f"{lang}_{enterprises is None}.xlsx"
            write_park(data, book, "xlsx", lang)
            ws = load_workbook(book)["企业" if lang == "zh" else "enterprises"]
            assert ws["A3"].value == (None if enterprises is None else {"zh": "无", "en": "none"}[lang])
            park, doc = load_park_document(book)
            assert park.enterprises == enterprises and input_digest(park) == digest, lang
            back = tmp_path / f"{lang}_{enterprises is None}.yaml"
            write_park(doc.data, back, "yaml")
            assert input_digest(load_park(back)) == digest
        folder = tmp_path / f"csv_{enterprises is None}"
        write_park(data, folder, "csv", "zh")
        assert load_park(folder).enterprises == enterprises


def test_none_beside_enterprises_is_refused_at_its_cell(tmp_path):
    book = _book(tmp_path)
    wb = load_workbook(book)
    ws = wb["企业"]
    ws.cell(ws.max_row + 1, 1).value = "无"
    row = ws.max_row
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_park(book)
    assert [line for line in caught.value.lines() if f"企业!A{row}: enterprises" in line
            and "reports the list empty" in line]


def test_a_blank_enterprise_csv_merged_leaves_the_list_unknown(tmp_path):
    """--with 企业.csv holding only its header replaces the park's enterprises by a list not reported;
    the row 无 replaces them by none."""
    csv_file = tmp_path / "企业.csv"
    csv_file.write_text("编号,名称,行业代码\n", encoding="utf-8")
    out = tmp_path / "merged.yaml"
    r = runner.invoke(app, ["convert", str(EXAMPLES[2]), "--with", str(csv_file), "--to", "yaml", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert load_park(out).enterprises is None
    csv_file.write_text("编号,名称,行业代码\n无,,\n", encoding="utf-8")
    r = runner.invoke(app, ["convert", str(EXAMPLES[2]), "--with", str(csv_file), "--to", "yaml", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert load_park(out).enterprises == []


TYPICAL = ROOT / "examples" / "typical_municipal_park.yaml"


def test_a_table_says_none_in_words_and_an_empty_sheet_is_not_reported(tmp_path):
    """`targets: []` (the plan sets none) is 无 / none alone in A3 and reads back as []; tasks left
    out stay an empty sheet and read back as unknown (None), so both keep the input digest."""
    raw = _raw(TYPICAL)
    raw["plan"]["targets"] = []
    del raw["plan"]["tasks"]
    digest = input_digest(park_from_data(raw))
    sheets = (("zh", "无", "规划目标", "规划任务"), ("en", "none", "plan targets", "plan tasks"))
    for lang, word, targets, tasks in sheets:
        book = tmp_path / f"none_{lang}.xlsx"
        write_park(raw, book, "xlsx", lang)
        wb = load_workbook(book)
        assert wb[targets]["A3"].value == word and wb[targets]["A4"].value is None
        assert wb[tasks]["A3"].value is None
        park, doc = load_park_document(book)
        assert park.plan.targets == [] and park.plan.tasks is None
        assert input_digest(park) == digest
        back = tmp_path / f"none_{lang}.yaml"
        write_park(doc.data, back, "yaml")
        assert input_digest(load_park(back)) == digest
    folder = tmp_path / "csv"
    write_park(raw, folder, "csv", "zh")
    assert input_digest(load_park(folder)) == digest


def test_blank_flag_cells_and_a_blank_plan_are_unknown(tmp_path):
    """A blank 约束性 / 可量化 cell is unknown (None), not 否; a blank plan sheet leaves the plan out."""
    book = tmp_path / "blank.xlsx"
    write_park(_raw(TYPICAL), book, "xlsx", "zh")
    wb = load_workbook(book)
    _cell(wb["规划目标"], col_path="binding", row=3).value = None
    _cell(wb["规划任务"], col_path="quantified", row=3).value = None
    wb.save(book)
    park = load_park(book)
    assert park.plan.targets[0].binding is None and park.plan.tasks[0].quantified is None
    raw = _raw(TYPICAL)
    del raw["plan"]
    book = tmp_path / "noplan.xlsx"
    write_park(raw, book, "xlsx", "zh")
    assert load_park(book).plan is None


def test_none_beside_rows_is_refused_at_its_cell(tmp_path):
    book = tmp_path / "both.xlsx"
    write_park(_raw(TYPICAL), book, "xlsx", "zh")
    wb = load_workbook(book)
    ws = wb["规划目标"]
    ws.insert_rows(3)
    ws["A3"] = "无"
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_park(book)
    assert any("规划目标!A3" in line and "reports the list empty" in line for line in caught.value.lines())
