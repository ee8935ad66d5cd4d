"""The bill pages are built in both languages, with their scripts and every label they show."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any, get_args, get_type_hints

import pytest

from portal.accounts.policy import allowed_roles
from portal.billing.model import ITEMS, PAYMENT_STATUSES, Refund
from portal.finance.offline import Method
from portal.i18n import LANGS, catalog
from portal.site.billpages import GROUPS, bill_labels, catalog_keys
from tests.unit.sitebuild.conftest import Site

PAGES = {
    "account/bills/index.html": ("bills", "我的账单"),
    "account/bills/paid/index.html": ("billpaid", "缴费结果"),
    "account/bills/receipt/index.html": ("receipt", "收据"),
    "staff/bills/index.html": ("billstaff", "房屋收费台账"),
    "staff/bills/review/index.html": ("billreview", "待核对缴费"),
}


def _labels(html: str) -> dict[str, Any]:
    found = re.search(r"<div id=\"bill-data\" hidden data-labels='([^']*)'></div>", html)
    assert found, "no bill labels on the page"
    labels: dict[str, Any] = json.loads(unescape(found.group(1)))
    return labels


@pytest.mark.parametrize("rel", sorted(PAGES))
def test_each_bill_page_is_built_in_both_languages_with_its_scripts_and_labels(
    built: Site, rel: str
) -> None:
    script, title = PAGES[rel]
    for prefix, lang in (("", "zh-CN"), ("en/", "en")):
        html = built.page(prefix + rel)
        scripts = re.findall(r'<script src="/assets/([a-z]+)\.[0-9a-f]{10}\.js" defer>', html)
        assert scripts == ["large", "api", "billkit", script], (prefix + rel, scripts)
        assert '<meta name="robots" content="noindex">' in html
        assert _labels(html) == bill_labels(lang)
    assert f"<title>{title} · " in built.page(rel)


def test_every_bill_label_is_in_both_catalogs_and_covers_the_ledgers_lists() -> None:
    for lang in LANGS:
        missing = [key for key in catalog_keys() if not catalog(lang).get(key)]
        assert missing == [], f"{lang}: {missing}"
    assert set(GROUPS["item"][1]) == set(ITEMS)
    assert set(GROUPS["payment"][1]) == set(PAYMENT_STATUSES)
    assert set(get_args(Method)) <= set(GROUPS["provider"][1])  # the desk's payments named too
    assert set(GROUPS["refund_state"][1]) == set(get_args(get_type_hints(Refund)["state"]))


def test_the_unit_account_page_offers_refunds_only_to_the_roles_the_policy_lets_refund(
    built: Site,
) -> None:
    html = built.page("staff/bills/index.html")
    found = re.search(r'data-refund-roles="([^"]*)"', html)
    assert found and set(found.group(1).split()) == set(allowed_roles("payment.refund"))


def test_the_bill_pages_text_has_the_same_keys_in_both_languages() -> None:
    zh = {k for k in catalog("zh-CN") if k.startswith("bills.")}
    en = {k for k in catalog("en") if k.startswith("bills.")}
    assert zh == en and len(zh) > 50


def test_the_owner_and_staff_homes_link_the_bill_pages(built: Site) -> None:
    assert 'href="/account/bills/"' in built.page("account/index.html")
    assert 'href="/en/account/bills/"' in built.page("en/account/index.html")
    assert 'href="/staff/bills/"' in built.page("staff/index.html")
    assert 'href="/staff/bills/review/"' in built.page("staff/bills/index.html")
