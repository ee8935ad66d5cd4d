"""The owner profile service: staff read and keep a unit's profile, its timeline and history,
and the archive completeness KPI (档案完好率) is counted from the one definition in
:data:`portal.profiles.model.REQUIRED`.

Scope: ``profile.read`` / ``profile.manage`` (:mod:`portal.accounts.policy`) on the unit,
so a butler kept to buildings sees and keeps only theirs. Phones: unmasked on one unit's
page for the roles that may call owners (``owner.phone``), always masked in lists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from portal.accounts import policy
from portal.accounts.audit import actor
from portal.accounts.identity import Identity
from portal.accounts.owners import OCCUPANCIES, Binding, OwnerRepository
from portal.accounts.policy import Target
from portal.clock import Clock, iso, local_day, zone
from portal.errors import Conflict, InvalidInput, NotFound
from portal.estates.directory import EstateDirectory
from portal.estates.model import Estate
from portal.phones import mask, normalise
from portal.profiles.model import (
    MAX_DEFECT,
    MAX_DEFECTS,
    MAX_MEMBERS,
    MAX_NAME,
    MEMBER_RELATIONSHIPS,
    SEGMENT_NAMES,
    Facts,
    Member,
    Profile,
    Resident,
    facts,
)  # fmt: skip
from portal.profiles.repository import ProfileRepository
from portal.profiles.timeline import Contact, timeline
from portal.store.errors import TransactionCancelled
from portal.workorders.callback_repository import CallbackRepository
from portal.workorders.repository import WorkOrderRepository

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class ProfileChanges:
    """What staff change (``None``: unchanged; ``""`` for occupancy or handover: the roster's)."""

    occupancy: str | None = None
    segment: str | None = None
    handover_date: str | None = None
    move_in_date: str | None = None
    members: Sequence[Member] | None = None
    defects: Sequence[str] | None = None


@dataclass(frozen=True)
class Incomplete:
    unit_id: str
    building: str
    room: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Completeness:
    """Complete profiles over units, with every incomplete unit and what it lacks."""

    complete: int
    units: int
    incomplete: tuple[Incomplete, ...]
    complete_ids: tuple[str, ...] = ()
    """The unit ids (``estate/building/room``) whose profile is complete: the numerator."""

    @property
    def percent(self) -> Decimal | None:
        if not self.units:
            return None
        return (Decimal(self.complete) * 100 / self.units).quantize(Decimal("0.01"))


def _text(value: str, limit: int, code: str, *, required: bool = False) -> str:
    """NFC, trimmed, control characters dropped (as the work orders clean their text);
    ``code`` if longer than ``limit`` as typed (what the API document counts), or empty when
    ``required``."""
    if len(value) > limit:
        raise InvalidInput(code)
    value = "".join(c for c in unicodedata.normalize("NFC", value)
                    if unicodedata.category(c) != "Cc").strip()  # fmt: skip
    if required and not value:
        raise InvalidInput(code)
    return value


def _masked(f: Facts) -> Facts:
    return replace(
        f, residents=tuple(replace(r, phone=mask(r.phone)) for r in f.residents),
        profile=replace(f.profile, members=tuple(replace(m, phone=mask(m.phone)) if m.phone else m
                                                 for m in f.profile.members)),
    )  # fmt: skip


def _logged(value: Any) -> Any:
    """A value as the history line keeps it (members' phones masked)."""
    if isinstance(value, tuple) and value and isinstance(value[0], Member):
        return [f"{m.name}（{m.relationship}{'，' + mask(m.phone) if m.phone else ''}）"
                for m in value]  # fmt: skip
    return list(value) if isinstance(value, tuple) else value


class ProfileService:
    def __init__(self, repo: ProfileRepository, owners: OwnerRepository, estates: EstateDirectory,
                 orders: WorkOrderRepository, callbacks: CallbackRepository, clock: Clock,
                 time_zone: str) -> None:  # fmt: skip
        self.repo, self.owners, self.estates = repo, owners, estates
        self.orders, self.callbacks, self.clock, self.tz = orders, callbacks, clock, time_zone

    # -- one unit ----------------------------------------------------------------------

    def read(self, identity: Identity, estate: str, building: str, room: str) -> Facts:
        """The unit's profile merged with its roster residents."""
        self._require(identity, "profile.read", estate, building, room)
        shown = self._facts(estate, building, room)
        return shown if policy.sees_phone(identity, "", estate) else _masked(shown)

    def timeline(self, identity: Identity, estate: str, building: str, room: str
                 ) -> list[Contact]:  # fmt: skip
        self._require(identity, "profile.read", estate, building, room)
        return timeline(self.orders, self.callbacks, estate, building, room)

    def history(self, identity: Identity, estate: str, building: str, room: str
                ) -> list[dict[str, Any]]:  # fmt: skip
        """Who changed what and when, newest first (``changes``: field → [old, new])."""
        self._require(identity, "profile.read", estate, building, room)
        return [{"at": i["at"], "actor": i["actor"], "version": i["version"],
                 "changes": i.get("changes", {})}
                for i in self.repo.history(estate, building, room)]  # fmt: skip

    def update(self, identity: Identity, estate: str, building: str, room: str,
               changes: ProfileChanges, version: int | None = None) -> Facts:  # fmt: skip
        """Apply ``changes`` if the profile is still at ``version`` (``None``: as stored now);
        the change is one transaction with its history line (who, when, old → new)."""
        self._require(identity, "profile.manage", estate, building, room)
        before = self.repo.get(estate, building, room)
        if version is not None and version != before.version:
            raise Conflict("profile_changed")
        wanted = self._validated(changes, before)
        diff = {k: [_logged(getattr(before, k)), _logged(v)]
                for k, v in wanted.items() if getattr(before, k) != v}  # fmt: skip
        if diff:
            after = replace(before, **wanted, version=before.version + 1,
                            updated_at=iso(self.clock()),
                            updated_by=actor(identity.kind, identity.user_id))  # fmt: skip
            try:
                self.repo.save(after, before.version, diff)
            except TransactionCancelled as exc:
                raise Conflict("profile_changed") from exc
        return self.read(identity, estate, building, room)

    def _validated(self, c: ProfileChanges, before: Profile) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if c.occupancy is not None:
            if c.occupancy and c.occupancy not in OCCUPANCIES:
                raise InvalidInput("profile_occupancy_invalid")
            out["occupancy"] = c.occupancy
        if c.segment is not None:
            if c.segment not in SEGMENT_NAMES:
                raise InvalidInput("profile_segment_invalid")
            out["segment"] = c.segment
        today = local_day(self.clock(), zone(self.tz))
        for name in ("handover_date", "move_in_date"):
            value = getattr(c, name)
            if value is not None:
                out[name] = self._date(value, today)
        handover = out.get("handover_date", before.handover_date)
        moved = out.get("move_in_date", before.move_in_date)
        if handover and moved and moved < handover:  # the stored handover date counts too
            raise Conflict("profile_move_in_before_handover")
        if c.members is not None:
            if len(c.members) > MAX_MEMBERS:
                raise InvalidInput("profile_too_many_members", max=MAX_MEMBERS)
            out["members"] = tuple(self._member(m) for m in c.members)
        if c.defects is not None:
            defects = [_text(d, MAX_DEFECT, "profile_defect_invalid") for d in c.defects]
            if len(defects) > MAX_DEFECTS:
                raise InvalidInput("profile_too_many_defects", max=MAX_DEFECTS)
            out["defects"] = tuple(d for d in defects if d)
        return out

    @staticmethod
    def _date(value: str, today: date) -> str:
        value = value.strip()
        if not value:
            return ""
        try:
            day = date.fromisoformat(value) if _DATE.match(value) else None
        except ValueError:
            day = None
        if day is None:
            raise InvalidInput("profile_date_invalid", value=value[:20])
        if day > today:  # well formed; refused for what today is
            raise Conflict("profile_date_in_future", value=value)
        return day.isoformat()

    @staticmethod
    def _member(m: Member) -> Member:
        name = _text(m.name, MAX_NAME, "profile_member_invalid", required=True)
        if m.relationship not in MEMBER_RELATIONSHIPS:
            raise InvalidInput("profile_member_invalid")
        return Member(name, m.relationship, normalise(m.phone) if m.phone.strip() else "",
                      m.birthday)

    # -- an estate -----------------------------------------------------------------------

    def of_estate(self, identity: Identity, estate: str, building: str | None = None
                  ) -> list[Facts]:  # fmt: skip
        """Every unit of the estate (or building) in the caller's scope, phones masked."""
        self._require(identity, "profile.read", estate, building)
        if building is not None and building not in {b.code for b in self._estate(estate).buildings}:
            raise NotFound("unknown_building", estate=estate, building=building)
        units = [u for u in self._units(estate, building)
                 if policy.can(identity, "profile.read", Target(estate, u[0], u[1]))]  # fmt: skip
        residents = self.owners.residents(estate, building)
        people = self.owners.many(o for o, _ in residents)
        by_unit: dict[tuple[str, str], list[tuple[str, Binding]]] = {}
        for owner_id, b in residents:
            by_unit.setdefault((b.unit.building, b.unit.room), []).append((owner_id, b))
        profiles = self.repo.of_estate(estate)
        out: list[Facts] = []
        for u in units:
            here = by_unit.get(u, [])
            shown = tuple(Resident(o, people[o].name, people[o].phone, b.unit.relationship)
                          for o, b in here if o in people)  # fmt: skip
            profile = profiles.get(u) or Profile(estate, *u)
            out.append(_masked(facts(profile, [b for _, b in here], shown)))
        return out

    def completeness(self, identity: Identity, estate: str) -> Completeness:
        """The estate's completeness as the caller may see it: a butler scoped to some
        buildings gets those buildings' units only (ids of other units are not theirs)."""
        policy.require(identity, "profile.read", Target(estate=estate))
        return self.complete_profiles(estate, identity.buildings.get(estate))

    def complete_profiles(self, estate: str, buildings: frozenset[str] | None = None
                          ) -> Completeness:  # fmt: skip
        """Complete profiles / units of an estate, or of ``buildings`` of it (the units from
        the estate directory, the profiles and residents in two paged queries) and every
        incomplete unit with the fields it lacks: the archive completeness KPI, traceable."""
        units = [u for u in self._units(estate) if not buildings or u[0] in buildings]
        bindings = self._bindings(estate)
        profiles = self.repo.of_estate(estate)
        incomplete: list[Incomplete] = []
        complete: list[str] = []
        for b, r in units:
            f = facts(profiles.get((b, r)) or Profile(estate, b, r), bindings.get((b, r), []))
            if f.missing:
                incomplete.append(Incomplete(f"{estate}/{b}/{r}", b, r, f.missing))
            else:
                complete.append(f"{estate}/{b}/{r}")
        return Completeness(len(complete), len(units), tuple(incomplete), tuple(complete))

    # -- helpers -------------------------------------------------------------------------

    def _require(self, identity: Identity, action: str, estate: str, building: str | None,
                 room: str | None = None) -> None:  # fmt: skip
        policy.require(identity, action, Target(estate=estate, building=building, room=room))
        if room is not None and building is not None and (building, room) not in set(
            self._units(estate, building)
        ):
            raise NotFound("unknown_unit", unit=f"{building}/{room}")

    def _estate(self, estate: str) -> Estate:
        return self.estates.estate(estate)

    def _units(self, estate: str, building: str | None = None) -> list[tuple[str, str]]:
        return [(u.building, u.room) for b in self._estate(estate).buildings
                if building is None or b.code == building for u in b.units(estate)]  # fmt: skip

    def _bindings(self, estate: str, building: str | None = None
                  ) -> dict[tuple[str, str], list[Binding]]:  # fmt: skip
        out: dict[tuple[str, str], list[Binding]] = {}
        for _, b in self.owners.residents(estate, building):
            out.setdefault((b.unit.building, b.unit.room), []).append(b)
        return out

    def _facts(self, estate: str, building: str, room: str) -> Facts:
        people = self.owners.of_unit(estate, building, room)
        residents = tuple(Resident(o.owner_id, o.name, o.phone, b.unit.relationship)
                          for o, b in people)  # fmt: skip
        return facts(self.repo.get(estate, building, room), [b for _, b in people], residents)
