"""Routes of the `orders` resource: work orders (工单), for owners and staff.

``POST /api/orders``                          submit (an owner for their unit or a public
                                              area; staff on an owner's behalf or from patrol)
``POST /api/orders/photos``                   one presigned upload for a photo (then submit
                                              its key with the order)
``GET  /api/orders/mine``                     an owner's orders, newest first
``GET  /api/orders?estate=&state=``           an estate's orders (staff), open ones by default
``GET  /api/orders/queue``                    the caller's queue (staff)
``GET  /api/orders/<estate>/<number>``        one order: deadlines, history, what may be done
``POST /api/orders/<estate>/<number>/actions`` a row of the transition table

The rules are in :mod:`portal.workorders`; this module only translates HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import Response

from functions.auth import require, signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.orders_models import (
    ActionIn,
    ListQuery,
    OrderDetail,
    OrderIn,
    OrderList,
    OrderOut,
    OrderPath,
    PhotoOfferIn,
    PhotoOfferOut,
    QueueOut,
    staff_of,
)  # fmt: skip
from functions.context import services, settings
from functions.error_models import DENIED, ErrorEnvelope
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.identity import Identity
from portal.workorders.model import ORDER_PHOTOS, Location, WorkOrder
from portal.workorders.service import NewOrder
from portal.workorders.transitions import OPEN_STATES

bp = api_blueprint("orders", __name__)



def _outs(orders: Sequence[WorkOrder], identity: Identity) -> list[OrderOut]:
    """The orders' answers, with the staff names they show (one read for all of them)."""
    names = services().staff_names.of(staff_of(orders))
    now, tz = services().clock(), settings().time_zone
    return [OrderOut.of(o, identity, now, tz, names) for o in orders]


def _out(order: WorkOrder, identity: Identity) -> OrderOut:
    return _outs([order], identity)[0]


@bp.post("/orders", responses={201: OrderOut, **DENIED, 409: ErrorEnvelope, 503: ErrorEnvelope})
def submit(body: OrderIn) -> Response:
    """Submit a work order (报修/投诉/建议/表扬/服务). A retry with the same `request_id`
    returns the order made the first time."""
    identity = signed_in()
    order = services().work_orders.submit(identity, NewOrder(
        kind=body.kind, location=Location(body.estate, body.building, body.room, body.place),
        description=body.description, urgency=body.urgency, category=body.category,
        preferred_time=body.preferred_time, contact_name=body.contact_name,
        contact_phone=body.contact_phone, photos=tuple(body.photos), channel=body.channel,
        request_id=body.request_id, owner_phone=body.owner_phone,
    ))  # fmt: skip
    return json_response(_out(order, identity), 201)


PHOTO_OFFERS_PER_HOUR = 60


@bp.post("/orders/photos", responses={201: PhotoOfferOut, **DENIED, 429: ErrorEnvelope,
                                      503: ErrorEnvelope})  # fmt: skip
def offer_photo(body: PhotoOfferIn) -> Response:
    """A presigned POST for one photo (JPEG, PNG, WebP, HEIC; 5 minutes to upload it)."""
    identity = require("workorder.create")
    who = actor(identity.kind, identity.user_id)
    services().counters.take("photo_offers", who, PHOTO_OFFERS_PER_HOUR, timedelta(hours=1),
                             "too_many_photos")  # fmt: skip
    offer = services().uploads.offer(ORDER_PHOTOS, who, body.content_type, body.size)
    return json_response(PhotoOfferOut(url=offer.url, fields=offer.fields, key=offer.key,
                                       max_bytes=offer.max_bytes,
                                       expires_in=offer.expires_in), 201)  # fmt: skip


@bp.get("/orders/mine", responses={200: OrderList, **DENIED})
def mine() -> Response:
    """The signed-in owner's orders, newest first."""
    identity = signed_in()
    orders = services().work_orders.of_owner(identity)
    return json_response(OrderList(items=_outs(orders, identity)))


@bp.get("/orders", responses={200: OrderList, **DENIED})
def in_estate(query: ListQuery) -> Response:
    """An estate's orders in one state, or all open ones (staff, in their scope)."""
    identity = signed_in()
    states = sorted(OPEN_STATES) if query.state == "open" else [query.state]
    orders = services().work_orders.in_estate(identity, query.estate, states)
    return json_response(OrderList(items=_outs(orders, identity)))


@bp.get("/orders/queue", responses={200: QueueOut, **DENIED})
def queue() -> Response:
    """What needs the caller now: new, breached, due soon, escalated to me, mine."""
    identity = signed_in()
    directory = services().estates
    estates = sorted(identity.estates) or [e.slug for e in directory.company().estates]
    buildings = directory.buildings_by_estate()
    got = services().work_orders.queue(identity, estates,
                                       lambda e: sorted(buildings.get(e, ())))  # fmt: skip
    parts = {"new": got.new, "breached": got.breached, "due_soon": got.due_soon,
             "escalated": got.escalated, "mine": got.mine}
    everything = [o for part in parts.values() for o in part]
    names = services().staff_names.of(staff_of(everything))
    now, tz = services().clock(), settings().time_zone
    return json_response(QueueOut(**{
        part: [OrderOut.of(o, identity, now, tz, names) for o in orders]
        for part, orders in parts.items()
    }))  # fmt: skip


@bp.get("/orders/<estate>/<number>", responses={200: OrderDetail, **DENIED})
def detail(path: OrderPath) -> Response:
    """One order with its deadlines and history (owners never see internal notes)."""
    identity = signed_in()
    order, events = services().work_orders.read(identity, path.estate, path.number)
    urls = [services().uploads.view_url(key) for key in order.photos]
    return json_response(OrderDetail(order=_out(order, identity),
                                     history=OrderDetail.events(events), photo_urls=urls))  # fmt: skip


@bp.post("/orders/<estate>/<number>/actions",
         responses={200: OrderOut, **DENIED, 409: ErrorEnvelope, 503: ErrorEnvelope})  # fmt: skip
def act(path: OrderPath, body: ActionIn) -> Response:
    """Move an order: acknowledge, dispatch, arrive, feedback, resolve, sign off, reopen …"""
    identity = signed_in()
    order = services().work_orders.act(identity, path.estate, path.number, body.action,
                                       body.note, body.details())  # fmt: skip
    return json_response(_out(order, identity))
