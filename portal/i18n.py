"""Translation catalogs: zh-CN first, English second.

Catalogs live in ``site/translations/<lang>/<area>.yaml`` as nested mappings;
a key is the area then the dotted path inside the file (``errors.not_found`` is
``not_found`` in ``errors.yaml``), so each area of the product owns one file. The site templates and the API's error
messages both read them, so no user-facing text is hard-coded in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from portal import ROOT

LANGS: tuple[str, ...] = ("zh-CN", "en")
"""Every language of the product, zh-CN first: the one list the site, API and CLI read."""
DEFAULT_LANG = "zh-CN"
CATALOG_DIR = ROOT / "site" / "translations"


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = str(node)


_SEEDED: dict[tuple[str, Path], dict[str, str]] = {}


def seed(catalogs: dict[str, dict[str, str]], directory: Path = CATALOG_DIR) -> None:
    """Use these already-read catalogs (a cache the caller checked against the files)."""
    for lang, entries in catalogs.items():
        _SEEDED[(lang, directory)] = entries
    catalog.cache_clear()


@cache
def catalog(lang: str, directory: Path = CATALOG_DIR) -> dict[str, str]:
    seeded = _SEEDED.get((lang, directory))
    if seeded is not None:
        return seeded
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out: dict[str, str] = {}
    for path in sorted((directory / lang).glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            _flatten(path.stem, yaml.load(fh, Loader=loader) or {}, out)
    return out


def translate(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message for ``key`` in ``lang``, falling back to zh-CN, then the key."""
    text = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    return text.format(**params) if params else text


@dataclass(frozen=True)
class Text:
    """A text written in zh-CN, with an optional English version (staff-written content)."""

    zh: str
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to zh-CN."""
        return self.en if lang == "en" and self.en else self.zh

    def has(self, lang: str) -> bool:
        return lang != "en" or bool(self.en)


def both(key: str, /, **params: Any) -> str:
    """``中文 / English`` for a line printed once for everyone (the command line)."""
    zh, en = translate(key, DEFAULT_LANG, **params), translate(key, "en", **params)
    return zh if zh == en else f"{zh} / {en}"
