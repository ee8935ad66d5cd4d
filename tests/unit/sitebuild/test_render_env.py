"""The Jinja environment the builder renders with: templates call functions directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import pass_context

from portal import ROOT
from portal.site.render import check_called_directly, make_env


def test_compiled_templates_call_functions_without_context_call(tmp_path: Path) -> None:
    env = make_env(ROOT / "site" / "templates", "https://portal.example.cn", {})
    for name in ("base.html", "notice.html", "notice_list.html", "_/macros.html"):
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        code = env.compile(source, name, raw=True)
        assert "context.call(" not in code, name


def test_a_global_that_takes_the_context_is_refused() -> None:
    @pass_context
    def wants_context(context: object) -> str:
        return ""

    with pytest.raises(TypeError, match="wants_context"):
        check_called_directly({"wants_context": wants_context, "plain": len})
