"""Single-line fields stay on one line: a title, a contact name, a quantity or a keyword with a line break, a tab or
another control character is refused with a clear message and nothing is saved, from the form and from an
import alike (one rule, app.core.validators.single_line_error)."""

from __future__ import annotations

import re

import pytest

from tests.postings.helpers import K, act_as, count_postings, page_text, valid
from tests.postings.importing.helpers import achievement, run_import, state, write_jsonl

MESSAGE = "不能包含换行、制表符等控制字符"


@pytest.mark.parametrize(
    "kind, field, bad, good",
    [
        (K.NEED, "title", "羊绒分梳设备\r\nBcc: all@example.cn", "羊绒分梳设备降耗"),
        (K.ACHIEVEMENT, "title", "稀土永磁\t电机", "稀土永磁电机"),
        (K.NEED, "contact", "王\u2028经理", "王经理"),
        (K.PROCUREMENT, "quantity", "500\x0b吨/年", "500 吨/年"),
        (K.CAPABILITY, "keywords", "数控加工\n五轴", "数控加工；五轴"),
    ],
)
def test_a_single_line_field_with_a_control_character_is_refused_on_the_form(client, db, owner, kind, field, bad, good):
    act_as(client, owner)
    refused = client.post(f"/postings/{kind.value}/new", data={**valid(kind, **{field: bad}), "action": "draft"})
    feedback = re.findall(r'class="invalid-feedback">([^<]+)<', page_text(refused))
    assert any(MESSAGE in message for message in feedback)
    assert count_postings(db) == 0

    saved = client.post(f"/postings/{kind.value}/new", data={**valid(kind, **{field: good}), "action": "draft"})
    assert saved.status_code == 302 and count_postings(db) == 1


def test_an_imported_title_or_contact_with_a_line_break_is_an_error_and_nothing_is_imported(runner, db, tmp_path):
    rows = [achievement("A-1", title="稀土永磁\n电机"), achievement("A-2", contact="王\r经理"), achievement("A-3")]
    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", rows))
    assert result.exit_code == 1
    assert "第1行 title" in result.output and "第2行 contact" in result.output and MESSAGE in result.output
    assert state(db)["postings"] == 0

    good = run_import(runner, write_jsonl(tmp_path / "b.jsonl", [achievement("A-1", title="稀土永磁电机")]))
    assert good.exit_code == 0, good.output
