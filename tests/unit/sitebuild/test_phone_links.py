"""Phone numbers in notice text become ``tel:`` links at build time, after sanitising."""

from __future__ import annotations

import pytest

from portal.site.markdown import link_phones, render
from portal.site.render import md


@pytest.mark.parametrize(
    ("written", "href"),
    [
        ("0731-8816-3304", "tel:073188163304"),  # landline as the demo writes it
        ("0731-88163304", "tel:073188163304"),
        ("010-12345678", "tel:01012345678"),  # Beijing: a 3-digit area code
        ("13812345678", "tel:13812345678"),  # mobile
        ("138 1234 5678", "tel:13812345678"),
        ("+86 139-1234-5678", "tel:+8613912345678"),
    ],
)
def test_mainland_numbers_become_tel_links(written: str, href: str) -> None:
    html = link_phones(render(f"请拨{written}联系管家。"))
    assert f'<a class="tel" href="{href}">{written}</a>' in html


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-21 起停水",  # a date
        "客服 400-873-6688",  # not a mainland mobile or landline pattern
        "单号 1381234567890",  # the digits of a longer number
        "`0731-8816-3304`",  # code
        "[值班室](https://example.com/0731-8816-3304)",  # inside a link and its URL
    ],
)
def test_what_is_not_a_phone_number_stays_text(text: str) -> None:
    html = link_phones(render(text))
    assert 'class="tel"' not in html


def test_linking_comes_after_sanitising_and_keeps_staff_html_out() -> None:
    html = str(md('<a href="javascript:alert(1)">0731-8816-3304</a> 或 13812345678'))
    assert "javascript:" not in html
    assert '<a class="tel" href="tel:13812345678">13812345678</a>' in html
    assert html.count('class="tel"') == 1  # the number inside the stripped link's text is not
