"""The permission rules, in one table that the code and the tests both read.

Roles
    ``owner`` (an owner, family member or tenant bound to units), the staff roles
    (:data:`STAFF_ROLES`), ``finance`` and ``admin``.
Scope
    An owner acts only on their own units. Staff and finance act only inside
    their estates (and, when a staff member is scoped to buildings, those
    buildings for building-level targets). Admin is company-wide.
Phones
    Unmasked mobile numbers are shown to the owner themself and to the roles in
    ``owner.phone`` (the people who must call owners: butlers, front desk,
    engineering to arrange a visit, the supervisors, finance for arrears, admin).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.identity import Identity
from portal.errors import Forbidden

OWNER = "owner"
FINANCE = "finance"
ADMIN = "admin"
STAFF_ROLES: tuple[str, ...] = (
    "butler",
    "front_desk",
    "engineering",
    "cleaning",
    "security",
    "foreman",
    "supervisor",
    "project_manager",
)
ROLES: tuple[str, ...] = (OWNER, *STAFF_ROLES, FINANCE, ADMIN)
ASSIGNABLE_ROLES: tuple[str, ...] = (*STAFF_ROLES, FINANCE, ADMIN)
"""Roles a staff account can have: every role of this table except ``owner``."""
MANAGERS = ("supervisor", "project_manager")
CALLERS = ("butler", "front_desk", "engineering", *MANAGERS, FINANCE, ADMIN)
WRITERS = ("butler", "front_desk", "foreman", *MANAGERS, ADMIN)
"""Who writes notices for owners (the butlers' desk and the managers above them)."""

POLICY: dict[str, frozenset[str]] = {
    # who I am, my units or estates
    "me.read": frozenset(ROLES),
    # units and their residents (an owner: their own units only)
    "unit.read": frozenset((OWNER, *STAFF_ROLES, FINANCE, ADMIN)),
    # owner profiles (客户档案) inside the estate
    "owner.read": frozenset((*STAFF_ROLES, FINANCE, ADMIN)),
    # an owner's unmasked mobile number (the owner themself always sees their own)
    "owner.phone": frozenset(CALLERS),
    # import the owner roster (CSV/XLSX)
    "owner.import": frozenset(("front_desk", *MANAGERS, ADMIN)),
    # staff accounts
    "staff.read": frozenset((*MANAGERS, ADMIN)),
    "staff.manage": frozenset((ADMIN,)),
    # the audit log
    "audit.read": frozenset(("project_manager", ADMIN)),
    # work orders (an owner: for and on their own units; see portal.workorders.service)
    "workorder.create": frozenset((OWNER, *STAFF_ROLES, ADMIN)),  # staff: for an owner, patrol
    "workorder.read": frozenset((OWNER, *STAFF_ROLES, ADMIN)),
    "workorder.handle": frozenset((*STAFF_ROLES, ADMIN)),  # acknowledge, dispatch, resolve …
    "workorder.judge": frozenset(("butler", "front_desk", "foreman", *MANAGERS, ADMIN)),
    # callbacks (回访) and the owner profile (客户动态表)
    "callback.record": frozenset(("butler", "front_desk", "foreman", *MANAGERS, ADMIN)),
    "profile.read": frozenset((*STAFF_ROLES, ADMIN)),
    "profile.manage": frozenset(("butler", "front_desk", *MANAGERS, ADMIN)),
    # the month's service KPIs of an estate
    "kpi.read": frozenset(("foreman", *MANAGERS, ADMIN)),
    # bills (应收) and payments (实收): an owner reads and pays their own units' bills;
    # finance issues bills and handles money in its estates (no one else moves money); the
    # front desk reads a unit's account to take its fees at the desk and print the receipt
    "bill.read": frozenset((OWNER, "front_desk", FINANCE, *MANAGERS, ADMIN)),
    "bill.run": frozenset((FINANCE,)),
    "payment.create": frozenset((OWNER,)),
    "payment.refund": frozenset((FINANCE,)),
    "payment.review": frozenset((FINANCE,)),
    # reconciliation (对账): statements, matching, the exceptions queue, closing a day
    "reconcile.read": frozenset((FINANCE, ADMIN)),
    "reconcile.manage": frozenset((FINANCE, ADMIN)),
    # offline payments and collection (收费、交接、托收、收缴率、欠费催缴: portal.finance):
    # the front desk takes cash, transfers and POS cards at the desk, a guard cash at the door
    # (then handed over to the foreman the next day); finance and admin see and chase the rest
    "payment.offline": frozenset(("front_desk", "security", FINANCE, ADMIN)),
    "payment.desk_day": frozenset(("front_desk", FINANCE, ADMIN)),  # the desk's day list (日结)
    "handover.read": frozenset(("foreman", FINANCE, ADMIN)),
    "handover.confirm": frozenset(("foreman", FINANCE, ADMIN)),
    "debit.import": frozenset((FINANCE, ADMIN)),
    "collection.read": frozenset((FINANCE, ADMIN)),
    "arrears.read": frozenset((FINANCE, ADMIN)),
    "arrears.remind": frozenset((FINANCE, ADMIN)),
    # critical notices (已知晓): an owner acknowledges for their own unit; the staff who call
    # and knock on doors see who has not (per building, phones masked)
    "notice.acknowledge": frozenset((OWNER,)),
    "notice.coverage": frozenset(("butler", "front_desk", "security", "foreman", *MANAGERS,
                                  ADMIN)),
    # the monthly KPI results made public (服务承诺): a supervisor approves them
    "kpi.approve": frozenset((*MANAGERS, ADMIN)),
    # greetings and reminders: only the owner decides what they receive (no staff override);
    # an owner signs up for the community events of their estate
    "message.preferences": frozenset((OWNER,)),
    "event.signup": frozenset((OWNER,)),
    # publishing (发布): notices, campaigns, newsletter issues written in the portal, per
    # estate; an estate that requires approval needs a second person's approve (审核) first
    "publishing.read": frozenset(WRITERS),  # drafts, revisions, the estate's approval rule
    "publishing.configure": frozenset(("project_manager", ADMIN)),  # require approval or not
    "notice.draft": frozenset(WRITERS),
    "notice.approve": frozenset((*MANAGERS, ADMIN)),
    "notice.publish": frozenset(WRITERS),  # publish and withdraw (撤回)
    "campaign.draft": frozenset(("butler", "front_desk", *MANAGERS, ADMIN)),
    "campaign.approve": frozenset((*MANAGERS, ADMIN)),
    "campaign.publish": frozenset((*MANAGERS, ADMIN)),
    "newsletter.draft": frozenset(("butler", "front_desk", *MANAGERS, ADMIN)),
    "newsletter.approve": frozenset((*MANAGERS, ADMIN)),
    "newsletter.publish": frozenset((*MANAGERS, ADMIN)),
}
"""action → the roles that may perform it (inside their scope)."""


@dataclass(frozen=True)
class Target:
    """What an action is on: an estate, optionally a building, unit or owner."""

    estate: str | None = None
    building: str | None = None
    room: str | None = None
    owner_id: str | None = None


def allowed_roles(action: str) -> frozenset[str]:
    try:
        return POLICY[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}: add it to portal.accounts.policy.POLICY") from None


def in_scope(identity: Identity, target: Target | None) -> bool:
    if target is None or ADMIN in identity.roles:
        return True
    if identity.is_owner:
        if target.owner_id is not None and target.owner_id == identity.user_id:
            return True
        if target.room is not None:
            return any(
                (u.estate, u.building, u.room) == (target.estate, target.building, target.room)
                for u in identity.units
            )
        # Estate- or building-wide targets are not an owner's to act on.
        return False
    if target.estate is None:
        return True
    if target.estate not in identity.estates:
        return False
    buildings = identity.buildings.get(target.estate)
    return not (buildings and target.building is not None and target.building not in buildings)


def can(identity: Identity | None, action: str, target: Target | None = None) -> bool:
    if identity is None:
        return False
    if not identity.roles & allowed_roles(action):
        return False
    return in_scope(identity, target)


def require(identity: Identity | None, action: str, target: Target | None = None) -> Identity:
    """The identity if allowed; ``Unauthenticated``/``Forbidden`` otherwise."""
    from portal.errors import Unauthenticated

    if identity is None:
        raise Unauthenticated()
    if not can(identity, action, target):
        raise Forbidden()
    return identity


def sees_phone(identity: Identity | None, owner_id: str, estate: str | None) -> bool:
    """May ``identity`` see this owner's mobile number unmasked?"""
    if identity is None:
        return False
    if identity.is_owner:
        return identity.user_id == owner_id
    return can(identity, "owner.phone", Target(estate=estate))
