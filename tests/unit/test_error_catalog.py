"""Every error code the code raises has a message in both catalogs (zh-CN first, English)."""

from __future__ import annotations

import re

import yaml

from portal import ROOT
from portal.i18n import CATALOG_DIR, LANGS

_RAISED = re.compile(
    r"\b(?:InvalidInput|Conflict|NotFound|Forbidden|RateLimited|Unavailable|Unauthenticated)"
    r"\(\s*\"([a-z_]+)\""
)


def raised_codes() -> set[str]:
    codes: set[str] = set()
    for package in ("portal", "functions"):
        for path in (ROOT / package).rglob("*.py"):
            codes.update(_RAISED.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_raised_error_code_has_a_message_in_both_languages() -> None:
    codes = raised_codes()
    assert "order_changed" in codes and "invalid_phone" in codes  # the scan finds them
    for lang in LANGS:
        with (CATALOG_DIR / lang / "errors.yaml").open(encoding="utf-8") as fh:
            messages = yaml.safe_load(fh)
        missing = sorted(c for c in codes if not messages.get(c))
        assert not missing, f"{lang}/errors.yaml lacks {missing}"
