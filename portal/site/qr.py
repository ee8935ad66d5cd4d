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

from functools import lru_cache
from typing import Any

from segno import consts
from segno import encoder as _encoder

encoder: Any = _encoder  # segno's encoder internals carry no type hints

ERROR = consts.ERROR_LEVEL_M
MASK = 2


@lru_cache(maxsize=16)
def _layout(version: int) -> tuple[int, list[tuple[int, int]], list[int], list[bytearray]]:
    """(size, data module positions in placement order, mask bit per position, base rows)."""
    size: int = encoder.calc_matrix_size(version)
    m = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(m, size, size)
    encoder.add_alignment_patterns(m, size, size)
    function = [bytearray(row) for row in m]
    function[-8][8] = 0x1  # the dark module is not part of the encoding region
    positions: list[tuple[int, int]] = []
    for right in range(size - 1, 0, -2):  # ISO/IEC 18004 7.7.3: two-module columns, zigzag
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in (0, 1):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (size - 1 - vertical) if upwards else vertical
                if m[i][j] == 0x2:
                    positions.append((i, j))
                    m[i][j] = 0x0
    pattern = encoder.get_data_mask_functions(False)[MASK]
    flips = [int(pattern(i, j)) if function[i][j] > 0x1 else 0 for i, j in positions]
    encoder.add_format_info(m, version, ERROR, MASK)
    encoder.add_version_info(m, version)
    return size, positions, flips, [bytearray(row) for row in m]


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


def qr_matrix(data: str) -> list[bytearray]:
    """Rows of modules (1 dark, 0 light), without the quiet zone."""
    version, bits = _bits(data)
    _size, positions, flips, base = _layout(version)
    rows = [bytearray(row) for row in base]  # function patterns: already 0/1
    for (i, j), bit, flip in zip(positions, bits, flips, strict=False):
        if bit ^ flip:
            rows[i][j] = 1
    return rows


def qr_svg(data: str, module_px: int = 6, border: int = 4) -> str:
    rows = qr_matrix(data)
    parts: list[str] = []
    for y, row in enumerate(rows):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                parts.append(f"M{start + border} {y + border}h{x - start}")
            else:
                x += 1
    size = len(rows) + 2 * border
    px = size * module_px
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{px}" '
        f'height="{px}" role="img" shape-rendering="crispEdges"><rect width="{size}" '
        f'height="{size}" fill="#fff"/><path stroke="#000" d="{"".join(parts)}" '
        f'transform="translate(0 .5)"/></svg>'
    )
