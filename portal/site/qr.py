"""QR codes as compact inline SVG, for the print views on a lobby board (campaigns, issues,
and the editor's preview of a printed notice; on the site a notice page's print button draws
the same SVG in the browser: ``site/static/qrprint.js``).

What depends only on the symbol's version, error level and mask (where each
data bit goes, which modules the mask flips, the function patterns and the
format/version information) is computed once per version and cached, so each
code costs the encoding plus one gather of its modules. The mask is fixed:
choosing the "best" of eight masks costs 3× the time, and every mask is valid
by the standard.

Encoding a URL (byte mode, the common case) is done here, with segno's tables:
the bit stream is one integer, and Reed–Solomon, being linear over GF(256), is
the XOR of one precomputed remainder per (position, byte value), cached as
they are first met; a notice URL costs a few dozen dictionary look-ups instead
of segno's pure-Python division (0.9 ms a code). Anything else (numeric,
alphanumeric or non-ASCII data) goes through segno's encoder. Either way the
result is module-for-module what ``segno.make(data, error="m", mask=2,
boost_error=False)`` gives (a unit test checks both paths), and a sample of
the generated codes is read back with a real decoder (zxing-cpp) in the tests.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from segno import consts
from segno import encoder as _encoder

encoder: Any = _encoder  # segno's encoder internals carry no type hints

ERROR = consts.ERROR_LEVEL_M
MASK = 2


@lru_cache(maxsize=16)
def _layout(version: int) -> tuple[int, bytes, Any]:
    """(size, mask bit per data module in placement order, gather of the final modules).

    The gather maps every module, row by row, either to its fixed value (function
    patterns, format and version information) or to the k-th placed data bit, so
    that building a symbol is one XOR and one C-level gather, no Python loop.
    """
    size: int = encoder.calc_matrix_size(version)
    m = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(m, size, size)
    encoder.add_alignment_patterns(m, size, size)
    function = [bytearray(row) for row in m]
    function[-8][8] = 0x1  # the dark module is not part of the encoding region
    placed: dict[tuple[int, int], int] = {}
    for right in range(size - 1, 0, -2):  # ISO/IEC 18004 7.7.3: two-module columns, zigzag
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in (0, 1):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (size - 1 - vertical) if upwards else vertical
                if m[i][j] == 0x2:
                    placed[(i, j)] = len(placed)
                    m[i][j] = 0x0
    pattern = encoder.get_data_mask_functions(False)[MASK]
    flips = bytes(int(pattern(i, j)) if function[i][j] > 0x1 else 0 for (i, j) in placed)
    encoder.add_format_info(m, version, ERROR, MASK)
    encoder.add_version_info(m, version)
    fixed = bytes(v & 1 for row in m for v in row)
    n = len(placed)
    # Index into (data bits + fixed modules): data cells read bit k, others their fixed value.
    order = [
        placed[(i, j)] if (i, j) in placed else n + i * size + j
        for i in range(size)
        for j in range(size)
    ]
    return size, flips, (itemgetter(*order), fixed)


_BYTE_MODE = 0b0100
_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
_AS_BITS = [bytes((b >> k) & 1 for k in range(7, -1, -1)) for b in range(256)]
"""Byte value → its eight bits, one per byte (the form the module gather reads)."""


def _capacity_bits(version: int) -> int:
    return int(consts.SYMBOL_CAPACITY[version][ERROR])  # type: ignore[index]


@lru_cache(maxsize=64)
def _remainders(num_data: int, num_ecc: int) -> tuple[tuple[int, ...], ...]:
    """For each data position, its unit message's Reed–Solomon remainder, as ECC bytes."""
    gen, log, exp = consts.GEN_POLY[num_ecc], consts.GALIOS_LOG, consts.GALIOS_EXP
    out = []
    for pos in range(num_data):
        block = bytearray(num_data + num_ecc)
        block[pos] = 1
        for k in range(num_data):  # segno's synthetic division, on the unit vector
            coef = block[k]
            if coef:
                lcoef = log[coef]
                for n in range(num_ecc):
                    block[k + n + 1] ^= exp[lcoef + gen[n]]
        out.append(tuple(block[num_data:]))
    return tuple(out)


_ECC_MEMO: dict[tuple[int, int, int, int], int] = {}
"""(data length, ECC length, position, byte) → that byte's remainder as one integer."""


def _ecc(block: bytes, num_ecc: int) -> bytes:
    """The block's error-correction codewords: XOR of each byte's (cached) remainder."""
    k = len(block)
    acc = 0
    memo = _ECC_MEMO
    for pos, c in enumerate(block):
        if c:
            key = (k, num_ecc, pos, c)
            v = memo.get(key)
            if v is None:
                log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
                lc = log[c]
                unit = _remainders(k, num_ecc)[pos]
                v = memo[key] = int.from_bytes(bytes(exp[lc + log[u]] if u else 0 for u in unit))
            acc ^= v
    return acc.to_bytes(num_ecc)


