"""QR codes as compact inline SVG, for the printed notice on a lobby board.

segno encodes the data (segments, error correction, the final bit stream);
what depends only on the symbol's version, error level and mask (where each
data bit goes, which modules the mask flips, the function patterns and the
format/version information) is computed once per version and cached, so each
code costs the encoding plus one pass over its data modules. The result is
module-for-module what ``segno.make(data, error="m", mask=2, boost_error=False)``
gives (a unit test checks this). The mask is fixed: choosing the "best" of eight
masks costs 3× the time, and every mask is valid by the standard.
"""

from __future__ import annotations

import re
from functools import lru_cache
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


def _bits(data: str) -> tuple[int, Any]:
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
    masked = (int.from_bytes(bits[:n]) ^ int.from_bytes(flips)).to_bytes(n)
    return size, bytes(gather(masked + fixed))


def qr_matrix(data: str) -> list[bytearray]:
    """Rows of modules (1 dark, 0 light), without the quiet zone."""
    size, flat = _modules(data)
    return [bytearray(flat[i : i + size]) for i in range(0, len(flat), size)]


_AS_TEXT = bytes.maketrans(b"\x00\x01", b"01")
_RUN = re.compile("1+")


def qr_svg(data: str, module_px: int = 6, border: int = 4) -> str:
    n, flat = _modules(data)
    text = flat.translate(_AS_TEXT).decode()
    parts: list[str] = []
    for y in range(n):
        row = text[y * n : (y + 1) * n]
        parts += [
            f"M{m.start() + border} {y + border}h{m.end() - m.start()}" for m in _RUN.finditer(row)
        ]
    size = n + 2 * border
    px = size * module_px
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{px}" '
        f'height="{px}" role="img" shape-rendering="crispEdges"><rect width="{size}" '
        f'height="{size}" fill="#fff"/><path stroke="#000" d="{"".join(parts)}" '
        f'transform="translate(0 .5)"/></svg>'
    )
