"""The work-order pages are built in both languages, with every label their scripts show."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest

from portal.i18n import LANGS, catalog
from portal.site.orderpages import GROUPS, catalog_keys, order_labels
from portal.workorders.transitions import ACTIONS, STATES
from tests.unit.sitebuild.conftest import Site

PAGES = {
    "account/orders/new/index.html": (("photos", "neworder"), "报事报修"),
    "account/orders/index.html": (("myorders",), "我的工单"),
    "account/orders/view/index.html": (("answer", "order"), "工单详情"),
    "staff/orders/index.html": (("queue",), "工单台"),
    "staff/orders/view/index.html": (("order",), "工单详情"),
    "staff/callbacks/index.html": (("callbacks",), "回访台"),
    "staff/profiles/index.html": (("profile",), "客户动态表"),
    "staff/kpi/index.html": (("kpi",), "月度服务指标"),
}


def _labels(html: str) -> dict[str, Any]:
    found = re.search(r"<div id=\"order-data\" hidden data-labels='([^']*)'></div>", html)
    assert found, "no order labels on the page"
    labels: dict[str, Any] = json.loads(unescape(found.group(1)))
    return labels


@pytest.mark.parametrize("rel", sorted(PAGES))
def test_each_order_page_is_built_in_both_languages_with_its_scripts(built: Site, rel: str) -> None:
    script, title = PAGES[rel]
    for prefix in ("", "en/"):
        html = built.page(prefix + rel)
        scripts = re.findall(r'<script src="/assets/([a-z]+)\.[0-9a-f]{10}\.js" defer>', html)
        assert scripts == ["large", "api", "orderkit", *script], (prefix + rel, scripts)
        assert '<meta name="robots" content="noindex">' in html
        assert "<noscript>" in html
    assert re.search(rf"<h1( id=\"title\")?>{title}</h1>", built.page(rel)), rel


def test_the_owner_form_offers_every_kind_and_repair_category_and_up_to_six_photos(
    built: Site,
) -> None:
    html = built.page("account/orders/new/index.html")
    for kind in ("报修", "投诉", "建议", "表扬", "其他服务"):
        assert f"> {kind}</label>" in html, kind
    assert html.count('name="kind"') == 5
    assert '<option value="plumbing">水路（漏水、堵塞）</option>' in html
    assert "零修" in html and "急修" in html
    assert html.count('type="file"') == 1 and 'data-max="6"' in html
    assert 'accept="image/jpeg,image/png,image/webp,image/heic' in html


def test_the_staff_view_has_the_staff_fields_and_the_owner_view_does_not(built: Site) -> None:
    staff = built.page("staff/orders/view/index.html")
    owner = built.page("account/orders/view/index.html")
    for field in ('name="assignee"', 'name="to"', 'name="yuan"'):
        assert field in staff and field not in owner
    assert 'data-audience="staff"' in staff and 'data-audience="owner"' in owner
    queue = built.page("staff/orders/index.html")
    assert '<option value="phone">来电</option>' in queue
    assert '<option value="online">' not in queue  # staff record calls, visits, patrols


def test_the_labels_on_the_pages_are_the_catalogs_in_the_page_language(built: Site) -> None:
    zh = _labels(built.page("account/orders/view/index.html"))
    en = _labels(built.page("en/account/orders/view/index.html"))
    assert zh == order_labels("zh-CN") and en == order_labels("en")
    assert zh["state"] == {s: catalog("zh-CN")[f"orders.state.{s}"] for s in STATES}
    assert set(zh["action"]) == set(ACTIONS)
    assert zh["needs_note"] == ["feedback", "invalid", "note", "park", "reopen"]


def test_every_order_label_is_in_both_catalogs() -> None:
    for lang in LANGS:
        missing = [key for key in catalog_keys() if not catalog(lang).get(key)]
        assert missing == [], f"{lang}: {missing}"
    assert set(GROUPS["state"]) == set(STATES)


def test_the_owner_and_staff_homes_link_the_order_pages(built: Site) -> None:
    my = built.page("account/index.html")
    assert 'href="/account/orders/new/"' in my and 'href="/account/orders/"' in my
    assert 'href="/staff/orders/"' in built.page("staff/index.html")
    assert 'href="/en/staff/orders/"' in built.page("en/staff/index.html")
