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


@pytest.mark.parametrize("parts", [
    ("site.category.", "outage"), ("estates/", "lanting", "/"), ("", ""), ("a", 1, "b"),
    ("<x>", Markup("<b>kept</b>"), "&"), (Markup("<i>"), "<not>"), ("t", None), (_Str("<s>"), "x"),
    (_Html(), "<y>"), ("only",),
])  # fmt: skip
def test_a_concatenation_gives_what_markup_join_gives(parts: tuple[Any, ...]) -> None:
    from jinja2.runtime import markup_join

    from portal.site.render import concat_out

    joined = concat_out(parts)
    assert joined == markup_join(parts) and type(joined) is type(markup_join(parts))


def test_a_concatenation_with_an_undefined_part_still_fails_the_page() -> None:
    from portal.site.render import concat_out

    with pytest.raises(UndefinedError):
        concat_out(("estates/", StrictUndefined(name="missing")))
