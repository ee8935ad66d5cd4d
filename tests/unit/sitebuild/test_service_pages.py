"""The staff service pages (callbacks, profiles, KPIs) and the owner's callback answer: every
label their scripts show exists in both catalogs, and the pages that send or show photos
admit the uploads bucket's origin in their Content-Security-Policy, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import ROOT
from portal.i18n import LANGS, catalog
from portal.site.build import build_site
from portal.site.servicepages import catalog_keys

UPLOADS = "http://127.0.0.1:8002"


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_of_the_service_pages_is_in_both_catalogs(lang: str) -> None:
    missing = [key for key in catalog_keys() if not catalog(lang).get(key)]
    assert missing == []


def test_every_services_text_is_in_both_catalogs() -> None:
    zh = {k for k in catalog("zh-CN") if k.startswith("services.")}
    en = {k for k in catalog("en") if k.startswith("services.")}
    assert zh == en and zh


def test_the_pages_that_act_admit_the_uploads_origin_and_the_reading_pages_do_not(
    tmp_path: Path,
) -> None:
    result = build_site(ROOT / "site" / "content", tmp_path, site_url="http://127.0.0.1:8000",
                        clean=True, jobs=1, media_origins=[UPLOADS])  # fmt: skip
    assert not result.errors
    for path in ("account/orders/new", "account/orders/view", "staff/orders/view", "staff/kpi",
                 "staff/callbacks", "staff/profiles"):  # fmt: skip
        page = (tmp_path / path / "index.html").read_text(encoding="utf-8")
        assert f"connect-src 'self' {UPLOADS}" in page and f"img-src 'self' data: {UPLOADS}" in page
    home = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert UPLOADS not in home
