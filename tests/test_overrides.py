"""Fact overrides (engine/facts/overrides.py): paths into the park, values as in a park file, and
errors that name the override."""
from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.facts.loader import load_park
from engine.facts.overrides import apply_overrides, describe_changes, park_data, task_done, tasks_done_changes
from engine.facts.models import Park

PARK = "examples/typical_municipal_park.yaml"     # years 2022, 2023, 2024 in this order; tasks K01..


@pytest.fixture(scope="module")
def park():
    return load_park(PARK)


def _lines(park, changes) -> list[str]:
    with pytest.raises(InputError) as exc:
        apply_overrides(park, changes)
    return exc.value.lines()


def test_no_change_gives_an_equal_park(park):
    assert apply_overrides(park, {}) == park
    assert Park.model_validate(park_data(park)) == park


def test_paths_into_lists_by_index_and_by_key(park):
    changed = apply_overrides(park, {"years[2].energy.coal": "7000000 t",
                                     "years[year=2023].energy.coal": "1.5 万t",
                                     "enterprises[id=YZ-E03].green_factory": True,
                                     "enterprises[4].energy_use": "2 万tce"})
    assert changed.years[2].energy.coal == 7_000_000
    assert changed.years[1].year == 2023 and changed.years[1].energy.coal == 15_000
    assert changed.enterprises[2].id == "YZ-E03" and changed.enterprises[2].green_factory is True
    assert changed.enterprises[4].energy_use == 20_000
    # nothing else moved, and the original is untouched
    assert changed.years[0] == park.years[0]
    assert park.years[2].energy.coal != 7_000_000


def test_bare_number_is_the_canonical_unit(park):
    changed = apply_overrides(park, {"years[2].energy.green_electricity": 1820.5,     # MWh
                                     "years[2].energy.natural_gas": 3e6,              # m3
                                     "profile.area": 12})                              # km2
    assert changed.years[2].energy.green_electricity == 1820.5
    assert changed.years[2].energy.natural_gas == 3e6
    assert changed.profile.area == 12
    with_unit = apply_overrides(park, {"years[2].energy.green_electricity": "1.8205 GWh"})
    assert with_unit.years[2].energy.green_electricity == pytest.approx(1820.5)


def test_setting_null_makes_an_optional_value_unknown(park):
    assert park.profile.green_staff is not None
    changed = apply_overrides(park, {"profile.green_staff": None, "years[2].energy.coal": None})
    assert changed.profile.green_staff is None
    assert changed.years[2].energy.amount("coal") is None
    assert _lines(park, {"profile.area": None}) == [
        "overrides: profile.area: cannot be null (unknown): the field is required"]


def test_a_carrier_set_leaves_not_used():
    park = load_park(PARK)
    unused = apply_overrides(park, {"years[2].energy.coke": None, "years[2].energy.not_used": ["coke"]})
    assert unused.years[2].energy.amount("coke") == 0
    used = apply_overrides(unused, {"years[2].energy.coke": "300 t"})
    assert used.years[2].energy.coke == 300 and "coke" not in used.years[2].energy.not_used


def test_bad_index_and_bad_key(park):
    assert _lines(park, {"years[3].energy.coal": 1}) == [
        "overrides: years[3]: no such item: years has 3 item(s) (indices 0-2)"]
    assert _lines(park, {"years[year=2030].energy.coal": 1}) == [
        "overrides: years[year=2030]: no item of years has year '2030' (year: 2022, 2023, 2024); to add one, "
        "give the whole item with year: 2030"]


def test_unknown_field_suggests_the_near_one(park):
    assert _lines(park, {"years[2].energy.coall": "1 t"}) == [
        "overrides: years[2].energy.coall: unknown field 'coall' (did you mean 'coal'?)"]


def test_wrong_unit_and_negative_amount(park):
    assert _lines(park, {"years[2].energy.coal": "5 kWh"}) == [
        "overrides: years[2].energy.coal: unit 'kWh' is not a mass unit (use one of t, kg, 万t, 亿t)"]
    assert _lines(park, {"years[year=2024].energy.coal": -5}) == [
        "overrides: years[year=2024].energy.coal: must be >= 0 (got '-5 t')"]


def test_whole_park_is_revalidated(park):
    # green electricity above purchased electricity is refused by Energy's own check
    assert _lines(park, {"years[2].energy.green_electricity": "1e9 MWh"}) == [
        "overrides: years[2].energy: green_electricity exceeds purchased_electricity "
        "(after setting years[2].energy.green_electricity)"]
    assert _lines(park, {"years[0].year": 2023}) == [
        "overrides: years: each year may appear once (after setting years[0].year)"]
    assert _lines(park, {"plan.tasks[0].status": "finished"}) == [
        "overrides: plan.tasks[0].status: 'finished' is not one of 'planned', 'in_progress', 'done', "
        "'delayed' or 'cancelled'"]


def test_every_bad_override_is_reported(park):
    lines = _lines(park, {"years[2].energy.coall": 1, "years[7].energy.coal": 1, "years[2.energy": 1,
                          "years.energy": 1})
    assert len(lines) == 4
    assert lines[2].startswith("overrides: years[2.energy: cannot read the path")
    assert lines[3] == "overrides: years: is a list: pick an item, e.g. years[0].energy"


