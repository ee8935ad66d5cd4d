"""Paying bills online: create a payment, hand it to the provider, read where it stands.

A payment covers the outstanding amounts of one or more bills of one unit; the
server computes the amount from the bills as stored, never from the request.
Creating it is one transaction: the payment (``pending``), a hold on each bill
(``bill_payable``: unchanged since read, and not held by another payment still
in progress), and the audit line. Only then is the provider asked to start it.
Whether it was paid is learned from the provider's verified notification
(:mod:`portal.billing.ledger`); nothing here ever marks a payment paid.

Payment ids are the ``out_trade_no`` the providers see:
``<yyyymmdd><8 hex><estate>`` (the estate with ``_`` for ``-``), at most 32
characters (WeChat Pay's limit), letters, digits and ``_`` (Alipay's), so the
ledger finds the estate's receipt counter from the id alone.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from portal.accounts import policy
from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.accounts import ProviderAccounts, offered
from portal.billing.bills import BillRepository, hold, release_holds
from portal.billing.model import Bill, Line, Payment, UnitKey
from portal.billing.providers.base import PaymentProvider, PaymentRequest, PaymentStart
from portal.billing.receipts import Receipt, parse_receipt_no, receipt_of
from portal.billing.records import index_names, payment_in, payment_item, payment_of
from portal.clock import Clock, iso, local_day, zone
from portal.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from portal.estates.directory import EstateDirectory
from portal.i18n import translate
from portal.store import billing_keys
from portal.store.conditions import condition
from portal.store.errors import TransactionCancelled
from portal.store.table import Operation, Put, Table
from portal.store.tables import GSI1, GSI2, GSI3

logger = logging.getLogger(__name__)

PAY_WITHIN = timedelta(minutes=15)
"""How long the provider keeps a payment open (``PaymentRequest.expires_at``)."""
HOLD_GRACE = timedelta(minutes=5)
"""Bills stay held this long after a payment's expiry (a notification may be late)."""
MAX_LINES = 60
"""Bills in one payment (the recording transaction has room for 94 beside its own items)."""
MAX_ID = 32
PAYMENT_IS_NEW = condition("payment_is_new", "attribute_not_exists(pk)")
_ID = re.compile(r"(\d{8})([0-9a-f]{8})([a-z0-9_]+)")
RESULT_PAGE = "/account/bills/paid/"
"""The site's payment result page, where the provider sends the owner back (it polls the
payment's status: ``paid`` only once the notification is recorded)."""


def new_payment_id(estate: str, now: datetime, tz: str) -> str:
    day = local_day(now, zone(tz)).strftime("%Y%m%d")
    pid = f"{day}{uuid.uuid4().hex[:8]}{estate.replace('-', '_')}"
    if len(pid) > MAX_ID:
        raise InvalidInput("payment_estate_unsupported", estate=estate)
    return pid


def estate_of(payment_id: str) -> str | None:
    """The estate of a payment id (``None`` if it is not one of ours)."""
    m = _ID.fullmatch(payment_id)
    return m[3].replace("_", "-") if m and len(payment_id) <= MAX_ID else None


