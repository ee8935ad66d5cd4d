"""The published results as a build input, and what the commitments page shows of them.

``portal kpi publish --out results.json`` writes the approved snapshots of the last 12
months (from the store); ``portal build --results results.json`` puts them on the
commitments page (:func:`load`). The page's fingerprint covers the file's content, so a new
approval rebuilds that page only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from portal.commitments.model import KpiFigure, Snapshot


def dump(snapshots: Sequence[Snapshot]) -> str:
    return json.dumps([s.as_dict() for s in snapshots], ensure_ascii=False, sort_keys=True,
                      indent=1) + "\n"  # fmt: skip


def load(path: Path) -> list[Snapshot]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [Snapshot.from_dict(d) for d in raw if isinstance(d, dict)]


def digest(snapshots: Sequence[Snapshot]) -> str:
    return hashlib.blake2b(dump(snapshots).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class MonthView:
    """One estate's month as the page shows it."""

    month: str
    year: int
    number: int
    figures: tuple[KpiFigure, ...]
    explanations: dict[str, str]
    late: bool
    approved_at: str


def by_estate(snapshots: Sequence[Snapshot]) -> dict[str, list[MonthView]]:
    """Estate slug → its published months, newest first."""
    out: dict[str, list[MonthView]] = {}
    for s in sorted(snapshots, key=lambda s: s.month, reverse=True):
        if s.state != "approved":
            continue
        out.setdefault(s.estate, []).append(MonthView(
            s.month, int(s.month[:4]), int(s.month[5:7]), s.figures, dict(s.explanations), s.late,
            s.approved_at))  # fmt: skip
    return out
