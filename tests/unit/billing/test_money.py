"""The one rounding rule and the one way of showing money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.billing.money import capital_yuan, charge_fen, parse_yuan, yuan


@pytest.mark.parametrize(("area", "price", "fen"), [
    ("89.6", 280, 25088), ("118.3", 280, 33124), ("0.5", 1, 1), ("0.49", 1, 0),
    ("1.25", 2, 3), ("100", 280, 28000), ("2.5", 3, 8), ("0.001", 500, 1), ("0.0009", 500, 0),
])  # fmt: skip
def test_a_charge_is_quantity_times_price_rounded_half_up_once(area: str, price: int, fen: int) -> None:
    assert charge_fen(Decimal(area), price) == fen


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        charge_fen(89.6, 280)  # type: ignore[arg-type]


@pytest.mark.parametrize(("fen", "text"), [(0, "0.00"), (5, "0.05"), (100, "1.00"),
                                           (123456, "1234.56"), (-5, "-0.05")])  # fmt: skip
def test_yuan_has_two_decimals(fen: int, text: str) -> None:
    assert yuan(fen) == text
    assert parse_yuan(text) == fen


def test_parse_yuan_refuses_fractions_of_a_fen() -> None:
    with pytest.raises(ValueError):
        parse_yuan("1.005")


@pytest.mark.parametrize(("fen", "words"), [
    (0, "零元整"), (10, "壹角整"), (105, "壹元零伍分"), (123456, "壹仟贰佰叁拾肆元伍角陆分"),
    (1000500, "壹万零伍元整"), (10010001, "壹拾万零壹佰元零壹分"), (25088, "贰佰伍拾元捌角捌分"),
])  # fmt: skip
def test_capital_numerals_as_on_a_receipt(fen: int, words: str) -> None:
    assert capital_yuan(fen) == words