class PaymentService:
    def __init__(self, table: Table, bills: BillRepository, providers: ProviderAccounts,
                 estates: EstateDirectory, audit: AuditLog, clock: Clock, time_zone: str,
                 site_url: str) -> None:  # fmt: skip
        self.table, self.bills, self.providers, self.estates = table, bills, providers, estates
        self.audit, self.clock, self.tz, self.site_url = audit, clock, time_zone, site_url

    # -- create ----------------------------------------------------------------------------

    def create(self, identity: Identity, unit: UnitKey, bill_ids: Sequence[str], provider: str,
               *, in_wechat: bool = False, client_ip: str = "", openid: str = "",
               return_url: str = "") -> tuple[Payment, PaymentStart]:  # fmt: skip
        """A payment of these bills of ``unit`` (their outstanding amounts), started at the
        provider; only an owner of the unit may pay its bills online."""
        policy.require(identity, "payment.create", Target(unit.estate, unit.building, unit.room))
        if not identity.is_owner:
            raise Forbidden()
        adapter = offered(self.providers, unit.estate, provider)
        if adapter is None:
            raise Conflict("payment_provider_not_offered", provider=provider[:20])
        if adapter.name == "wechat" and in_wechat and not openid:
            raise Conflict("wechat_openid_required")  # the page sends the owner through OAuth
        ids = list(dict.fromkeys(bill_ids))
        if not 1 <= len(ids) <= MAX_LINES or len(ids) != len(bill_ids):
            raise InvalidInput("payment_bills_invalid", max=MAX_LINES)
        bills = self.bills.many(unit, ids)
        if len(bills) != len(ids):
            raise NotFound("bill_not_found")
        now = self.clock()
        if any(b.outstanding_fen <= 0 for b in bills):
            raise Conflict("bill_already_paid")
        if any(b.pending_payment and b.pending_until >= iso(now) for b in bills):
            raise Conflict("bill_payment_in_progress")
        payment = self._payment(identity, unit, bills, adapter, now)
        until = iso(now + PAY_WITHIN + HOLD_GRACE)
        ops: list[Operation] = [Put(payment_item(payment), PAYMENT_IS_NEW),
               *(hold(b, payment.payment_id, until, iso(now)) for b in bills),
               self.audit.entry(Event(payment.created_by, "payment.create", unit.unit_id,
                                      client_ip, {"payment": payment.payment_id,
                                                  "amount_fen": payment.amount_fen,
                                                  "bills": ids, "provider": provider,
                                                  "account": adapter.account}))]  # fmt: skip
        try:
            self.table.transact(ops)
        except TransactionCancelled as exc:
            raise Conflict("bill_payment_in_progress") from exc
        request = PaymentRequest(
            out_trade_no=payment.payment_id, amount_fen=payment.amount_fen,
            subject=payment.subject, notify_url=f"{self.site_url}/api/payments/notify/{adapter.account}",
            return_url=return_url or f"{self.site_url}{RESULT_PAGE}?payment={payment.payment_id}",
            client_ip=client_ip, openid=openid, expires_at=now + PAY_WITHIN,
        )  # fmt: skip
        try:
            start = adapter.start(request, in_wechat=in_wechat)
        except Exception as exc:
            logger.warning("payment %s not started at %s: %s", payment.payment_id, provider,
                           type(exc).__name__)  # fmt: skip
            self._close_unstarted(payment)
            raise Unavailable("payment_provider_unavailable") from exc
        if start.kind == "guide":  # it cannot open here (Alipay inside WeChat): nothing to hold
            self._close_unstarted(payment, "cannot_open_here")
        return payment, start

    def _payment(self, identity: Identity, unit: UnitKey, bills: Sequence[Bill],
                 adapter: PaymentProvider, now: datetime) -> Payment:  # fmt: skip
        lines = tuple(Line(b.bill_id, b.item, b.period, b.amount_fen, b.paid_fen,
                           b.outstanding_fen) for b in bills)  # fmt: skip
        items = "、".join(dict.fromkeys(translate(f"billing.items.{b.item}") for b in bills))
        subject = translate("billing.subject", "zh-CN", unit=f"{unit.building}-{unit.room}",
                            items=items)[:120]  # fmt: skip
        return Payment(
            payment_id=new_payment_id(unit.estate, now, self.tz), unit=unit, provider=adapter.name,
            account=adapter.account,
            amount_fen=sum(ln.pay_fen for ln in lines), lines=lines, status="pending",
            created_at=iso(now), created_by=actor(identity.kind, identity.user_id),
            expires_at=iso(now + PAY_WITHIN), subject=subject,
        )  # fmt: skip

    def _close_unstarted(self, payment: Payment, reason: str = "not_started") -> None:
        """Close a payment the provider never took, and free its bills at once."""
        try:
            self.table.update(billing_keys.payment(payment.payment_id),
                              set={"status": "closed", "review_reason": reason},
                              remove=index_names(GSI3), condition=payment_in("pending"))  # fmt: skip
        except Exception:  # the sweep closes it later
            logger.warning("payment %s left pending for the sweep", payment.payment_id)
            return
        release_holds(self.table, payment.unit, [ln.bill_id for ln in payment.lines],
                      payment.payment_id)  # fmt: skip

    # -- reads -----------------------------------------------------------------------------

    def get(self, payment_id: str) -> Payment | None:
        item = self.table.get(billing_keys.payment(payment_id)) if estate_of(payment_id) else None
        return payment_of(item) if item else None

    def visible(self, identity: Identity, payment_id: str) -> Payment:
        """A payment the caller may see (the unit's owners; finance and managers in scope);
        another's answers like a missing one."""
        payment = self.get(payment_id)
        if payment is None or not may_see(identity, payment.unit):
            raise NotFound("payment_not_found")
        return payment

    def offered(self, estate: str) -> tuple[str, ...]:
        """The kinds of provider (``alipay``, ``wechat``, ``sandbox``) ``estate`` offers, in
        display order: what the owner chooses from."""
        return tuple(dict.fromkeys(p.name for p in self.providers.for_estate(estate)))

    def of_unit_visible(self, identity: Identity, unit: UnitKey) -> list[Payment]:
        """A unit's payments, newest first, for whoever may read its account (another
        owner's unit, or a unit out of a staff member's scope, answers 404)."""
        if not may_see(identity, unit):
            if policy.can(identity, "bill.read"):  # the role, not the scope: hide the unit
                raise NotFound("unit_not_found")
            raise Forbidden()
        return self.of_unit(unit)

    def of_unit(self, unit: UnitKey, limit: int = 50) -> list[Payment]:
        items = self.table.query_all(billing_keys.unit_payments(unit.estate, unit.building, unit.room),
                                     index=GSI2, forward=False, limit=limit)  # fmt: skip
        return [payment_of(i) for i in items]

    def receipt(self, identity: Identity, payment_id: str) -> Receipt:
        """The printable receipt of a paid payment the caller may see."""
        payment = self.visible(identity, payment_id)
        where = parse_receipt_no(payment.receipt_no)
        item = self.table.get(billing_keys.receipt(*where)) if where else None
        if item is None:
            raise NotFound("receipt_not_found")
        return receipt_of(item, self.estates.company(), self.estates.estate(payment.unit.estate))

    def in_review(self, identity: Identity, estate: str) -> list[Payment]:
        policy.require(identity, "payment.review", Target(estate=estate))
        items = self.table.query_all(billing_keys.payments_in_review(estate), index=GSI1)
        return [payment_of(i) for i in items]


def may_see(identity: Identity, unit: UnitKey) -> bool:
    return policy.can(identity, "bill.read", Target(unit.estate, unit.building, unit.room))