def _byte_mode_bits(raw: bytes) -> tuple[int, bytes]:
    """(version, final message bits) for data segno would encode as one byte-mode segment."""
    n = len(raw)
    version = next(
        (v for v in range(1, 41) if 4 + (8 if v < 10 else 16) + 8 * n <= _capacity_bits(v)), 0
    )
    if not version:
        raise ValueError("data too long for a QR code")
    count_bits = 8 if version < 10 else 16
    value = (((_BYTE_MODE << count_bits) | n) << (8 * n)) | int.from_bytes(raw)
    value <<= 4  # the terminator always fits whole here (the capacity is 4 bits more)
    # segno then pads to a codeword boundary with 1–8 zero bits (a whole zero codeword
    # when the stream already ends on one), then the pad codewords, cut at the capacity.
    data = value.to_bytes((count_bits + 8 * n + 8) // 8) + b"\0"
    num_data = _capacity_bits(version) // 8
    data = (data + b"\xec\x11" * num_data)[:num_data]
    data_blocks: list[bytes] = []
    ecc_blocks: list[bytes] = []
    at = 0
    for info in consts.ECC[version][ERROR]:  # type: ignore[index]
        for _ in range(info.num_blocks):
            block = data[at : at + info.num_data]
            at += info.num_data
            data_blocks.append(block)
            ecc_blocks.append(_ecc(block, info.num_total - info.num_data))
    # Interleave: the i-th codeword of every block in turn; a second group's blocks have one
    # data codeword more, which comes last.
    shortest = min(len(b) for b in data_blocks)
    words = bytes(chain.from_iterable(zip(*(b[:shortest] for b in data_blocks), strict=True)))
    words += bytes(b[shortest] for b in data_blocks if len(b) > shortest)
    words += bytes(chain.from_iterable(zip(*ecc_blocks, strict=True)))
    return version, b"".join(map(_AS_BITS.__getitem__, words))


def _bits(data: str) -> tuple[int, Any]:
    if data.isascii() and not _ALPHANUMERIC.issuperset(data):
        return _byte_mode_bits(data.encode("ascii"))  # what segno's mode choice gives here
    segments = encoder.prepare_data(data, None, None)
    version: int = encoder.find_version(segments, ERROR, eci=False, micro=False)
    buff = encoder.Buffer()
    ver_range = encoder.version_range(version)
    for segment in segments:
        encoder.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][ERROR]  # type: ignore[index]
    encoder.write_terminator(buff, capacity, None, len(buff))
    encoder.write_padding_bits(buff, version, len(buff))
    encoder.write_pad_codewords(buff, version, capacity, len(buff))
    return version, encoder.make_final_message(version, ERROR, buff).getbits()


def _modules(data: str) -> tuple[int, bytes]:
    """(size, every module row by row: 1 dark, 0 light), without the quiet zone."""
    version, bits = _bits(data)
    size, flips, (gather, fixed) = _layout(version)
    n = len(flips)
    bits = bits[:n].ljust(n, b"\0")  # the remainder bits (ISO/IEC 18004 7.6) are light
    masked = (int.from_bytes(bits) ^ int.from_bytes(flips)).to_bytes(n)
    return size, bytes(gather(masked + fixed))


def qr_matrix(data: str) -> list[bytearray]:
    """Rows of modules (1 dark, 0 light), without the quiet zone."""
    size, flat = _modules(data)
    return [bytearray(flat[i : i + size]) for i in range(0, len(flat), size)]


def qr_svg(data: str, module_px: int = 6, border: int = 4) -> str:
    """The symbol as one SVG path: a 1-unit stroke per dark module, row by row.

    Rows start with an absolute move and go on in relative steps (``h1`` draws a
    module, ``m1 0`` skips one), so each row's path is two byte replacements of
    its modules, not a Python loop over runs; runs of ``h1`` draw as one line.
    """
    n, flat = _modules(data)
    path = b"".join([
        b"M%d %d" % (border, y + border)
        + flat[y * n : (y + 1) * n].rstrip(b"\0").replace(b"\1", b"h1").replace(b"\0", b"m1 0")
        for y in range(n)
    ]).decode()  # fmt: skip
    size = n + 2 * border
    px = size * module_px
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{px}" '
        f'height="{px}" role="img" shape-rendering="crispEdges"><rect width="{size}" '
        f'height="{size}" fill="#fff"/><path stroke="#000" d="{path}" '
        f'transform="translate(0 .5)"/></svg>'
    )
