"""Translation catalogs: zh-CN first, English second.

Catalogs live in ``site/translations/<lang>/<area>.yaml`` as nested mappings;
a key is the area then the dotted path inside the file (``errors.not_found`` is
``not_found`` in ``errors.yaml``), so each area of the product owns one file. The site templates and the API's error
messages both read them, so no user-facing text is hard-coded in Python.

The Lambda package carries a JSON twin of each file (``<area>.json``, made by
:func:`compile_catalog` when the package is built: ``tests/package/lambda_build.py``), so
a cold start that answers an error parses JSON instead of importing a YAML parser. A twin
holds the SHA-256 of the YAML it was made from and is used only while that still matches.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

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
    _area.cache_clear()


@cache
def catalog(lang: str, directory: Path = CATALOG_DIR) -> dict[str, str]:
    """Every message of ``lang`` (what the site builder embeds)."""
    seeded = _SEEDED.get((lang, directory))
    if seeded is not None:
        return seeded
    out: dict[str, str] = {}
    for path in sorted((directory / lang).glob("*.yaml")):
        out.update(_area(lang, path.stem, directory))
    return out


@cache
def _area(lang: str, area: str, directory: Path = CATALOG_DIR) -> dict[str, str]:
    """The messages of one catalog file (``errors`` → ``errors.yaml``: keys ``errors.*``)."""
    seeded = _SEEDED.get((lang, directory))
    if seeded is not None:
        return {k: v for k, v in seeded.items() if k.split(".", 1)[0] == area}
    path = directory / lang / f"{area}.yaml"
    if not path.is_file():
        return {}
    source = path.read_bytes()
    return _compiled(path, source) or _parse(area, source)


def _parse(area: str, source: bytes) -> dict[str, str]:
    import yaml  # only when a catalog without a twin is read: a cold start may never need one

    out: dict[str, str] = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    _flatten(area, yaml.load(source.decode("utf-8"), Loader=loader) or {}, out)
    return out


def compile_catalog(area: str, source: bytes) -> bytes:
    """The JSON twin of a catalog file: its messages, and the digest of the YAML they are of."""
    twin = {"sha256": hashlib.sha256(source).hexdigest(), "messages": _parse(area, source)}
    return json.dumps(twin, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _compiled(path: Path, source: bytes) -> dict[str, str] | None:
    """The messages of ``path``'s JSON twin, if it has one made from this very source."""
    try:
        twin = json.loads(path.with_suffix(".json").read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(twin, dict) or twin.get("sha256") != hashlib.sha256(source).hexdigest():
        return None
    messages = twin.get("messages")
    return messages if isinstance(messages, dict) else None


def reload() -> None:
    """Forget the catalogs read so far (the files changed: the dev server's watcher)."""
    catalog.cache_clear()
    _area.cache_clear()


def _message(lang: str, key: str) -> str | None:
    seeded = _SEEDED.get((lang, CATALOG_DIR))
    if seeded is not None:
        return seeded.get(key)
    return _area(lang, key.split(".", 1)[0]).get(key)


def translate(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message for ``key`` in ``lang``, falling back to zh-CN, then the key.

    Only the key's own catalog file is read (``errors.not_found``: ``errors.yaml``), so an
    API error reads one small file per language, not every catalog.
    """
    text = _message(lang, key) or _message(DEFAULT_LANG, key) or key
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
