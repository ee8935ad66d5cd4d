"""The finance reconciliation page (``staff/reconcile/``) is built in both languages with its
script, every label it shows, the actions each discrepancy kind allows as the core defines
them, and a link from the staff home shown to finance."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest

from portal.finance.reconcile.kinds import ACTIONS, KINDS
from portal.i18n import LANGS, catalog
from portal.site.reconcilepages import catalog_keys, reconcile_context
from tests.unit.sitebuild.conftest import Site


def _data(html: str, name: str) -> Any:
    found = re.search(rf"data-{name}='([^']*)'", html)
    assert found, f"no data-{name} on the page"
    return json.loads(unescape(found.group(1)))


def test_the_reconcile_page_is_built_in_both_languages_with_its_script_and_labels(
    built: Site,
) -> None:
    for prefix, lang in (("", "zh-CN"), ("en/", "en")):
        html = built.page(prefix + "staff/reconcile/index.html")
        scripts = re.findall(r'<script src="/assets/([a-z]+)\.[0-9a-f]{10}\.js" defer>', html)
        assert scripts == ["large", "api", "bankmap", "reconcile"], (prefix, scripts)
        assert '<meta name="robots" content="noindex">' in html
        assert _data(html, "labels") == reconcile_context(lang)["reconcile_labels"]
    assert "<title>对账与结账 · " in built.page("staff/reconcile/index.html")
    assert "<title>Reconciliation and day close · " in built.page("en/staff/reconcile/index.html")


def test_the_page_offers_each_kind_exactly_the_actions_the_core_allows(built: Site) -> None:
    offered = _data(built.page("staff/reconcile/index.html"), "actions")
    assert set(offered) == set(KINDS)
    for kind, actions in offered.items():
        assert set(actions) == {a for a, kinds in ACTIONS.items() if kind in kinds}
    assert "write_off_fee" in offered["fee_differs"] and "write_off_fee" not in offered["duplicate"]


def test_the_staff_home_links_finance_to_the_collection_and_reconcile_pages(built: Site) -> None:
    for prefix in ("", "en/"):
        html = built.page(prefix + "staff/index.html")
        links = re.search(
            r'<p class="buttons" id="finance-links" data-roles="([^"]*)" hidden>(.*?)</p>', html
        )
        assert links, prefix
        assert "finance" in links.group(1).split()
        assert f'href="/{prefix}staff/reconcile/"' in links.group(2)
        assert f'href="/{prefix}staff/collection/"' in links.group(2)


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_of_the_reconcile_page_is_in_both_catalogs(lang: str) -> None:
    missing = [key for key in catalog_keys() if not catalog(lang).get(key)]
    assert missing == []


def test_the_reconcile_text_has_the_same_keys_in_both_languages() -> None:
    zh = {k for k in catalog("zh-CN") if k.startswith("reconcile.")}
    en = {k for k in catalog("en") if k.startswith("reconcile.")}
    assert zh == en and zh
