"""Request and response models of the owner-profile routes (客户动态表; the OpenAPI contract).

What :meth:`portal.profiles.service.ProfileService.update` checks of a request alone is in
the document (enums, lengths, dates, phones), so a request the document calls valid is never
refused as malformed; what depends on today or on the stored profile (a date after today, a
move-in before the handover, a version that moved on) is a 409.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from functions.fields import CODE, JSON_INTEGER, SLUG, SOMETHING, IsoDate, no_default
from functions.model import ApiModel
from portal.accounts.owners import OCCUPANCIES
from portal.phones import OPTIONAL_PHONE_PATTERN
from portal.profiles.model import (
    MAX_DEFECT,
    MAX_DEFECTS,
    MAX_MEMBERS,
    MAX_NAME,
    MEMBER_RELATIONSHIPS,
    SEGMENT_NAMES,
    Facts,
    Member,
)  # fmt: skip
from portal.profiles.service import Completeness, ProfileChanges
from portal.profiles.timeline import Contact

Occupancy = Literal["moved_in", "decorated_not_moved_in", "not_decorated"]
assert set(Occupancy.__args__) == set(OCCUPANCIES)  # type: ignore[attr-defined]
Segment = Literal["internal", "key", "quality", "general", "dissatisfied"]
assert set(Segment.__args__) == set(SEGMENT_NAMES)  # type: ignore[attr-defined]
Relationship = Literal["spouse", "child", "parent", "relative", "tenant", "other"]
assert set(Relationship.__args__) == set(MEMBER_RELATIONSHIPS)  # type: ignore[attr-defined]
Blank = Literal[""]
Version = Annotated[int, Field(ge=0, le=1_000_000_000), JSON_INTEGER]


class UnitPath(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    building: str = Field(pattern=CODE, json_schema_extra={"example": "2"})
    room: str = Field(pattern=CODE, json_schema_extra={"example": "1-1503"})


class EstateQuery(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    building: Annotated[str | None, WithJsonSchema({"type": "string", "pattern": CODE})] = Field(
        default=None, pattern=CODE, description="Only this building.", json_schema_extra=no_default
    )


class CompletenessQuery(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})


class MemberIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME, pattern=SOMETHING)
    relationship: Relationship
    phone: str = Field(default="", max_length=32,
                       json_schema_extra={"pattern": OPTIONAL_PHONE_PATTERN})  # fmt: skip
    birthday: IsoDate | Blank | None = Field(default=None, description="生日 (`YYYY-MM-DD`): "
                                             "greeted on the day, unless the person opted out.")  # fmt: skip


_DATE_DOC = '`YYYY-MM-DD`, not after today; `""` clears it; omitted: unchanged.'


class ProfilePatch(ApiModel):
    """Only the fields sent change; ``version`` (from the last read) makes it safe against a
    colleague's change meanwhile (409 ``profile_changed``)."""

    model_config = ConfigDict(extra="forbid")

    version: Version | None = Field(
        default=None, description="The profile's version as read (omitted: whatever is stored now)."
    )
    occupancy: Occupancy | Blank | None = Field(default=None, description='`""`: the roster\'s.')
    segment: Segment | None = None
    handover_date: IsoDate | Blank | None = Field(default=None, description="入伙. " + _DATE_DOC)
    move_in_date: IsoDate | Blank | None = Field(default=None, description="入住. " + _DATE_DOC)
    members: list[MemberIn] | None = Field(default=None, max_length=MAX_MEMBERS,
                                           description="Replaces the list.")  # fmt: skip
    defects: list[Annotated[str, Field(max_length=MAX_DEFECT)]] | None = Field(
        default=None,
        max_length=MAX_DEFECTS,
        description="工程遗留问题; replaces the list (blank lines are dropped).",
    )

    def changes(self) -> ProfileChanges:
        def day(value: Any) -> str | None:
            return None if value is None else str(value) if value == "" else value.isoformat()

        return ProfileChanges(
            occupancy=self.occupancy, segment=self.segment,
            handover_date=day(self.handover_date), move_in_date=day(self.move_in_date),
            members=None if self.members is None else [
                Member(m.name, m.relationship, m.phone,
                       m.birthday.isoformat() if m.birthday else "") for m in self.members],
            defects=self.defects,
        )  # fmt: skip


