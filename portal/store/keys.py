"""Key shapes for the main table, and the access patterns they serve.

Every DynamoDB key in the code base is built here and nowhere else.

=====================================  =======  ===================================  ===========================
access pattern                         where    key condition                        item
=====================================  =======  ===================================  ===========================
get the company                        main     pk=COMPANY           sk=META         company profile
list estates of the company            main     pk=COMPANY           sk^=ESTATE#     estate summary
get an estate                          main     pk=ESTATE#<e>        sk=META         estate profile
list buildings of an estate            main     pk=ESTATE#<e>        sk^=BUILDING#   building
list units of an estate                main     pk=ESTATE#<e>        sk^=UNIT#       unit
list units of one building             main     pk=ESTATE#<e>        sk^=UNIT#<b>#   unit
get one unit                           main     pk=ESTATE#<e>        sk=UNIT#<b>#<r> unit
residents of one unit                  main     pk=ESTATE#<e>        sk^=RESIDENT#<b>#<r>#  binding (unit side)
get an owner (by phone's keyed hash)   main     pk=OWNER#<o>         sk=META         owner profile
units of an owner                      main     pk=OWNER#<o>         sk^=UNIT#       binding (owner side)
get a staff account                    main     pk=STAFF#<u>         sk=META         staff account
list staff accounts                    gsi1     gsi1pk=STAFF         gsi1sk=<u>      staff account
count of enabled admins                main     pk=STAFF_ADMINS      sk=COUNT        counter
get a session (by token hash)          main     pk=SESSION#<h>       sk=META         session (TTL)
sessions of a user (to end them all)   gsi1     gsi1pk=SESSIONS#<k>#<u> gsi1sk=<created> session
the pending login code of a phone      main     pk=OTP#<o>           sk=CODE         code hash (TTL)
codes sent to a phone in a window      main     pk=OTP#<o>           sk=SENT#<w>     counter (TTL)
attempts of a subject in a window      main     pk=LIMIT#<scope>#<s> sk=W#<w>        counter (TTL)
audit events of a day                  main     pk=AUDIT#<yyyy-mm-dd> sk=<ts>#<id>   event (append-only)
audit events of an actor               gsi1     gsi1pk=ACTOR#<a>     gsi1sk=<ts>     event
roster import (idempotency record)     main     pk=IMPORT#<sha256>   sk=META         import report
local outbox (local stage only)        main     pk=OUTBOX            sk=<ts>#<id>    message (TTL)
sandbox payment (local stage only)     main     pk=SANDBOXPAY#<p>    sk=META         payment at the stand-in provider (TTL)
tasks still to run (off the request)   main     pk=TASK              sk=<ts>#<id>    task (TTL)
a work order (by number)               main     pk=WO#<e>#<n>        sk=META         order
an order's history                     main     pk=WO#<e>#<n>        sk^=EV#         event
an estate's orders by state            gsi1     gsi1pk=WOSTATE#<e>#<state> gsi1sk=<ts>#<n> order
an estate's orders of a month (KPIs)   gsi1     the same, gsi1sk between two <ts>   order
a unit's orders, newest first          gsi2     gsi2pk=WOUNIT#<e>#<b>#<r> gsi2sk=<ts>#<n>  order
unresolved orders by next escalation   gsi3     gsi3pk=WOLADDER#<e>  gsi3sk=<ts>#<n>  order
an owner's orders, newest first        main     pk=OWNER#<o>         sk^=WO#<ts>#    link
a staff member's orders (首问负责)     main     pk=STAFFQ#<u>        sk=<e>#<n>      link
orders escalated to a rung             main     pk=ESCQ#<e>#<rung>   sk=<n>          link
next order number of an estate's day   main     pk=WONUM#<e>#<p>#<d> sk=COUNTER      counter
a submit's request id (retry → same)   main     pk=REQ#<actor>#<id>  sk=META         idempotency (TTL)
a callback (回访)                      main     pk=CB#<e>#<id>       sk=META         callback
an estate's callbacks still due        gsi1     gsi1pk=CBDUE#<e>     gsi1sk=<due>#<id>  callback (sparse)
a unit's callbacks, newest first       gsi2     gsi2pk=CBUNIT#<e>#<b>#<r> gsi2sk=<ts>#<id>  callback
an estate's answered callbacks by month gsi3    gsi3pk=CBDONE#<e>#<yyyy-mm> gsi3sk=<ts>#<id> callback
the profile of a unit (客户动态表)     main     pk=ESTATE#<e>        sk=PROFILE#<b>#<r>  profile
profiles of an estate (archive KPI)    main     pk=ESTATE#<e>        sk^=PROFILE#    profile
residents of an estate (or building)   main     pk=ESTATE#<e>        sk^=RESIDENT#[<b>#]  binding
a profile's change history             main     pk=PROFILELOG#<e>#<b>#<r> sk=<ts>#<v>  history line
a bill (one unit, period, fee item)   main     pk=BILL#<e>#<b>#<r>  sk=<period>-<item>[-<ref>] bill
a unit's bills (of a year)             main     pk=BILL#<e>#<b>#<r>  sk^=<yyyy>-     bill
an estate's unpaid bills (欠费)         gsi1     gsi1pk=UNPAID#<e>    gsi1sk=<period>#<b>#<r>#<item> bill
an estate's bills of a range of periods gsi2    gsi2pk=BILLS#<e>     gsi2sk=<period>#<b>#<r>#<bill> bill
meter readings of a period             main     pk=READING#<e>#<period> sk=<b>#<r>#<item> reading
standing charges (parking spaces)      main     pk=STANDING#<e>      sk=<b>#<r>#<item> quantity
unit areas as imported (房屋面积)        main     pk=AREA#<e>          sk=<b>#<r>      area
a billing run of a period              main     pk=BILLRUN#<e>#<period> sk=META    run summary
a payment (by out_trade_no)            main     pk=PAY#<id>          sk=META         payment
a payment's refunds                    main     pk=PAY#<id>          sk=REFUND#<nn>  refund
a unit's payments, newest first        gsi2     gsi2pk=PAYUNIT#<e>#<b>#<r> gsi2sk=<ts>#<id> payment
payments under review of an estate     gsi1     gsi1pk=PAYREVIEW#<e> gsi1sk=<ts>#<id> payment (sparse)
payments still pending (the sweep)     gsi3     gsi3pk=PAYPENDING    gsi3sk=<ts>#<id> payment (sparse)
refunds whose outcome is not known     gsi3     gsi3pk=REFUNDPENDING gsi3sk=<ts>#<no> refund (sparse)
a provider transaction, seen once      main     pk=PAYTX#<provider>#<tx> sk=META     de-duplication
a provider notification, seen once     main     pk=PAYNOTE#<provider>#<n> sk=META    de-duplication
next receipt number (estate, year)     main     pk=RECEIPTNO#<e>#<yyyy> sk=COUNTER   counter
a receipt (gap-free per estate, year)  main     pk=RECEIPT#<e>#<yyyy> sk=<nnnnnn>    receipt
payments paid on a local day (对账)     gsi3     gsi3pk=PAYDAY#<e>#<day> gsi3sk=<ts>#<id> payment (once paid)
refunds that succeeded on a local day  gsi3     gsi3pk=REFUNDDAY#<e>#<day> gsi3sk=<ts>#<no> refund
a statement file imported (its sha256) main     pk=RCFILE#<e>#<sha>  sk=META         import record
statement lines of an estate's day     main     pk=RCLINE#<e>#<day>  sk=<source>#<identity> line
a reconciled day (open/matched/closed) main     pk=RCDAY#<e>#<day>   sk=META         day
a day's discrepancies                  main     pk=RCDAY#<e>#<day>   sk^=D#          discrepancy
an estate's open discrepancies (queue) gsi1     gsi1pk=RCOPEN#<e>    gsi1sk=<day>#<id> discrepancy (sparse)
a bank's column mapping                main     pk=RCBANK#<e>        sk=<bank>       mapping
an offline payment's request id        main     pk=OFFREQ#<e>#<req>  sk=META         idempotency (collection)
an estate's offline payments of a day  main     pk=OFFPAY#<e>#<day>  sk=<ts>#<id>    entry
a guard's cash of a day (交接)          main     pk=HANDOVER#<e>      sk=<day>#<who>  handover batch
a direct-debit file, imported once     main     pk=DEBITFILE#<e>#<sha256> sk=META    import report
messages owed to debited owners        main     pk=DEBITNOTE#<e>     sk=<payment>    notice
an owner's last arrears reminder       main     pk=DUNLAST#<o>       sk=META         last sent
an estate's arrears reminders (催缴)    main     pk=DUNLOG#<e>        sk=<ts>#<o>     history line
an estate's notices asking 已知晓         main     pk=ACKNOTICE#<e>     sk=<notice>     critical notice
households that acknowledged a notice  main     pk=ACK#<e>#<notice>  sk=<b>#<r>      acknowledgement (once)
an estate's monthly KPI snapshots      main     pk=KPIPUB#<e>        sk=<yyyy-mm>    snapshot (approved: public)
an owner's message preferences         main     pk=OWNER#<o>         sk=MSGPREFS     opt-outs
a greeting or reminder, sent once      main     pk=GREETED#<o>       sk=<occasion>   marker
an estate's community events           main     pk=EVENT#<e>         sk=<event>      event
owners signed up for an event          main     pk=EVSIGNUP#<e>#<ev> sk=<o>          sign-up
=====================================  =======  ===================================  ===========================

Owners: ``<o>`` is the owner id, the first 32 hex digits of the phone number's
keyed hash (:func:`portal.phones.phone_hash`), so a phone is never a readable
key and an owner is found from a phone without a Scan. Sessions and codes are
stored by hash only: a leaked table does not yield a usable token or code.

Identifiers: an estate is its slug (``lanting``); a building its code within the
estate (``1``); a room its number within the building (``2-1503``: entrance 2,
floor 15, room 03). A unit's id is ``<estate>/<building>/<room>``.
No Scan is used on a request path.

The functions of the billing rows (bills to receipts) are in
The functions of some rows live beside this module, only for its length (this table stays
the one list of every key shape): work orders, callbacks and owner profiles in
:mod:`portal.store.service_keys`, bills to receipts in :mod:`portal.store.billing_keys`,
reconciliation in :mod:`portal.store.reconcile_keys`, offline payments to reminders in
:mod:`portal.store.collection_keys`, critical notices to event sign-ups in
:mod:`portal.store.owner_keys`.
"""