def test_task_done(park):
    assert park.plan.tasks[4].id == "K05" and park.plan.tasks[4].status == "planned"
    done = task_done(park, "K05")
    assert done.plan.tasks[4].status == "done"
    assert done.plan.tasks[:4] == park.plan.tasks[:4] and done.plan.tasks[5:] == park.plan.tasks[5:]
    with pytest.raises(InputError) as exc:
        task_done(park, "K99")
    assert exc.value.lines() == ["overrides: tasks_done: no plan task 'K99' (tasks: K01, K02, K03, K04, K05, "
                                 "K06, K07, K08, K09, K10, ...)"]


def test_a_done_task_reports_its_full_progress(park):
    halfway = apply_overrides(park, {"plan.tasks[id=K02].progress": 40})
    assert tasks_done_changes(halfway, ["K02"]) == {"plan.tasks[1].status": "done", "plan.tasks[1].progress": 100}
    assert task_done(halfway, "K02").plan.tasks[1].progress == 100
    assert tasks_done_changes(park, ["K02"]) == {"plan.tasks[1].status": "done"}   # unknown progress stays unknown


def _new_enterprise(park, id_: str, name: str) -> dict:
    item = dict(park_data(park)["enterprises"][2])
    return {**item, "id": id_, "name": name}


def test_list_items_are_added_by_key_and_removed_by_null(park):
    """What if an enterprise closes and another opens: the whole item picked by its key is
    appended; null removes an item; indices name the items of the park as it was."""
    ids = [e.id for e in park.enterprises]
    new = _new_enterprise(park, "YZ-E99", "豫泽新材料有限公司")
    changes = {"enterprises[id=YZ-E99]": new, "enterprises[id=YZ-E03]": None, "enterprises[5]": None,
               "enterprises[7].green_factory": True}
    changed = apply_overrides(park, changes)
    assert [e.id for e in changed.enterprises] == [i for i in ids if i not in ("YZ-E03", ids[5])] + ["YZ-E99"]
    assert changed.enterprises[-1].name == "豫泽新材料有限公司"
    assert next(e for e in changed.enterprises if e.id == ids[7]).green_factory is True
    described = {d["path"]: d for d in describe_changes(park, changed, changes)}
    assert described["enterprises[id=YZ-E99]"]["change"] == "added" and described["enterprises[id=YZ-E99]"]["before"] is None
    assert described["enterprises[id=YZ-E03]"]["change"] == "removed" and described["enterprises[id=YZ-E03]"]["after"] is None
    assert described["enterprises[id=YZ-E03]"]["before"]["name"] == park.enterprises[2].name
    assert described["enterprises[7].green_factory"]["change"] == "set"
    # the first item of a list left empty
    target = park_data(park)["plan"]["targets"][0]
    empty = apply_overrides(park, {"plan.targets": []})
    again = apply_overrides(empty, {f"plan.targets[id={target['id']}]": target})
    assert empty.plan.targets == [] and again.plan.targets == park.plan.targets[:1]


def test_an_item_is_added_only_whole_and_validated(park):
    assert _lines(park, {"enterprises[id=YZ-E98].green_factory": True}) == [
        "overrides: enterprises[id=YZ-E98]: no item of enterprises has id 'YZ-E98' (id: YZ-E01, YZ-E02, YZ-E03, "
        "YZ-E04, YZ-E05, YZ-E06, YZ-E07, YZ-E08, ...); to add one, give the whole item with id: YZ-E98"]
    other = _new_enterprise(park, "YZ-E97", "某企业")        # its own id differs from the one picked
    assert _lines(park, {"enterprises[id=YZ-E98]": other})[0].endswith("to add one, give the whole item with id: YZ-E98")
    bad = {**_new_enterprise(park, "YZ-E98", "某企业"), "energy_use": "-5 tce"}
    assert _lines(park, {"enterprises[id=YZ-E98]": bad}) == [
        "overrides: enterprises[id=YZ-E98].energy_use: must be >= 0 (got '-5 tce')"]
    assert _lines(park, {"enterprises[id=YZ-E03]": None, "enterprises[2].green_factory": True}) == [
        "overrides: enterprises[2]: is not reported (null): set it as a whole first"]


def test_an_unreported_enterprise_list_is_set_whole_not_added_to(park):
    """Left out, the enterprise list is unknown: one enterprise added would read as the park's
    only one, so it is refused; the whole list is set instead ([] for none), and null makes a
    reported list unknown again."""
    unknown = apply_overrides(park, {"enterprises": None})
    assert unknown.enterprises is None
    new = _new_enterprise(park, "YZ-E99", "豫泽新材料有限公司")
    assert _lines(unknown, {"enterprises[id=YZ-E99]": new}) == [
        "overrides: enterprises: is not reported (unknown): an item added to it would read as its only one; "
        "set the whole list instead (enterprises: [...], or [] for none)"]
    assert _lines(unknown, {"enterprises[0].green_factory": True}) == [
        "overrides: enterprises: is not reported (unknown): it has no items to pick; "
        "set the whole list instead (enterprises: [...], or [] for none)"]
    whole = apply_overrides(unknown, {"enterprises": [new]})
    assert [e.id for e in whole.enterprises] == ["YZ-E99"]
    assert apply_overrides(unknown, {"enterprises": []}).enterprises == []
    described = describe_changes(unknown, whole, {"enterprises": [new]})
    assert described[0]["before"] is None and described[0]["change"] == "set"
