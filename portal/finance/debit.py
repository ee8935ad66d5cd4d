"""Direct debits (银行托收): the bank's result file imported, each debited owner told within 3 days.

The file is CSV or XLSX (read by :mod:`portal.tabular`), one row per debit: 楼栋,
单元/房号 (or 房号), 扣款金额 (yuan, two decimals at most), 扣款结果 (成功/失败),
银行流水号, and optionally 账期 (``YYYY-MM``: only that period's bills). A successful row
pays the unit's outstanding bills (of the period) when its amount is exactly theirs; it is
recorded as an offline payment of method ``debit`` (:mod:`portal.finance.offline`: the same
receipt numbering, one transaction) whose request id is the bank's serial number, so
importing the same file twice, or overlapping files, adds nothing. Every row gets a report
(its row, the column and what is wrong); the good rows are recorded whatever the others.

In the recording's transaction a **notice** is written (due within :data:`TELL_WITHIN`) with
its task; the task sends the owners of the unit a message (never in the quiet hours) and marks
the notice sent. :meth:`DirectDebits.due` lists the notices not yet sent.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event
from portal.accounts.identity import Identity
from portal.accounts.owners import OwnerRepository
from portal.accounts.policy import Target
from portal.accounts.roster.validate import resolve_building
from portal.billing.bills import BillRepository
from portal.billing.model import Payment, UnitKey, check_period
from portal.billing.money import parse_yuan, yuan
from portal.clock import Clock, iso, parse_iso, zone
from portal.errors import DomainError, InvalidInput
from portal.estates.model import Estate
from portal.finance.offline import OfflinePayments, OfflineRequest
from portal.i18n import DEFAULT_LANG, translate
from portal.messaging import MessageSender
from portal.service_levels import after_quiet_hours
from portal.store import collection_keys
from portal.store.items import Item, text, whole
from portal.store.table import Operation, Put, Table
from portal.tabular import HEADER_SEARCH_ROWS, Cell, cell_text, read_sheet
from portal.tasks.queue import NewTask, TaskQueue

logger = logging.getLogger(__name__)

DEBIT_NOTICE = "debit_notice"
"""The task kind (see the wiring's list of task kinds)."""
TELL_WITHIN = timedelta(days=3)
MAX_ROWS = 20_000
Column = Literal["building", "unit_room", "room", "amount", "result", "serial", "period"]
COLUMNS: dict[Column, tuple[str, ...]] = {
    "building": ("楼栋", "楼号", "栋", "building"),
    "unit_room": ("单元/房号", "单元房号", "房屋", "unit/room"),
    "room": ("房号", "房间号", "room"),
    "amount": ("扣款金额", "金额", "金额元", "amount"),
    "result": ("扣款结果", "结果", "状态", "result"),
    "serial": ("银行流水号", "流水号", "交易流水号", "serial"),
    "period": ("账期", "所属期", "period"),
}
SUCCESS = frozenset({"成功", "扣款成功", "已扣款", "success", "ok"})
FAILED = frozenset({"失败", "扣款失败", "余额不足", "failed", "fail"})
RowStatus = Literal["recorded", "duplicate", "error", "skipped"]
_UNIT = re.compile(r"(\d{1,2})(?:-|单元)(\d{1,5})(?:室|号)?")


def _key(value: str) -> str:
    return re.sub(r"[\s*:_\-()（）]", "", unicodedata.normalize("NFKC", value).lower())


_INDEX = {_key(a): name for name, aliases in COLUMNS.items() for a in aliases}


@dataclass(frozen=True)
class RowError:
    code: str
    column: str
    value: str = ""

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return translate(f"collection.debit.errors.{self.code}", lang, column=self.column,
                         value=self.value)  # fmt: skip


@dataclass
class DebitRow:
    row: int
    status: RowStatus
    unit_id: str = ""
    amount_fen: int = 0
    serial: str = ""
    receipt_no: str = ""
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class DebitReport:
    estate: str
    file_name: str
    sha256: str
    format: str
    rows: tuple[DebitRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.rows)
                for s in ("recorded", "duplicate", "error", "skipped")}  # fmt: skip

    @property
    def recorded_fen(self) -> int:
        return sum(r.amount_fen for r in self.rows if r.status == "recorded")

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return translate("collection.debit.report", lang, total=yuan(self.recorded_fen),
                         **self.counts)  # fmt: skip