from __future__ import annotations

from typing import TypedDict

from portal.store.tables import GSI1

SEP = "#"
META = "META"


class Key(TypedDict):
    pk: str
    sk: str


class IndexKey(TypedDict):
    gsi1pk: str
    gsi1sk: str


def _index(partition: str, sort: str) -> IndexKey:
    assert (GSI1.hash_key, GSI1.range_key) == ("gsi1pk", "gsi1sk")
    return {"gsi1pk": partition, "gsi1sk": sort}


def _after(prefix: str, value: str) -> str:
    """The part of a key after ``prefix`` (``ValueError`` if it is not there)."""
    if not value.startswith(prefix):
        raise ValueError(f"{value!r} does not start with {prefix!r}")
    return value[len(prefix) :]


COMPANY_PARTITION = "COMPANY"


def company() -> Key:
    return {"pk": COMPANY_PARTITION, "sk": META}


def company_estate(estate: str) -> Key:
    return {"pk": COMPANY_PARTITION, "sk": f"ESTATE{SEP}{estate}"}


def estate(estate: str) -> Key:
    return {"pk": f"ESTATE{SEP}{estate}", "sk": META}


def building(estate: str, building: str) -> Key:
    return {"pk": f"ESTATE{SEP}{estate}", "sk": f"BUILDING{SEP}{building}"}


