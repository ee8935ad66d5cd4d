"""QR codes as compact inline SVG, for the printed notice on a lobby board.

segno encodes; we write one ``<path>`` of horizontal runs ourselves, which is
smaller than segno's own SVG. The mask is fixed: choosing the "best" of eight
masks costs 3× the time and every mask is valid by the standard.
"""

from __future__ import annotations

import segno


def qr_svg(data: str, module_px: int = 6, border: int = 4) -> str:
    q = segno.make(data, error="m", micro=False, mask=2, boost_error=False)
    parts: list[str] = []
    for y, row in enumerate(q.matrix):
        x, n = 0, len(row)
        while x < n:
            if row[x] & 1:
                start = x
                while x < n and row[x] & 1:
                    x += 1
                parts.append(f"M{start + border} {y + border}h{x - start}")
            else:
                x += 1
    size = len(q.matrix) + 2 * border
    px = size * module_px
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{px}" '
        f'height="{px}" role="img" shape-rendering="crispEdges"><rect width="{size}" '
        f'height="{size}" fill="#fff"/><path stroke="#000" d="{"".join(parts)}" '
        f'transform="translate(0 .5)"/></svg>'
    )
