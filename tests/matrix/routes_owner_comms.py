"""The identity matrix's rows of what owners are asked, told and greeted (see
:mod:`tests.matrix.routes`): critical notices (已知晓), the monthly KPI results made public,
message preferences and community event sign-ups.

Rows whose call needs something registered first build it per call, idempotently: the
2栋停水 notice of the demo content (active at the matrix's clock, building 2 of Lanting,
where owner A lives).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.matrix.rows import Call, Needs, Row

OUTAGE = {"estate": "lanting", "notice": "2026-11-18-lanting-water-outage-b2"}
UNIT_A_BODY = {"building": "2", "room": "1-1503"}


def _table(call: Call) -> Any:
    from portal.store.table import Table

    return Table(call.world.ddb, call.world.settings.table_name("main"))


def critical_notice(call: Call) -> None:
    """The 2栋停水 notice, registered as the content sync registers it."""
    from portal.acknowledgements.model import CriticalNotice
    from portal.acknowledgements.repository import AcknowledgementRepository

    AcknowledgementRepository(_table(call)).register(CriticalNotice(
        estate="lanting", notice=OUTAGE["notice"], title_zh="11月25日2栋停水通知",
        title_en="", category="outage", buildings=("2",), published="2026-11-18T01:00:00Z",
        expires="2026-11-25T16:00:00Z"))  # fmt: skip


EVENT = {"estate": "lanting", "event": "2026-12-1"}


def community_event(call: Call) -> Mapping[str, Any]:
    """An event of Lanting still to come at the matrix's clock; owner A signs unit A up."""
    from portal.accounts.audit import AuditLog
    from portal.greetings.events import CommunityEvent, CommunityEvents

    table = _table(call)
    CommunityEvents(table, AuditLog(table), call.world.clock).register(CommunityEvent(
        "lanting", EVENT["event"], "宪法宣传日·律师免费咨询", "", "2026-12-05T01:30:00Z",
        "2026-12-05T03:30:00Z", "中心广场"))  # fmt: skip
    return {"json": UNIT_A_BODY}


MONTH = {"estate": "lanting", "month": "2026-10"}


def approval(call: Call) -> Mapping[str, Any]:
    """October's results of Lanting, prepared as the daily job prepares them (once); the same
    sentence for each missed target, so every allowed caller's approval answers the first."""
    from portal.commitments.model import snapshot_from
    from tests.factories import wired

    services = wired(call.world.ddb, call.world.settings, call.world.clock, with_estates=False)
    services.prepare_results()
    item = services.table.get({"pk": "KPIPUB#lanting", "sk": MONTH["month"]})
    assert item is not None
    missed = snapshot_from(item).missed
    return {"json": {"explanations": [{"kpi": k, "text": "原因和整改措施"} for k in missed]}}


def with_notice(spec: Mapping[str, Any]) -> Any:
    def build(call: Call) -> Mapping[str, Any]:
        critical_notice(call)
        return spec

    return build


OWNER_COMMS_ROUTES: tuple[Row, ...] = (
    Row("GET", "/api/acknowledgements/mine", 200, Needs("notice.acknowledge"),
        request=with_notice({})),
    Row("POST", "/api/acknowledgements/<estate>/<notice>", 200,
        Needs("notice.acknowledge", target="unit_a"), path_params=OUTAGE,
        request=with_notice({"json": UNIT_A_BODY})),
    Row("GET", "/api/acknowledgements", 200, Needs("notice.coverage", target="estate_1"),
        request=with_notice({"query_string": {"estate": "lanting"}})),
    Row("GET", "/api/acknowledgements/<estate>/<notice>/coverage", 200,
        Needs("notice.coverage", target="estate_1"), path_params=OUTAGE,
        request=with_notice({})),
    Row("GET", "/api/commitments", 200, Needs("kpi.read", target="estate_1"),
        request={"query_string": {"estate": "lanting"}}),
    Row("POST", "/api/commitments/<estate>/<month>/approval", 200,
        Needs("kpi.approve", target="estate_1"), path_params=MONTH, request=approval),
    Row("GET", "/api/messages/preferences", 200, Needs("message.preferences")),
    Row("PUT", "/api/messages/preferences", 200, Needs("message.preferences"),
        request={"json": {"greetings": True, "reminders": True}}),
    Row("GET", "/api/events/mine", 200, Needs("event.signup")),
    Row("POST", "/api/events/<estate>/<event>/signups", 200,
        Needs("event.signup", target="unit_a"), path_params=EVENT, request=community_event),
)