def unit(estate: str, building: str, room: str) -> Key:
    return {"pk": f"ESTATE{SEP}{estate}", "sk": f"UNIT{SEP}{building}{SEP}{room}"}


def estate_partition(estate: str) -> str:
    return f"ESTATE{SEP}{estate}"


def units_prefix(building: str | None = None) -> str:
    return f"UNIT{SEP}" if building is None else f"UNIT{SEP}{building}{SEP}"


BUILDINGS_PREFIX = f"BUILDING{SEP}"
ESTATES_PREFIX = f"ESTATE{SEP}"


def estate_of_summary(sk: str) -> str:
    """The estate slug of a company's estate summary (``ESTATE#lanting`` → ``lanting``)."""
    return _after(ESTATES_PREFIX, sk)


def unit_id(estate: str, building: str, room: str) -> str:
    return f"{estate}/{building}/{room}"


# --- accounts, sessions, codes, audit (issue: accounts, roles and sessions) ---


def owner(owner_id: str) -> Key:
    return {"pk": f"OWNER{SEP}{owner_id}", "sk": META}


def owner_of(pk: str) -> str:
    """The owner id of an item in an owner's partition."""
    return _after(f"OWNER{SEP}", pk)


def is_owner_unit(sk: str) -> bool:
    return sk.startswith(OWNER_UNITS_PREFIX)


