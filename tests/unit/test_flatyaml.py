"""Flat front matter read without the YAML parser (portal.flatyaml) is read exactly as YAML
reads it, or not at all: the repository's content and a corpus of edge cases."""

from __future__ import annotations

import pytest

from portal import ROOT, flatyaml
from portal.sourcefile import LineDict, _Loader, load_yaml, split_front_matter


def _fast(text: str) -> LineDict | None:
    found = flatyaml.read(text.split("\n"), 1, _Loader.yaml_implicit_resolvers, LineDict)
    assert found is None or isinstance(found, LineDict)
    return found


def _same(fast: LineDict, text: str) -> None:
    slow = load_yaml(text, line_offset=1)
    assert isinstance(slow, LineDict)
    assert dict(fast) == dict(slow) and fast.lines == slow.lines and fast.line == slow.line
    assert [type(v) for v in fast.values()] == [type(v) for v in slow.values()]


def _front_matters() -> list[str]:
    out = []
    for path in sorted((ROOT / "site" / "content").rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
        out.append("\n".join(lines[1:end]))
    return out


def test_the_repositorys_front_matter_reads_the_same_and_most_of_it_without_yaml() -> None:
    texts = _front_matters()
    fast = [(t, _fast(t)) for t in texts]
    for text, found in fast:
        if found is not None:
            _same(found, text)
    assert sum(found is not None for _, found in fast) >= len(texts) // 2


FLAT = [
    'title: "外墙清洗作业安排（11月25日起）"\ncategory: works\nestates: [lanting]\n'
    'buildings: ["1", "2", "3"]\npublished: 2025-11-24T09:30:00+08:00',
    "title: 关于“安全”的通知 (二) [补充] {附件}\nestates: [lanting, meixi]\nbuildings: []",
    'title: 注意:明天停水\nexpires: 2026-01-13\nslug_en: water-off\ncategory: a-b_c',
    'title: "#1 notice"\ntags: [ "a" ,b ]\nurl: https://example.com/a#b',
    "title: C# 培训\nname: 50% off\nplace: 1栋-2单元",
]


@pytest.mark.parametrize("text", FLAT)
def test_flat_front_matter_reads_as_yaml_reads_it(text: str) -> None:
    found = _fast(text)
    assert found is not None, text
    _same(found, text)


NOT_FLAT = [
    "# a comment\ntitle: a", "title: a\n\ncategory: b", "title: a # note", "title: 'single'",
    'title: "esc\\"aped"', "title: >-\n  folded", "estates:\n  - lanting", "pinned: true",
    "pinned: yes", "count: 3", "ratio: 1.5", "time: 1:30", "nothing: ~", "nothing: null",
    "empty:", "title:  two spaces", "title: trailing ", "title: a: b", "title: ends:",
    "title: -dash", "title: ?q", "title: *alias", "title: &anchor x", "title: !tag x",
    "title: |\n  block", "title: @at", "title: `tick`", "title: %pct", "list: [1, 2]",
    'list: ["a, b", c]', "list: [a: b]", "list: [a", "list: [[a]]", "list: [{a}]",
    "title: a\ntitle: b", "yes: a", "null: a", "1key: a", "title:\ta", "title: a\r",
    "  title: indented", "title: a\n  continued", "- item", "", "<<: x", "title: =",
    "title: .5", "title: +1", "title: 0x1F", "title: .inf", "title: NO", "title: Off",
]


@pytest.mark.parametrize("text", NOT_FLAT)
def test_anything_else_is_left_to_yaml(text: str) -> None:
    found = _fast(text)
    assert found is None, (text, found)


def test_a_notice_that_is_not_flat_still_gets_its_yaml_error_at_its_line() -> None:
    doc, err = split_front_matter("---\ntitle: a\nestates: [lanting\n---\nbody", "notices/x.md")
    assert doc is None and err is not None and (err.code, err.line) == ("bad_yaml", 4)
    doc, err = split_front_matter("---\ntitle: a\nestates: [lanting]\n---\nbody", "notices/x.md")
    assert err is None and doc is not None and doc.meta.lines == {"title": 2, "estates": 3}
    assert doc.body == "body" and doc.body_line == 5


