"""How a parallel build shares its pages between the workers: the pages that list notices
go to one worker as one part, so each notice's list item is rendered once, not once per
worker; the table of those templates is the templates' own."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from portal import ROOT
from portal.site import render
from portal.site.build import build_site
from tests.unit.sitebuild.conftest import Site, notice


def test_the_listing_templates_are_exactly_those_that_call_notice_item() -> None:
    templates = ROOT / "site" / "templates"
    calling = {p.relative_to(templates).as_posix() for p in templates.rglob("*.html")
               if re.search(r"\bnotice_item\(", p.read_text(encoding="utf-8"))}  # fmt: skip
    calling -= {"_/macros.html"}  # where the item is defined
    assert calling == set(render.LISTING_TEMPLATES)


def test_a_parallel_build_renders_each_notices_list_item_once(
    site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for i in range(60):  # enough notices for list pages of several parts
        site.write(f"notices/n{i:02d}.md", notice(f"第{i}号通知", "2026-11-10T09:00:00+08:00"))
    log = tmp_path / "items.log"
    real = render._ListItems.__call__

    def logging(self: render._ListItems, n: object, lang: str, now: object) -> object:
        if (n.slug, n.digest, lang) not in self.done:  # type: ignore[attr-defined]
            with log.open("a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {n.slug} {lang}\n")  # type: ignore[attr-defined]
        return real(self, n, lang, now)  # type: ignore[arg-type]

    monkeypatch.setattr(render._ListItems, "__call__", logging)
    result = build_site(site.content, site.out, jobs=2, site_url="https://portal.example.cn")
    assert result.errors == [] and result.pages > 120
    rendered = [tuple(line.split()) for line in log.read_text(encoding="utf-8").splitlines()]
    items = [(slug, lang) for _, slug, lang in rendered]
    assert len(items) == len(set(items)) and len(items) >= 60
    assert len({pid for pid, _, _ in rendered}) == 1
