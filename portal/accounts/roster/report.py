"""The report of one roster import: per-row results, counts, the summary in zh/en."""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.roster.columns import Mode, Outcome
from portal.accounts.roster.validate import RowReport
from portal.clock import DEFAULT_TIME_ZONE, local_text, parse_iso, zone
from portal.i18n import translate


@dataclass
class Counts:
    rows: int = 0
    ok: int = 0
    errors: int = 0
    skipped: int = 0
    owners_created: int = 0
    owners_updated: int = 0
    bindings_created: int = 0
    bindings_updated: int = 0
    unchanged: int = 0
    """Good rows whose binding was already stored exactly so."""


@dataclass(frozen=True)
class PreviousImport:
    first_at: str
    last_at: str
    by: str
    estate: str
    file_name: str
    times: int


@dataclass
class ImportReport:
    estate: str
    file_name: str
    sha256: str
    format: str
    encoding: str
    header_row: int
    mode: Mode
    dry_run: bool
    outcome: Outcome
    written: bool
    counts: Counts
    rows: list[RowReport]
    previous_import: PreviousImport | None = None
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def already_imported(self) -> bool:
        return self.previous_import is not None

    @property
    def has_errors(self) -> bool:
        return self.counts.errors > 0

    def message(self, lang: str = "zh-CN") -> str:
        """One paragraph: what happened (or would happen), and whether this file was seen."""
        c = self.counts
        area = "dry_run" if self.dry_run else "outcome"
        text = translate(
            f"roster.{area}.{self.outcome}",
            lang,
            rows=c.rows,
            ok=c.ok,
            errors=c.errors,
            skipped=c.skipped,
            owners_created=c.owners_created,
            owners_updated=c.owners_updated,
            bindings_created=c.bindings_created,
            bindings_updated=c.bindings_updated,
            unchanged=c.unchanged,
        )
        if self.previous_import is not None:
            at = parse_iso(self.previous_import.last_at)
            text += translate(
                "roster.already_imported",
                lang,
                at=local_text(at, zone(self.time_zone)),
                times=self.previous_import.times,
            )
        return text
