"""The identity matrix's rows of offline payments, handover, direct debits, the collection
rate and arrears (see :mod:`tests.matrix.routes`).

Rows whose call changes state build what they need per call: a one-off charge of unit A for
each caller that records an offline payment (so each allowed caller gets 201), and the
guard's batch that the handover row confirms (confirming again with the same count answers
the first confirmation, so every allowed caller gets 200).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from tests.matrix.rows import Call, Needs, Row

ESTATE = {"estate": "lanting"}
BATCH = {"estate": "lanting", "day": "2026-11-22", "collector": "matrix.guard"}
CHARGE_FEN = 500


def _services(call: Call) -> Any:
    from tests.factories import wired

    return wired(call.world.ddb, call.world.settings, call.world.clock, with_estates=False)


def offline_payment(call: Call) -> Mapping[str, Any]:
    from portal.billing.model import UnitKey
    from portal.errors import Conflict

    ref = f"mx{call.index}"
    with suppress(Conflict):  # issued by an earlier run of the row
        _services(call).billing_run.add_charge(UnitKey("lanting", "2", "1-1503"), "2026-11", ref,
                                               CHARGE_FEN, "矩阵测试", actor="cli:matrix")  # fmt: skip
    return {"json": {"estate": "lanting", "building": "2", "room": "1-1503",
                     "bills": [f"2026-11-other-{ref}"], "method": "cash", "amount_fen": CHARGE_FEN,
                     "request_id": f"matrix-offline-{call.index:04d}"}}  # fmt: skip


def handover_count(call: Call) -> Mapping[str, Any]:
    """The guard's batch of door cash (one payment of a one-off charge), made once."""
    from portal.billing.model import UnitKey
    from portal.finance.handover import joins_batch
    from portal.finance.offline import OfflineRequest
    from portal.store import collection_keys

    services = _services(call)
    key = collection_keys.handover(BATCH["estate"], BATCH["day"], BATCH["collector"])
    if services.table.get(key) is None:
        unit = UnitKey("lanting", "2", "1-1503")
        services.billing_run.add_charge(unit, "2026-11", "mxguard", CHARGE_FEN, "上门收费",
                                        actor="cli:matrix")  # fmt: skip
        services.offline_payments.apply(
            OfflineRequest(unit, ("2026-11-other-mxguard",), "cash", CHARGE_FEN,
                           "matrix-guard-0001", at_door=True),
            "staff:matrix.guard",
            extra=lambda p, day: [joins_batch(p, day, BATCH["collector"], "矩阵保安")])  # fmt: skip
    return {"json": {"count": 1, "amount_fen": CHARGE_FEN}}


def debit_upload(call: Call) -> Mapping[str, Any]:
    data = "楼栋,单元/房号,扣款金额,扣款结果,银行流水号\n2,1-1503,371.00,成功,MATRIX0001\n".encode()
    return {"query_string": ESTATE, "data": {"file": (io.BytesIO(data), "debit.csv")},
            "content_type": "multipart/form-data"}  # fmt: skip


COLLECTION_ROUTES: tuple[Row, ...] = (
    Row("POST", "/api/offline-payments", 201, Needs("payment.offline", target="estate_1"),
        request=offline_payment),
    Row("GET", "/api/offline-payments", 200, Needs("payment.desk_day", target="estate_1"),
        request={"query_string": {**ESTATE, "day": "2026-11-22"}}),
    Row("GET", "/api/handovers", 200, Needs("handover.read", target="estate_1"),
        request={"query_string": ESTATE}),
    Row("POST", "/api/handovers/<estate>/<day>/<collector>/confirm", 200,
        Needs("handover.confirm", target="estate_1"), path_params=BATCH, request=handover_count),
    Row("POST", "/api/debits", 200, Needs("debit.import", target="estate_1"), request=debit_upload),
    Row("GET", "/api/debits/notices", 200, Needs("collection.read", target="estate_1"),
        request={"query_string": ESTATE}),
    Row("GET", "/api/collection", 200, Needs("collection.read", target="estate_1"),
        request={"query_string": {**ESTATE, "period": "2026-11"}}),
    Row("GET", "/api/collection", 200, Needs("collection.read", target="estate_1"),
        request={"query_string": {**ESTATE, "period": "2026-11", "building": "2"}},
        variant="a building's units"),
    Row("GET", "/api/collection/export", 200, Needs("collection.read", target="estate_1"),
        request={"query_string": {**ESTATE, "period": "2026-11", "format": "csv"}}),
    Row("GET", "/api/arrears", 200, Needs("arrears.read", target="estate_1"),
        request={"query_string": ESTATE}),
    Row("GET", "/api/arrears/export", 200, Needs("arrears.read", target="estate_1"),
        request={"query_string": {**ESTATE, "format": "csv"}},
        note="CSV: the matrix reads every answer as text (XLSX is covered by the unit tests)."),
    Row("POST", "/api/arrears/reminders", 200, Needs("arrears.remind", target="estate_1"),
        request={"json": {"estate": "lanting", "units": ["lanting/2/1-1503"]}}),
    Row("GET", "/api/arrears/reminders", 200, Needs("arrears.read", target="estate_1"),
        request={"query_string": ESTATE}),
)
