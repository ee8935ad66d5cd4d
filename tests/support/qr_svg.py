"""Read back the QR code SVG the site builder draws: which modules are dark.

The path is what a renderer follows: ``M x y`` moves to a row's start, ``h n``
draws n modules along the row, ``m dx dy`` moves without drawing; the stroke is
one unit wide on the row's centre line (``translate(0 .5)``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from portal import ROOT

_COMMAND = re.compile(r"([MmHh])\s*(-?\d+)(?:[ ,]+(-?\d+))?")
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_PATH = re.compile(r'<path [^>]*\bd="([^"]*)"')


def size(svg: str) -> int:
    """The symbol's side in modules, with the quiet zone."""
    found = _VIEWBOX.search(svg)
    assert found is not None, svg[:200]
    return int(found.group(1))


def dark_modules(svg: str) -> set[tuple[int, int]]:
    """(x, y) of every module the path draws, in viewBox units (the quiet zone included)."""
    found = _PATH.search(svg)
    assert found is not None, svg[:200]
    x = y = 0
    dark: set[tuple[int, int]] = set()
    for op, a, b in _COMMAND.findall(found.group(1)):
        if op == "M":
            x, y = int(a), int(b)
        elif op == "m":
            x, y = x + int(a), y + int(b)
        else:
            n = int(a) - (x if op == "H" else 0)
            dark |= {(x + i, y) for i in range(n)}
            x += n
    return dark


def raster(svg: str, scale: int = 3) -> memoryview:
    """The symbol as an 8-bit grey image (0 dark, 255 light), ``scale`` pixels a module."""
    side = size(svg) * scale
    pixels = bytearray(b"\xff" * side * side)
    for x, y in dark_modules(svg):
        for dy in range(scale):
            start = (y * scale + dy) * side + x * scale
            pixels[start : start + scale] = b"\0" * scale
    return memoryview(bytes(pixels)).cast("B", shape=[side, side])


QRPRINT_JS = ROOT / "site" / "static" / "qrprint.js"
_NODE_DRIVER = """
global.window = { addEventListener() {} };
require(process.argv[1]);
const urls = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(urls.map((u) => window.portalPrint.svg(u, 3))));
"""


def drawn_by_print_button(urls: list[str]) -> list[str]:
    """The SVG the notice page's print button draws for each URL: ``site/static/qrprint.js``
    itself, run by Node (the browser tests run it in Chromium, on the page)."""
    node = shutil.which("node")
    assert node is not None, "Node.js runs the page's QR code script here"
    done = subprocess.run([node, "-e", _NODE_DRIVER, str(QRPRINT_JS)], input=json.dumps(urls),
                          capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
    svgs: list[str] = json.loads(done.stdout)
    return svgs
