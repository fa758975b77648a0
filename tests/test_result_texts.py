"""Format 2's explanation templates give back every text exactly (engine/result_texts.py)."""
from __future__ import annotations

import pytest

from engine.result_texts import fill, find_template, split

NAMES = ["湖丰淀粉有限公司", "青湖棉纺织有限公司", "A", "", "远北制药有限公司（C1391）", "(.*?)\\1"]


def test_the_shared_sentence_is_the_template_and_the_names_are_the_slots():
    texts = [f"企业 {n} 属清洁生产重点行业，尚未开展清洁生产审核。" for n in NAMES]
    template = find_template(texts)
    assert template == ["企业 ", " 属清洁生产重点行业，尚未开展清洁生产审核。"]
    for name, text in zip(NAMES, texts):
        assert split(template, text) == [name] and fill(template, [name]) == text


@pytest.mark.parametrize("other", ["", "企业", "completely different", "企业 甲 属清洁生产重点行业", "x企业 甲 属清洁生产"
                                   "重点行业，尚未开展清洁生产审核。"])
def test_a_text_that_does_not_fit_is_refused_never_changed(other):
    template = find_template([f"企业 {n} 属清洁生产重点行业，尚未开展清洁生产审核。" for n in NAMES])
    slots = split(template, other)
    assert slots is None or fill(template, slots) == other


def test_several_slots_and_texts_that_share_nothing():
    texts = [f"Target T{i} reaches {i * 1.5:.2f} tce by {2020 + i}, short of {i} tce." for i in range(1, 9)]
    template = find_template(texts)
    assert all(fill(template, split(template, t)) == t for t in texts)
    assert sum(map(len, template)) > 30
    assert find_template(["abc", "xyz", "qrs"]) is None


def test_fill_wants_one_slot_per_gap():
    with pytest.raises(ValueError):
        fill(["a", "b"], [])
