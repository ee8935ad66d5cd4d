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


def _many_notices(site: Site, count: int) -> list[str]:
    names = []
    for i in range(count):
        rel = f"notices/m{i:04d}.md"
        site.write(rel, notice(f"第{i}号通知", "2026-11-10T09:00:00+08:00"))
        names.append(rel)
    site.write("notices/m9999.md", "---\ntitle: [unclosed\n---\n正文\n")  # in the helper's part
    return sorted([*names, "notices/m9999.md"])


def test_a_split_parse_gives_what_one_process_gives_and_keeps_every_body_here(
    site: Site,
) -> None:
    from portal.site import model, workers

    todo = _many_notices(site, workers.SPLIT_MIN_FILES)
    alone = workers.parse(site.content, todo, jobs=1)
    model._PARSED_BODIES.clear()
    split = workers.parse(site.content, todo, jobs=2)
    assert split == alone
    assert split[-1][0] == "notices/m9999.md" and split[-1][3]  # its error came back
    for _, digest, _value, errs in split[:-1]:
        assert not errs and model.kept_body(digest) is not None  # no file read twice


def test_a_split_parse_whose_helper_fails_parses_everything_here(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.site import workers

    class Failed:
        def __init__(self, fn: object) -> None:
            pass

        def result(self) -> None:
            return None

    todo = _many_notices(site, workers.SPLIT_MIN_FILES)
    alone = workers.parse(site.content, todo, jobs=1)
    monkeypatch.setattr(workers, "Prefetch", Failed)
    assert workers.parse(site.content, todo, jobs=2) == alone


def test_a_pool_parse_of_many_files_gives_what_one_process_gives(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.site import model, workers

    todo = _many_notices(site, 120)
    alone = workers.parse(site.content, todo, jobs=1)
    monkeypatch.setattr(workers, "SPLIT_MIN_FILES", 50)
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 100)  # as if these were 5,000
    model._PARSED_BODIES.clear()
    assert workers.parse(site.content, todo, jobs=2) == alone  # in order, errors included
    assert all(model.kept_body(digest) is not None for _, digest, _, errs in alone if not errs)
