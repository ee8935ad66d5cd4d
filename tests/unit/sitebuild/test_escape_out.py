"""A value written to a page by the templates (``{{ value }}``, compiled to
``portal.site.render.escape_out``) is exactly what Jinja's ``escape`` writes."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import StrictUndefined, UndefinedError
from markupsafe import Markup, escape

from portal.site.render import escape_out


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class _Text:
    def __str__(self) -> str:
        return "a < b & 'c' \"d\""


class _Str(str):
    pass


@pytest.mark.parametrize("value", [
    "", "plain", "<script>alert('x')</script> & \"q\"", "停水 <通知>", Markup("<b>kept</b>"),
    Markup("&amp;") + "<i>", 0, 12.5, None, True, _Html(), _Text(), _Str("<sub>"),
])  # fmt: skip
def test_a_value_is_written_as_escape_writes_it(value: Any) -> None:
    written = escape_out(value)
    assert written == str(escape(value)) and type(written) in (str, Markup)


def test_an_undefined_value_still_fails_the_page() -> None:
    with pytest.raises(UndefinedError):
        escape_out(StrictUndefined(name="missing"))
