"""Request and response models of the acknowledgement routes (已知晓; the OpenAPI contract)."""

from __future__ import annotations

from pydantic import Field

from functions.fields import CODE, SLUG
from functions.model import ApiModel
from portal.acknowledgements.model import Coverage, CriticalNotice, OwnerNotice

NOTICE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$"
"""A notice's slug (its page is ``/estates/<estate>/notices/<slug>/``)."""


class NoticePath(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    notice: str = Field(pattern=NOTICE,
                        json_schema_extra={"example": "2026-11-18-lanting-water-outage-b2"})  # fmt: skip


class AckEstateQuery(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})


class AcknowledgeIn(ApiModel):
    building: str = Field(pattern=CODE, description="The owner's unit: its building …",
                          json_schema_extra={"example": "2"})  # fmt: skip
    room: str = Field(pattern=CODE, description="… and room.", json_schema_extra={"example": "1-1503"})


class CriticalNoticeOut(ApiModel):
    estate: str
    notice: str = Field(description="The notice's slug: its page is "
                        "`/estates/<estate>/notices/<notice>/`.")  # fmt: skip
    title: str
    title_en: str = Field(description="English title; empty when there is none.")
    category: str = Field(description="`outage` or `safety`.")
    buildings: list[str] = Field(description="The buildings asked; empty: the whole estate.")
    published: str
    expires: str = Field(description="UTC; empty: no expiry.")

    @classmethod
    def of(cls, n: CriticalNotice) -> CriticalNoticeOut:
        return cls(estate=n.estate, notice=n.notice, title=n.title_zh, title_en=n.title_en,
                   category=n.category, buildings=list(n.buildings), published=n.published,
                   expires=n.expires)  # fmt: skip


class OwnerNoticeOut(ApiModel):
    notice: CriticalNoticeOut
    building: str
    room: str
    acknowledged: bool
    acknowledged_at: str = Field(description="When the household gave 已知晓 (UTC); empty if not.")

    @classmethod
    def of(cls, o: OwnerNotice) -> OwnerNoticeOut:
        return cls(notice=CriticalNoticeOut.of(o.notice), building=o.building, room=o.room,
                   acknowledged=bool(o.acknowledged_at), acknowledged_at=o.acknowledged_at)  # fmt: skip


class OwnerNoticeList(ApiModel):
    items: list[OwnerNoticeOut] = Field(description="Unread first, then newest first.")


class NoticeCountOut(ApiModel):
    notice: CriticalNoticeOut
    acknowledged: int = Field(description="Households (units) that gave 已知晓.")
    targeted: int = Field(description="Households (units) of the buildings asked.")


class NoticeCountList(ApiModel):
    items: list[NoticeCountOut]


class UnreadResidentOut(ApiModel):
    name: str
    phone: str = Field(description="Masked (`138****8000`).")


class UnreadUnitOut(ApiModel):
    building: str
    room: str
    residents: list[UnreadResidentOut] = Field(description="Who to call; empty: knock on the door.")


class BuildingCoverageOut(ApiModel):
    building: str
    acknowledged: int
    targeted: int
    unread: list[UnreadUnitOut]


class CoverageOut(ApiModel):
    notice: CriticalNoticeOut
    acknowledged: int
    targeted: int
    buildings: list[BuildingCoverageOut]

    @classmethod
    def of(cls, c: Coverage) -> CoverageOut:
        return cls(
            notice=CriticalNoticeOut.of(c.notice), acknowledged=c.acknowledged,
            targeted=c.targeted,
            buildings=[BuildingCoverageOut(
                building=b.building, acknowledged=b.acknowledged, targeted=b.targeted,
                unread=[UnreadUnitOut(building=u.building, room=u.room,
                                      residents=[UnreadResidentOut(name=n, phone=p)
                                                 for n, p in u.residents])
                        for u in b.unread]) for b in c.buildings],
        )  # fmt: skip