def find_header(
    rows: Sequence[tuple[int, list[Cell]]],
) -> tuple[int, dict[Column, int], list[str]] | None:
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        columns: dict[Column, int] = {}
        for i, cell in enumerate(cells):
            name = _INDEX.get(_key(cell_text(cell)))
            if name is not None and name not in columns:
                columns[name] = i
        if {"building", "amount", "result", "serial"} <= set(columns) and (
            "unit_room" in columns or "room" in columns
        ):
            return number, columns, [cell_text(c) for c in cells]
    return None


@dataclass(frozen=True)
class Notice:
    payment_id: str
    unit_id: str
    amount_fen: int
    receipt_no: str
    recorded_at: str
    due_by: str
    state: Literal["due", "sent", "no_phone"]
    sent_at: str = ""
    sent_to: tuple[str, ...] = ()


def notice_of(item: Item) -> Notice:
    to: Any = item.get("sent_to") or []
    return Notice(text(item, "payment_id"), text(item, "unit_id"), whole(item, "amount_fen"),
                  text(item, "receipt_no"), text(item, "recorded_at"), text(item, "due_by"),
                  text(item, "state"), text(item, "sent_at"),  # type: ignore[arg-type]
                  tuple(str(x) for x in to))  # fmt: skip


class DirectDebits:
    def __init__(self, table: Table, offline: OfflinePayments, bills: BillRepository,
                 owners: OwnerRepository, tasks: TaskQueue, sender: MessageSender,
                 audit: AuditLog, clock: Clock, time_zone: str) -> None:  # fmt: skip
        self.table, self.offline, self.bills, self.owners = table, offline, bills, owners
        self.tasks, self.sender, self.audit = tasks, sender, audit
        self.clock, self.tz = clock, time_zone

    # -- the import ---------------------------------------------------------------------------

    def run(self, identity: Identity | None, data: bytes, *, estate: Estate, file_name: str,
            who: str, source_ip: str = "") -> DebitReport:  # fmt: skip
        """Import a result file of ``estate`` (``identity``: the caller, checked; ``None``: the
        command line)."""
        if identity is not None:
            policy.require(identity, "debit.import", Target(estate=estate.slug))
        sheet = read_sheet(data, MAX_ROWS, "debit", lambda rows: find_header(rows) is not None)
        header = find_header(sheet.rows)
        if header is None:
            raise InvalidInput("debit_no_header")
        header_row, columns, names = header
        rows: list[DebitRow] = []
        for number, cells in sheet.rows:
            if number <= header_row or not any(cell_text(c) for c in cells):
                continue
            rows.append(self._row(number, cells, columns, names, estate, who, source_ip))
        if not rows:
            raise InvalidInput("debit_no_rows")
        report = DebitReport(estate.slug, file_name, hashlib.sha256(data).hexdigest(),
                             sheet.format, tuple(rows))  # fmt: skip
        self.audit.record(Event(who, "debit.import", estate.slug, source_ip, {
            "file_name": file_name, "sha256": report.sha256, "counts": report.counts,
            "recorded_fen": report.recorded_fen}))  # fmt: skip
        return report

    def _row(self, number: int, cells: list[Cell], columns: Mapping[Column, int],
             names: list[str], estate: Estate, who: str, source_ip: str) -> DebitRow:  # fmt: skip
        def get(c: Column) -> str:
            i = columns.get(c)
            return cell_text(cells[i]).strip() if i is not None and i < len(cells) else ""

        def col(c: Column) -> str:
            i = columns.get(c)
            return names[i] if i is not None and i < len(names) else c

        row = DebitRow(number, "error", serial=get("serial"))
        errs = row.errors
        building = resolve_building(get("building"), estate) if get("building") else None
        if building is None:
            errs.append(RowError("unknown_building", col("building"), get("building")))
        room_col: Column = "unit_room" if "unit_room" in columns else "room"
        m = _UNIT.fullmatch(re.sub(r"\s+", "", unicodedata.normalize("NFKC", get(room_col))))
        room = f"{int(m[1])}-{m[2]}" if m else ""
        if not room:
            errs.append(RowError("bad_room", col(room_col), get(room_col)))
        try:
            row.amount_fen = parse_yuan(get("amount"))
            if row.amount_fen <= 0:
                raise ValueError("not positive")
        except (ValueError, ArithmeticError):
            errs.append(RowError("bad_amount", col("amount"), get("amount")))
        result = _key(get("result"))
        if result not in SUCCESS | FAILED:
            errs.append(RowError("bad_result", col("result"), get("result")))
        if not re.fullmatch(r"[0-9A-Za-z_-]{4,64}", row.serial):
            errs.append(RowError("bad_serial", col("serial"), row.serial))
        period = get("period")
        if period:
            try:
                check_period(period)
            except InvalidInput:
                errs.append(RowError("bad_period", col("period"), period))
        if errs:
            return row
        if result in FAILED:
            row.status = "skipped"
            return row
        assert building is not None
        unit = UnitKey(estate.slug, building, room)
        row.unit_id = unit.unit_id
        bills = [b for b in self.bills.of_unit(unit)
                 if b.outstanding_fen > 0 and (not period or b.period == period)]  # fmt: skip
        request = OfflineRequest(unit, tuple(b.bill_id for b in bills), "debit", row.amount_fen,
                                 "debit-" + hashlib.sha256(row.serial.encode()).hexdigest()[:40],
                                 reference=row.serial)  # fmt: skip
        task = self.tasks.new(DEBIT_NOTICE, {"estate": estate.slug, "payment_id": ""},
                              give_up_after=TELL_WITHIN,
                              due_at=after_quiet_hours(self.clock(), zone(self.tz)))  # fmt: skip

        def notice(p: Payment, day: str) -> Sequence[Operation]:
            return self._notice(p, task)

        try:
            done = self.offline.apply(request, who, source_ip=source_ip, extra=notice)
        except DomainError as exc:
            if exc.code == "offline_bills_invalid":  # nothing owed (paid online meanwhile)
                errs.append(RowError("nothing_owed", col(room_col), unit.unit_id))
            elif exc.code == "offline_amount_differs":
                owed = yuan(int(exc.params.get("owed", 0)))
                errs.append(RowError("amount_differs", col("amount"), owed))
            else:
                errs.append(RowError("not_recorded", "", exc.code))
            return row
        if done.first:
            self.tasks.dispatch(task)
        row.status = "recorded" if done.first else "duplicate"
        row.receipt_no = done.payment.receipt_no
        return row

    # -- telling the owner ----------------------------------------------------------------------

    def _notice(self, p: Payment, task: NewTask) -> Sequence[Operation]:
        """The notice and its task (the payment's id in its payload), in the recording."""
        now = self.clock()
        item = {**task.put.item, "payload": {"estate": p.unit.estate, "payment_id": p.payment_id}}
        notice = {**collection_keys.debit_notice(p.unit.estate, p.payment_id), "type": "debit_notice",
                  "payment_id": p.payment_id, "unit_id": p.unit.unit_id, "building": p.unit.building,
                  "room": p.unit.room, "amount_fen": p.amount_fen, "receipt_no": p.receipt_no,
                  "recorded_at": iso(now), "due_by": iso(now + TELL_WITHIN), "state": "due"}  # fmt: skip
        return [Put(notice), Put(item)]

    def deliver(self, payload: Mapping[str, Any]) -> None:
        """The task: tell the unit's owners their debit went through (once, in waking hours)."""
        estate, pid = str(payload.get("estate", "")), str(payload.get("payment_id", ""))
        key = collection_keys.debit_notice(estate, pid)
        item = self.table.get(key)
        if item is None or text(item, "state") != "due":
            return
        now = self.clock()
        morning = after_quiet_hours(now, zone(self.tz))
        if morning != now:  # a retry that ran late: again after the quiet hours
            later = self.tasks.new(DEBIT_NOTICE, payload, give_up_after=TELL_WITHIN, due_at=morning)
            self.table.put(later.put.item)
            return
        n = notice_of(item)
        _, building, room = n.unit_id.split("/", 2)
        people = [o for o, b in self.owners.of_unit(estate, building, room)
                  if o.phone and b.unit.relationship == "owner"]  # fmt: skip
        message = translate("collection.debit.sms", DEFAULT_LANG, amount=yuan(n.amount_fen),
                            unit=f"{building}-{room}", receipt=n.receipt_no)  # fmt: skip
        for owner in people:
            self.sender.send_sms(owner.phone, message)
        self.table.update(key, set={"state": "sent" if people else "no_phone",
                                    "sent_at": iso(now), "sent_to": [o.masked_phone for o in people]})  # fmt: skip
        logger.info("debit notice %s: %d owner(s) told", pid, len(people))

    def due(self, identity: Identity, estate: str) -> list[tuple[Notice, bool]]:
        """Notices not yet sent, each with whether its 3 days have passed (overdue)."""
        policy.require(identity, "collection.read", Target(estate=estate))
        now = self.clock()
        out = [notice_of(i) for i in self.table.query_all(collection_keys.debit_notices(estate))]
        return [(n, now > parse_iso(n.due_by)) for n in out if n.state == "due"]
