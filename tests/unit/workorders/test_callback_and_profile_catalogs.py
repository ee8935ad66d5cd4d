"""The words of callbacks and profiles come from the catalogs, zh-CN first: every error code
they raise has a message in both languages, and every row of their tables has a label."""

from __future__ import annotations

import re

import pytest

from portal import ROOT
from portal.accounts.owners import OCCUPANCIES
from portal.i18n import LANGS, catalog
from portal.profiles.model import MEMBER_RELATIONSHIPS, REQUIRED, SEGMENT_NAMES
from portal.workorders.callback_model import DIMENSION_NAMES, KINDS, METHODS, SCALE

MODULES = [
    "portal/workorders/callbacks.py", "portal/workorders/callback_model.py",
    "portal/workorders/callback_plan.py", "portal/workorders/callback_repository.py",
    *(f"portal/profiles/{m}.py" for m in ("model", "repository", "service", "timeline")),
]  # fmt: skip
RAISED = re.compile(r'(?:InvalidInput|Conflict|NotFound|Forbidden)\("([a-z_]+)"')


def _codes() -> set[str]:
    return {c for m in MODULES for c in RAISED.findall((ROOT / m).read_text(encoding="utf-8"))}


@pytest.mark.parametrize("lang", LANGS)
def test_every_error_code_of_callbacks_and_profiles_has_a_message(lang: str) -> None:
    codes = _codes()
    assert {"callback_already_recorded", "profile_changed", "unknown_unit"} <= codes
    assert sorted(c for c in codes if f"errors.{c}" not in catalog(lang)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_row_of_the_callback_and_profile_tables_has_a_label(lang: str) -> None:
    words = catalog(lang)
    wanted = [
        *(f"callbacks.kinds.{k}" for k in KINDS), *(f"callbacks.methods.{m}" for m in METHODS),
        *(f"callbacks.ratings.{r}" for r in SCALE),
        *(f"callbacks.dimensions.{d}" for d in DIMENSION_NAMES),
        *(f"profiles.segments.{s}" for s in SEGMENT_NAMES),
        *(f"profiles.occupancy.{o}" for o in OCCUPANCIES),
        *(f"profiles.relationships.{r}" for r in MEMBER_RELATIONSHIPS),
        *(f"profiles.fields.{r.field}" for r in REQUIRED),
    ]  # fmt: skip
    assert [w for w in wanted if not words.get(w)] == []


def test_both_languages_have_the_same_callback_and_profile_keys() -> None:
    zh, en = catalog("zh-CN"), catalog("en")
    for area in ("callbacks.", "profiles."):
        assert {k for k in zh if k.startswith(area)} == {k for k in en if k.startswith(area)}
    assert "满意" in zh["callbacks.ratings.satisfied"] and "未入住" in zh["profiles.occupancy.decorated_not_moved_in"]


@pytest.mark.parametrize("lang", LANGS)
def test_each_everyday_word_for_a_relationship_names_one_relationship_only(lang: str) -> None:
    words = catalog(lang)
    seen: dict[str, str] = {}
    for r in MEMBER_RELATIONSHIPS:
        typed = words[f"profiles.relationship_words.{r}"].split()
        assert typed, r
        for word in (*typed, words[f"profiles.relationships.{r}"]):
            assert seen.setdefault(word.lower(), r) == r, (word, seen[word.lower()], r)
    if lang == "zh-CN":
        assert seen["儿子"] == "child" and seen["老伴"] == "spouse" and seen["租客"] == "tenant"