def owner_unit(owner_id: str, estate: str, building: str, room: str) -> Key:
    return {"pk": f"OWNER{SEP}{owner_id}", "sk": f"UNIT{SEP}{estate}{SEP}{building}{SEP}{room}"}


def unit_resident(estate: str, building: str, room: str, owner_id: str) -> Key:
    return {
        "pk": f"ESTATE{SEP}{estate}",
        "sk": f"RESIDENT{SEP}{building}{SEP}{room}{SEP}{owner_id}",
    }


def resident_prefix(building: str, room: str) -> str:
    return f"RESIDENT{SEP}{building}{SEP}{room}{SEP}"


def residents_prefix(building: str | None = None) -> str:
    """Every binding (unit side) of an estate, or of one building."""
    return f"RESIDENT{SEP}" if building is None else f"RESIDENT{SEP}{building}{SEP}"


def owner_partition(owner_id: str) -> str:
    return f"OWNER{SEP}{owner_id}"


OWNER_UNITS_PREFIX = f"UNIT{SEP}"


def staff(username: str) -> Key:
    return {"pk": f"STAFF{SEP}{username}", "sk": META}


STAFF_INDEX = "STAFF"  # gsi1pk of every staff account; gsi1sk is the username


def active_admins() -> Key:
    """The count of enabled admin accounts (never below one: see the staff repository)."""
    return {"pk": "STAFF_ADMINS", "sk": "COUNT"}


def staff_index(username: str) -> IndexKey:
    return _index(STAFF_INDEX, username)


def session(token_hash: str) -> Key:
    return {"pk": f"SESSION{SEP}{token_hash}", "sk": META}


def session_hash_of(pk: str) -> str:
    """The token hash of a session item's partition key."""
    return _after(f"SESSION{SEP}", pk)


def user_sessions(kind: str, user_id: str) -> str:
    return f"SESSIONS{SEP}{kind}{SEP}{user_id}"


def user_session_index(kind: str, user_id: str, created_at: str) -> IndexKey:
    return _index(user_sessions(kind, user_id), created_at)


def otp_code(owner_id: str) -> Key:
    return {"pk": f"OTP{SEP}{owner_id}", "sk": "CODE"}


def otp_sent(owner_id: str, window: int) -> Key:
    return {"pk": f"OTP{SEP}{owner_id}", "sk": f"SENT{SEP}{window}"}


def audit_event(day: str, timestamp: str, event_id: str) -> Key:
    return {"pk": audit_day(day), "sk": f"{timestamp}{SEP}{event_id}"}


def audit_day(day: str) -> str:
    """The partition of one UTC day's audit events."""
    return f"AUDIT{SEP}{day}"


def audit_actor_index(actor: str) -> str:
    return f"ACTOR{SEP}{actor}"


def audit_actor(actor: str, timestamp: str, event_id: str) -> IndexKey:
    return _index(audit_actor_index(actor), f"{timestamp}{SEP}{event_id}")


def roster_import(digest: str) -> Key:
    return {"pk": f"IMPORT{SEP}{digest}", "sk": META}


def outbox_message(timestamp: str, message_id: str) -> Key:
    return {"pk": "OUTBOX", "sk": f"{timestamp}{SEP}{message_id}"}


OUTBOX_PARTITION = "OUTBOX"


def sandbox_payment(out_trade_no: str) -> Key:
    """A payment as the local stand-in provider sees it (:mod:`portal.billing.providers.sandbox`)."""
    return {"pk": f"SANDBOXPAY{SEP}{out_trade_no}", "sk": META}


TASK_PARTITION = "TASK"


def task(task_id: str) -> Key:
    """A task (:mod:`portal.tasks`); ``task_id`` is ``<ts>#<id>``, so the oldest come first."""
    return {"pk": TASK_PARTITION, "sk": task_id}


def rate_limit(scope: str, subject: str, window: int) -> Key:
    return {"pk": f"LIMIT{SEP}{scope}{SEP}{subject}", "sk": f"W{SEP}{window}"}
