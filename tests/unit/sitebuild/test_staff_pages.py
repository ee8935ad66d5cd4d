"""The staff page, "我的" and the KPI approval page as built: their scripts and labels in both
languages, and the roster template (one CSV, UTF-8 with a BOM, read back by the importer)."""

from __future__ import annotations

import re

import pytest

from portal.accounts.roster.columns import (
    COLUMN_ALIASES,
    ERROR_COLUMNS,
    TEMPLATE_HEADERS,
    find_header,
    read_roster_sheet,
)  # fmt: skip
from portal.greetings.preferences import KINDS
from portal.i18n import LANGS, catalog
from portal.site.staffpages import ROSTER_TEMPLATE, catalog_keys, roster_template
from tests.unit.sitebuild.conftest import Site

PAGES = {
    "staff/index.html": ["api", "admin"],
    "account/index.html": ["api", "acks", "prefs", "my"],  # listeners before my.js tells them
    "staff/commitments/index.html": ["api", "kpiapprove"],
}


def _scripts(html: str) -> list[str]:
    found = re.findall(r'<script src="/assets/([a-z]+)\.[0-9a-f]{10}\.js" defer>', html)
    assert found[:1] == ["large"], found  # 大字版's button, ahead of the page's own
    return found[1:]


@pytest.mark.parametrize("rel", sorted(PAGES))
def test_each_page_is_built_in_both_languages_with_its_scripts(built: Site, rel: str) -> None:
    for prefix in ("", "en/"):
        html = built.page(prefix + rel)
        assert _scripts(html) == PAGES[rel], prefix + rel
        assert '<meta name="robots" content="noindex">' in html


def test_my_page_has_one_switch_per_kind_of_message_in_chinese_first(built: Site) -> None:
    html = built.page("account/index.html")
    switches = re.findall(r'<input type="checkbox" role="switch" name="([a-z]+)"', html)
    assert tuple(switches) == KINDS
    assert "接收节日问候和生日祝福" in html and "Festival and birthday greetings" in built.page(
        "en/account/index.html")  # fmt: skip


def test_the_approval_page_is_linked_from_the_staff_page_for_the_approvers_only(built: Site) -> None:
    html = built.page("staff/index.html")
    found = re.search(r'<p class="buttons" id="approve-link" data-roles="([^"]+)" hidden>', html)
    assert found and set(found.group(1).split()) == {"supervisor", "project_manager", "admin"}
    assert 'href="/staff/commitments/"' in html


def test_the_roster_template_is_one_utf8_file_with_a_bom_that_the_importer_reads(
    built: Site,
) -> None:
    data = (built.out / ROSTER_TEMPLATE).read_bytes()
    assert data == roster_template().encode() and data.startswith(b"\xef\xbb\xbf")
    assert not (built.out / "en" / ROSTER_TEMPLATE).exists()
    assert f'href="/{ROSTER_TEMPLATE}" download="业主名册模板.csv"' in built.page("staff/index.html")
    assert f'href="/{ROSTER_TEMPLATE}"' in built.page("en/staff/index.html")
    sheet = read_roster_sheet(data)
    header = find_header(sheet.rows)
    assert header is not None and header.row == 1
    assert set(header.columns) == set(COLUMN_ALIASES) - {"unit", "room"}
    assert [str(c) for c in sheet.rows[0][1]] == list(TEMPLATE_HEADERS)


def test_every_row_problem_but_a_duplicate_names_a_column_of_the_template() -> None:
    codes = {k.split(".")[-1] for k in catalog("zh-CN") if k.startswith("roster.errors.")}
    assert set(ERROR_COLUMNS) == codes - {"duplicate"}
    assert set(ERROR_COLUMNS.values()) <= set(COLUMN_ALIASES)


def test_every_label_of_these_pages_is_in_both_catalogs() -> None:
    for lang in LANGS:
        missing = [key for key in catalog_keys() if not catalog(lang).get(key)]
        assert missing == [], f"{lang}: {missing}"
    zh = {k for k in catalog("zh-CN") if k.startswith("commitments.staff.")}
    assert zh == {k for k in catalog("en") if k.startswith("commitments.staff.")}
