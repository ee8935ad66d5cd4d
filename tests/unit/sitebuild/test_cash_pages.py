"""The cash pages (front desk ``staff/desk/``, handover ``staff/handovers/``, direct debits
``staff/debits/``) are built in both languages with their scripts and every label they show,
offer the desk methods the core accepts, and are linked from the staff home for exactly the
roles the policy lets use them."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest

from portal.accounts.policy import allowed_roles
from portal.finance.offline import DESK_METHODS
from portal.i18n import LANGS, catalog
from portal.site.cashpages import LINKS, cash_context, catalog_keys
from tests.unit.sitebuild.conftest import Site

PAGES = {"desk": "desk", "handovers": "handovers", "debits": "debits"}


def _data(html: str, name: str) -> Any:
    found = re.search(rf"data-{name}='([^']*)'", html)
    assert found, f"no data-{name} on the page"
    return json.loads(unescape(found.group(1)))


@pytest.mark.parametrize("path", sorted(PAGES))
def test_each_cash_page_is_built_in_both_languages_with_its_script_and_labels(
    built: Site, path: str
) -> None:
    for prefix, lang in (("", "zh-CN"), ("en/", "en")):
        html = built.page(f"{prefix}staff/{path}/index.html")
        scripts = re.findall(r'<script src="/assets/([a-z]+)\.[0-9a-f]{10}\.js" defer>', html)
        assert scripts == ["large", "api", "billkit", PAGES[path]], (prefix, scripts)
        assert '<meta name="robots" content="noindex">' in html
        assert _data(html, "labels") == cash_context(lang)["cash_labels"]


def test_the_desk_offers_exactly_the_desk_methods(built: Site) -> None:
    html = built.page("staff/desk/index.html")
    offered = re.findall(r'<option value="([a-z]+)">', html.split('id="d-method"')[1].split("</select>")[0])
    assert tuple(offered) == DESK_METHODS
    assert "<title>前台收费 · " in html


def test_the_staff_home_links_each_cash_page_for_the_roles_the_policy_allows(built: Site) -> None:
    for prefix in ("", "en/"):
        html = built.page(prefix + "staff/index.html")
        box = re.search(r'<p class="buttons" id="cash-links" hidden>(.*?)</p>', html)
        assert box, prefix
        for path, _, action in LINKS:
            link = re.search(rf'href="/{prefix}{path}" data-roles="([^"]*)" hidden>', box.group(1))
            assert link, (prefix, path)
            assert set(link.group(1).split()) == set(allowed_roles(action))
    roles = {path: set(allowed_roles(action)) for path, _, action in LINKS}
    assert "front_desk" in roles["staff/desk/"] and "security" not in roles["staff/desk/"]
    assert "foreman" in roles["staff/handovers/"] and "front_desk" not in roles["staff/handovers/"]
    assert "finance" in roles["staff/debits/"] and "foreman" not in roles["staff/debits/"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_of_the_cash_pages_is_in_both_catalogs(lang: str) -> None:
    missing = [key for key in catalog_keys() if not catalog(lang).get(key)]
    assert missing == []


def test_the_collection_text_has_the_same_keys_in_both_languages() -> None:
    zh = {k for k in catalog("zh-CN") if k.startswith("collection.")}
    en = {k for k in catalog("en") if k.startswith("collection.")}
    assert zh == en and zh
