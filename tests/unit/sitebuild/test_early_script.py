"""early.js: the large-type code that runs before the first paint, inlined and hash-admitted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from portal import ROOT
from portal.site.security import CSP_HEADER, inline_hash, inline_scripts
from tests.unit.sitebuild.conftest import Site

_SCRIPT_SRC = re.compile(r"script-src ([^;]+)")


def _page_script_src(html: str) -> str:
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta is not None
    found = _SCRIPT_SRC.search(meta.group(1))
    assert found is not None
    return found.group(1)


def test_the_inlined_script_drops_comment_lines_and_indentation_but_keeps_every_statement(
    tmp_path: Path,
) -> None:
    (tmp_path / "early.js").write_text(
        "// a comment\n(function (r) {\n  // another\n  r.x = 1;\n\n  r.y = 2;\n})(this);\n",
        encoding="utf-8",
    )
    assert inline_scripts(tmp_path) == {
        "early_js": "(function (r) {\nr.x = 1;\nr.y = 2;\n})(this);"
    }


def test_a_missing_script_inlines_nothing(tmp_path: Path) -> None:
    assert inline_scripts(tmp_path) == {"early_js": ""}


def test_the_site_script_carries_no_comment_and_both_policies_admit_it_by_hash() -> None:
    js = inline_scripts()["early_js"]
    assert js and "//" not in js.replace("://", "")
    assert _SCRIPT_SRC.search(CSP_HEADER).group(1) == f"'self' {inline_hash(js)}"  # type: ignore[union-attr]
    assert "unsafe-inline" not in CSP_HEADER


def test_every_page_inlines_the_script_of_its_own_site_and_admits_that_one(site: Site) -> None:
    src = site.content.parent / "src"
    for part in ("templates", "static", "translations"):
        shutil.copytree(ROOT / "site" / part, src / part)
    early = src / "static" / "early.js"
    early.write_text(early.read_text(encoding="utf-8").replace('"big"', '"big", "own"'),
                     encoding="utf-8")  # fmt: skip
    js = inline_scripts(src / "static")["early_js"]
    assert js != inline_scripts()["early_js"]
    site.build(site_src=src)
    pages = list(site.out.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.count(f"<script>{js}</script>") == 1, page
        assert _page_script_src(html) == f"'self' {inline_hash(js)}", page
