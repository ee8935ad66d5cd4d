"""The identity matrix's rows of publishing (see :mod:`tests.matrix.routes`): the writers,
approvers and publishers of the estate (``portal.accounts.policy``), and admin.

Documents with known ids are made when the world is built (:func:`prepare`) by an author
who is none of the callers; each state-changing row first puts its document in the state
the action needs, as that author, so the rows pass in any order and on any worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from functions.context import portal_state
from portal.accounts.identity import Identity
from portal.publishing.workflow import Publishing
from tests.matrix.rows import Call, Needs, Row
from tests.support.publishing import NOW, campaign, issue, notice

AUTHOR = Identity(kind="staff", user_id="matrix.author", roles=frozenset({"admin"}), name="作者")
NOTICE = "n20261122aa000001"
CAMPAIGN = "c20261122aa000002"
ISSUE = "i20261122aa000003"
ESTATE = {"estate": "lanting"}
NOTICE_BODY = {"title": "矩阵测试：2栋停水", "category": "outage", "body": "明天 9:00 停水。",
               "estates": ["lanting"], "publish_at": "2026-11-22T09:00:00+08:00"}  # fmt: skip


def prepare(services: Any) -> None:
    """The documents the rows read and change, by :data:`AUTHOR`."""
    p: Publishing = services.publishing
    p.create(AUTHOR, notice("矩阵测试公告"), doc_id=NOTICE)
    p.create(AUTHOR, campaign(), doc_id=CAMPAIGN)
    p.create(AUTHOR, issue(), doc_id=ISSUE)


def _staff(call: Call) -> Publishing:
    publishing: Publishing = portal_state(call.world.app).services.publishing
    return publishing


def _draft(call: Call) -> int:
    """The notice as a fresh draft by the author; its version."""
    p = _staff(call)
    d = p.get(AUTHOR, NOTICE)
    if d.state == "published":
        d = p.withdraw(AUTHOR, NOTICE, d.version, "矩阵测试：重来")
    return p.edit(AUTHOR, NOTICE, d.version, notice(f"矩阵测试公告 {call.index}")).version


def as_draft(call: Call) -> Mapping[str, Any]:
    return {"json": {"version": _draft(call)}}


def as_submitted(call: Call) -> Mapping[str, Any]:
    return {"json": {"version": _staff(call).submit(AUTHOR, NOTICE, _draft(call)).version}}


def as_published(call: Call) -> Mapping[str, Any]:
    version = _staff(call).publish(AUTHOR, NOTICE, _draft(call)).version
    return {"json": {"version": version, "reason": "矩阵测试：通知有误"}}


def notice_edit(call: Call) -> Mapping[str, Any]:
    return {"json": {**NOTICE_BODY, "version": _draft(call)}}


def campaign_edit(call: Call) -> Mapping[str, Any]:
    version = _staff(call).get(AUTHOR, CAMPAIGN).version
    return {"json": {"estate": "lanting", "year": 2026, "month": 12, "title": f"法制宣传月 {call.index}",
                     "version": version}}  # fmt: skip


def issue_edit(call: Call) -> Mapping[str, Any]:
    version = _staff(call).get(AUTHOR, ISSUE).version
    return {"json": {"estate": "lanting", "number": 901, "title": f"冬季刊 {call.index}",
                     "publish_at": "2026-11-22T09:00:00+08:00", "version": version}}  # fmt: skip


def _on(action: str) -> Needs:
    return Needs(action, target="estate_1")


PUBLISHING_ROUTES: tuple[Row, ...] = (
    Row("GET", "/api/publishing/docs", 200, _on("publishing.read"),
        request={"query_string": {"estate": "lanting", "kind": "notice"}}),
    Row("POST", "/api/publishing/notices", 201, _on("notice.draft"), request={"json": NOTICE_BODY}),
    Row("PUT", "/api/publishing/notices/<doc_id>", 200, _on("notice.draft"),
        path_params={"doc_id": NOTICE}, request=notice_edit),
    Row("POST", "/api/publishing/campaigns", 201, _on("campaign.draft"),
        request={"json": {"estate": "lanting", "year": 2027, "month": 3, "title": "文明养犬宣传月"}}),
    Row("PUT", "/api/publishing/campaigns/<doc_id>", 200, _on("campaign.draft"),
        path_params={"doc_id": CAMPAIGN}, request=campaign_edit),
    Row("POST", "/api/publishing/newsletters", 201, _on("newsletter.draft"),
        request={"json": {"estate": "lanting", "number": 902, "title": "春季刊",
                          "publish_at": NOW.isoformat(),
                          "articles": [{"title": "深夜修水管", "kind": "moving", "body": "管家连夜抢修。"}]}}),
    Row("PUT", "/api/publishing/newsletters/<doc_id>", 200, _on("newsletter.draft"),
        path_params={"doc_id": ISSUE}, request=issue_edit),
    Row("GET", "/api/publishing/docs/<doc_id>", 200, _on("publishing.read"),
        path_params={"doc_id": NOTICE}),
    Row("GET", "/api/publishing/docs/<doc_id>/revisions", 200, _on("publishing.read"),
        path_params={"doc_id": NOTICE}),
    Row("GET", "/api/publishing/docs/<doc_id>/preview", 200, _on("publishing.read"),
        path_params={"doc_id": NOTICE}, request={"query_string": {"view": "print"}}),
    Row("POST", "/api/publishing/docs/<doc_id>/submit", 200, _on("notice.draft"),
        path_params={"doc_id": NOTICE}, request=as_draft),
    Row("POST", "/api/publishing/docs/<doc_id>/approve", 200, _on("notice.approve"),
        path_params={"doc_id": NOTICE}, request=as_submitted),
    Row("POST", "/api/publishing/docs/<doc_id>/publish", 202, _on("notice.publish"),
        path_params={"doc_id": NOTICE}, request=as_draft),
    Row("POST", "/api/publishing/docs/<doc_id>/withdraw", 202, _on("notice.publish"),
        path_params={"doc_id": NOTICE}, request=as_published),
    Row("GET", "/api/publishing/estates/<estate>/rules", 200, _on("publishing.read"),
        path_params=ESTATE),
    Row("PUT", "/api/publishing/estates/<estate>/rules", 200, _on("publishing.configure"),
        path_params=ESTATE, request={"json": {"approval_required": False}}),
    Row("POST", "/api/publishing/images", 201, _on("notice.draft"),
        request={"json": {"estate": "lanting", "content_type": "image/jpeg", "size": 20480}}),
)
