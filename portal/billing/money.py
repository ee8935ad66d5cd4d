"""Money: integer fen everywhere; the one rounding rule; the one way to show yuan.

The rounding rule (the only place it is written down)
    A charge that is a quantity times a price in fen (a unit's area in m² × the
    management fee per m² per month; water in m³ × the price per m³; electricity
    in kWh × the price per kWh) is computed exactly in ``Decimal`` and rounded
    **once, per bill, half up to the whole fen** (``ROUND_HALF_UP``: 0.5 fen →
    1 fen). Nothing is rounded before the multiplication and nothing is summed
    before rounding: each bill is its own rounded amount, and totals are sums of
    those. ``float`` never appears (the store's codec refuses it).

Showing money
    :func:`yuan` is the one formatter of amounts for people (``123456`` →
    ``1234.56``); :func:`capital_yuan` writes the amount in Chinese capital
    numerals, as printed on receipts (``壹仟贰佰叁拾肆元伍角陆分``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MAX_BILL_FEN = 100_000_000
"""¥1,000,000: no single bill is larger (a typo guard on prices and readings)."""


def charge_fen(quantity: Decimal | int, price_fen: int) -> int:
    """``quantity × price_fen`` rounded half up to the whole fen (the rule above)."""
    if not isinstance(quantity, Decimal | int) or isinstance(quantity, bool):
        raise TypeError("a quantity is a Decimal or an int, never a float")
    exact = Decimal(quantity) * Decimal(price_fen)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan(fen: int) -> str:
    """``1234.56`` for 123456 fen (``-0.05`` for -5): always two decimals, no symbol."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """Fen of ``"12.5"``/``"12.50"``/``"12"`` (``ValueError`` for more than two decimals)."""
    value = Decimal(text.strip().replace(",", ""))
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError("more than two decimals")
    return int(fen)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ("", "拾", "佰", "仟")
_BIG = ("", "万", "亿", "万亿")


def _four(n: int) -> str:
    """0 < n < 10000 in capitals, with 零 where a digit inside is zero."""
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _SMALL[i]
    return out


def capital_yuan(fen: int) -> str:
    """The amount in Chinese capital numerals (人民币大写), as on a receipt."""
    if fen < 0:
        return "负" + capital_yuan(-fen)
    whole, cents = divmod(fen, 100)
    jiao, fen_ = divmod(cents, 10)
    parts: list[str] = []
    groups: list[int] = []
    rest = whole
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text, pending_zero = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or g < 1000):
            text += "零"
        text += _four(g) + _BIG[i]
        pending_zero = False
    if text:
        parts.append(text + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif text and fen_:
        parts.append("零")
    if fen_:
        parts.append(_DIGITS[fen_] + "分")
    if not parts:
        return "零元整"
    return "".join(parts) + ("" if fen_ else "整")
