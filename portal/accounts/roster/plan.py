"""Planning the writes of a roster import against what is stored (read in bulk)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.accounts.identity import UnitRef
from portal.accounts.owners import Binding, OwnerChange, OwnerRepository, owner_id_for
from portal.accounts.roster.columns import RowResult
from portal.accounts.roster.report import Counts
from portal.accounts.roster.validate import RosterRow


@dataclass(frozen=True)
class Plan:
    changes: list[OwnerChange]
    results: dict[int, RowResult]  # row number → result
    counts: Counts


def plan_changes(rows: Sequence[RosterRow], repo: OwnerRepository, phone_key: bytes) -> Plan:
    """What writing ``rows`` changes, compared with what is stored (read in bulk).

    The writes depend on the whole store (a known number gets no second profile); the
    counts and row results depend only on the file's own units (see below).
    """
    by_owner: dict[str, list[RosterRow]] = {}
    for row in rows:
        by_owner.setdefault(owner_id_for(row.phone, phone_key), []).append(row)
    snapshot = repo.snapshot(by_owner, ((o, r.unit) for o, rs in by_owner.items() for r in rs))
    counts = Counts()
    results: dict[int, RowResult] = {}
    changes: list[OwnerChange] = []
    for owner_id, owner_rows in by_owner.items():
        name = next((r.name for r in owner_rows if r.name), "")
        stored_name = snapshot.names.get(owner_id)
        create = stored_name is None
        set_name = not create and not stored_name and bool(name)
        writes: list[Binding] = []
        known_here = False
        for r in owner_rows:
            u = r.unit
            old = snapshot.bindings.get((owner_id, u.estate, u.building, u.room))
            known_here = known_here or old is not None
            relationship = r.relationship or (old.unit.relationship if old else "owner")
            new = Binding(
                UnitRef(u.estate, u.building, u.room, relationship),
                move_in_date=r.move_in_date or (old.move_in_date if old else ""),
                occupancy=r.occupancy or (old.occupancy if old else ""),
            )
            if old is None:
                results[r.row] = "created"
                counts.bindings_created += 1
            elif new != old:
                results[r.row] = "updated"
                counts.bindings_updated += 1
            else:
                results[r.row] = "unchanged"
                counts.unchanged += 1
                continue
            writes.append(new)
        # Counted from what the caller may see, this estate's units in this file, never from
        # whether the number is an owner elsewhere (that would tell staff of one estate who
        # lives in another): an owner none of whose units here were on file is "created".
        if not known_here:
            counts.owners_created += 1
        elif set_name or writes:
            counts.owners_updated += 1
        if create or set_name or writes:
            phone = owner_rows[0].phone
            changes.append(OwnerChange(owner_id, phone, name, create, set_name, tuple(writes)))
    return Plan(changes, results, counts)
