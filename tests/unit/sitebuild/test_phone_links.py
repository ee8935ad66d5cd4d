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


def test_numbers_after_a_link_or_code_are_linked_and_those_inside_are_not() -> None:
    html = link_phones(render(
        "[值班室 0731-8816-3304](https://example.com) 或 13812345678；`13912345678` 后 010-12345678\n\n"
        "```\n拨 0731-8816-3311\n```\n\n![13712345678](/a.png \"13612345678\") 客服 0731-8816-3312"
    ))  # fmt: skip
    linked = [s.split('"')[0] for s in html.split('class="tel" href="tel:')[1:]]
    assert linked == ["13812345678", "01012345678", "073188163312"], html


def test_text_without_a_number_comes_back_as_it_was() -> None:
    html = render("尊敬的业主：\n\n明天 **9:00–12:00** 停水，<b>请储水</b>。")
    assert link_phones(html) is html
