"""Running a roster import: validate, plan, write, record, audit (see the package doc)."""

from __future__ import annotations

import hashlib

from portal.accounts.audit import AuditLog, Event
from portal.accounts.owners import OwnerRepository
from portal.accounts.roster.columns import MAX_ROWS, Outcome
from portal.accounts.roster.log import ImportLogRepository
from portal.accounts.roster.plan import plan_changes
from portal.accounts.roster.report import Counts, ImportReport
from portal.accounts.roster.validate import parse_roster
from portal.clock import Clock, iso
from portal.estates.model import Estate


class RosterImporter:
    """Validate a roster file against an estate and write its good rows (see the module doc)."""

    def __init__(
        self,
        owners: OwnerRepository,
        imports: ImportLogRepository,
        audit: AuditLog,
        phone_key: bytes,
        clock: Clock,
    ) -> None:
        self.owners, self.imports, self.audit = owners, imports, audit
        self.phone_key, self.clock = phone_key, clock

    def run(
        self,
        data: bytes,
        *,
        estate: Estate,
        file_name: str,
        actor: str,
        source_ip: str,
        dry_run: bool = False,
        allow_partial: bool = False,
        max_rows: int = MAX_ROWS,
        buildings: frozenset[str] | None = None,
    ) -> ImportReport:
        """Import ``data`` into ``estate``; with ``buildings``, a row for any other building
        is refused (``building_outside_scope``): staff import only where they work."""
        parsed = parse_roster(data, estate, max_rows, buildings)
        digest = hashlib.sha256(data).hexdigest()
        reports = parsed.reports
        counts = Counts(
            rows=len(reports),
            ok=sum(r.status == "ok" for r in reports),
            errors=sum(r.status == "error" for r in reports),
            skipped=sum(r.status == "skipped" for r in reports),
        )
        previous = self.imports.get(digest)
        if previous is not None and previous.estate != estate.slug:
            previous = None  # the same bytes into another estate is another import
        outcome: Outcome
        if counts.ok == 0 or (counts.errors and not allow_partial):
            outcome = "rejected"
        else:
            outcome = "partially_imported" if counts.errors else "imported"
        report = ImportReport(
            estate=estate.slug,
            file_name=file_name,
            sha256=digest,
            format=parsed.sheet.format,
            encoding=parsed.sheet.encoding,
            header_row=parsed.header.row,
            mode="allow_partial" if allow_partial else "all_or_nothing",
            dry_run=dry_run,
            outcome=outcome,
            written=False,
            counts=counts,
            rows=reports,
            previous_import=previous,
            time_zone=estate.time_zone,
        )
        try:
            if outcome != "rejected":
                plan = plan_changes(parsed.rows, self.owners, self.phone_key)
                for r in reports:
                    r.result = plan.results.get(r.row, "")
                for name in (
                    "owners_created",
                    "owners_updated",
                    "bindings_created",
                    "bindings_updated",
                    "unchanged",
                ):
                    setattr(counts, name, getattr(plan.counts, name))
                if not dry_run:
                    self.owners.apply(plan.changes)
                    report.written = True
                    self.imports.record(
                        digest,
                        estate=estate.slug,
                        file_name=file_name,
                        actor=actor,
                        at=iso(self.clock()),
                        counts=counts,
                    )
        except Exception:
            self._audit(report, actor, source_ip, failed=True)
            raise
        self._audit(report, actor, source_ip)
        return report

    def _audit(
        self,
        report: ImportReport,
        actor: str,
        source_ip: str,
        failed: bool = False,
    ) -> None:
        self.audit.record(
            Event(
                actor=actor,
                action="owners.import",
                target=report.estate,
                source_ip=source_ip,
                details={
                    "file_name": report.file_name,
                    "sha256": report.sha256,
                    "format": report.format,
                    "mode": report.mode,
                    "dry_run": report.dry_run,
                    "outcome": "failed" if failed else report.outcome,
                    "written": report.written,
                    "already_imported": report.already_imported,
                    "counts": vars(report.counts).copy(),
                },
            )
        )