# -- responses ---------------------------------------------------------------------------------


class MemberOut(ApiModel):
    name: str
    relationship: str
    phone: str = Field(description="Masked unless the caller may call owners.")
    birthday: str = Field(default="", description="生日, `YYYY-MM-DD`; empty: not recorded.")


class ResidentOut(ApiModel):
    name: str
    phone: str = Field(description="Masked unless the caller may call owners (lists: always).")
    relationship: str = Field(description="On the roster: owner, family, tenant.")


class ProfileOut(ApiModel):
    estate: str
    building: str
    room: str
    occupancy: str = Field(description="The profile's, else the roster's (empty: unknown).")
    segment: str
    handover_date: str
    move_in_date: str
    members: list[MemberOut]
    defects: list[str]
    residents: list[ResidentOut]
    missing: list[str] = Field(description="What a complete profile (完整档案) still lacks.")
    complete: bool
    version: int = Field(description="Send it back with a change (0: nothing kept yet).")
    updated_at: str
    updated_by: str

    @classmethod
    def of(cls, f: Facts) -> ProfileOut:
        p = f.profile
        return cls(
            estate=p.estate, building=p.building, room=p.room, occupancy=f.occupancy,
            segment=f.segment, handover_date=f.handover_date, move_in_date=f.move_in_date,
            members=[MemberOut(name=m.name, relationship=m.relationship, phone=m.phone,
                               birthday=m.birthday) for m in p.members],
            defects=list(p.defects),
            residents=[ResidentOut(name=r.name, phone=r.phone, relationship=r.relationship)
                       for r in f.residents],
            missing=list(f.missing), complete=f.complete, version=p.version,
            updated_at=p.updated_at, updated_by=p.updated_by,
        )  # fmt: skip


class ProfileList(ApiModel):
    items: list[ProfileOut]


class ContactOut(ApiModel):
    at: str
    source: Literal["order", "callback"]
    kind: str = Field(description="The order's kind, or the callback's.")
    ref: str = Field(description="The order number, or the callback id.")
    action: str = Field(description="The order's step, or `attempt` / `result`.")
    actor: str
    state: str
    note: str
    details: dict[str, str]

    @classmethod
    def of(cls, c: Contact) -> ContactOut:
        return cls(at=c.at, source=c.source, kind=c.kind, ref=c.ref,  # type: ignore[arg-type]
                   action=c.action, actor=c.actor, state=c.state, note=c.note,
                   details=dict(c.details))  # fmt: skip


class Timeline(ApiModel):
    items: list[ContactOut] = Field(description="Every contact with the unit, newest first.")


class ChangeOut(ApiModel):
    at: str
    actor: str
    version: int
    changes: dict[str, list[Any]] = Field(description="Field → [old, new].")


class History(ApiModel):
    items: list[ChangeOut] = Field(description="Newest first.")


class IncompleteOut(ApiModel):
    unit_id: str
    building: str
    room: str
    missing: list[str]


class CompletenessOut(ApiModel):
    """档案完好率: complete profiles over the estate's units, every unit on one side or the other."""

    estate: str
    complete: int = Field(description="The numerator: units with a complete profile.")
    units: int = Field(description="The denominator: the estate's units.")
    percent: float | None = Field(
        description="complete / units × 100, 2 decimals (no units: null)."
    )
    complete_units: list[str] = Field(description="The numerator's unit ids.")
    incomplete: list[IncompleteOut] = Field(description="The other units, and what each lacks.")

    @classmethod
    def of(cls, estate: str, c: Completeness) -> CompletenessOut:
        return cls(
            estate=estate, complete=c.complete, units=c.units,
            percent=None if c.percent is None else float(c.percent),
            complete_units=list(c.complete_ids),
            incomplete=[IncompleteOut(unit_id=i.unit_id, building=i.building, room=i.room,
                                      missing=list(i.missing)) for i in c.incomplete],
        )  # fmt: skip
