"""Staff accounts (admin): list, create, change roles/scope, disable/enable, reset a password.

Thin: each view checks the policy, parses its pydantic model and calls
:class:`portal.accounts.staff.StaffManager`, which holds the rules and writes the audit
log. Listing needs ``staff.read`` (managers see the accounts of their estates,
admin all); every change needs ``staff.manage`` (admin). Phones are always
masked here.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from functions.auth import require
from functions.blueprints import api_blueprint
from functions.context import services
from functions.edge import client_ip
from functions.error_models import ErrorEnvelope
from functions.fields import new_password_field
from functions.model import ApiModel
from functions.responses import json_response
from portal.accounts.audit import actor
from portal.accounts.policy import ADMIN, ASSIGNABLE_ROLES
from portal.accounts.staff.model import NewStaff, StaffAccount, StaffChanges
from portal.accounts.staff.validation import NAME_MAX, USERNAME_PATTERN
from portal.phones import OPTIONAL_PHONE_PATTERN

bp = api_blueprint("staff", __name__)

Role = Annotated[str, WithJsonSchema({"type": "string", "enum": list(ASSIGNABLE_ROLES)})]
"""A role's name; the service checks it (``invalid_role``), the document lists the choices."""

_ROLES_DOC = "Roles, any of: " + ", ".join(f"`{r}`" for r in ASSIGNABLE_ROLES) + "."
_ADMIN_DOC = f"`{ADMIN}` is company-wide; every other role needs at least one estate."


class StaffOut(ApiModel):
    username: str
    name: str
    phone: str = Field(description="Mobile number, masked (`138****8000`); empty if none.")
    roles: list[str]
    estates: list[str]
    buildings: dict[str, list[str]] = Field(
        description="Per estate, the buildings the account is limited to (none: whole estate)."
    )
    disabled: bool
    must_change_password: bool = Field(
        description="The password was set by an admin and must be changed at next sign-in."
    )
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, a: StaffAccount) -> StaffOut:
        return cls(
            username=a.username,
            name=a.name,
            phone=a.masked_phone,
            roles=sorted(a.roles),
            estates=sorted(a.estates),
            buildings={e: sorted(b) for e, b in sorted(a.buildings.items())},
            disabled=a.disabled,
            must_change_password=a.must_change_password,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )


class StaffList(ApiModel):
    items: list[StaffOut]


_ONLY_ADMIN: dict[str, Any] = {"properties": {"roles": {"items": {"const": ADMIN}}}}


def _estates_needed(*, required: bool) -> dict[str, Any]:
    """In JSON schema: roles only ``admin``, or at least one estate (``staff_estates_required``).

    Written as ``anyOf`` because the document's models (flask-openapi3) keep no ``if``/``then``.
    """
    estates: dict[str, Any] = {"properties": {"estates": {"minItems": 1}}}
    if required:
        estates["required"] = ["estates"]
    return {"anyOf": [_ONLY_ADMIN, estates]}


class StaffCreate(ApiModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_estates_needed(required=True))

    username: str = Field(
        min_length=1,
        max_length=64,
        description="3–32 of `a-z 0-9 . _ -` (lower-cased).",
        json_schema_extra={"pattern": USERNAME_PATTERN},
    )
    name: str = Field(min_length=1, max_length=NAME_MAX, description="Full name (姓名).")
    phone: str = Field(
        default="",
        max_length=32,
        description="Mainland mobile number, optional.",
        json_schema_extra={"pattern": OPTIONAL_PHONE_PATTERN},
    )
    roles: list[Role] = Field(min_length=1, max_length=16, description=_ROLES_DOC)
    estates: list[str] = Field(default_factory=list, max_length=64, description=_ADMIN_DOC)
    buildings: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Optional, per estate: limit the account to these building codes.",
    )
    password: str = new_password_field("Initial password (changed at first sign-in):")


class StaffPatch(ApiModel):
    # New estates given with new roles but admin: at least one (without new roles or new
    # estates, the account's own are checked: that is a 400 the document cannot foresee).
    model_config = ConfigDict(extra="forbid", json_schema_extra=_estates_needed(required=False))

    name: str | None = Field(default=None, max_length=NAME_MAX)
    phone: str | None = Field(
        default=None,
        max_length=32,
        description="Mainland mobile number; an empty string removes it.",
        json_schema_extra={"pattern": OPTIONAL_PHONE_PATTERN},
    )
    roles: list[Role] | None = Field(
        default=None, max_length=16, description=_ROLES_DOC, json_schema_extra={"minItems": 1}
    )
    estates: list[str] | None = Field(default=None, max_length=64, description=_ADMIN_DOC)
    buildings: dict[str, list[str]] | None = Field(
        default=None,
        description="Per estate, building codes (replaces all). Omitted: kept for the estates "
        "that stay in scope.",
    )
    disabled: StrictBool | None = Field(
        default=None,
        description="`true` signs the account out at once and refuses sign-in "
        "(a JSON boolean: `0`, `1` or `\"false\"` are refused).",
    )


class PasswordReset(ApiModel):
    model_config = ConfigDict(extra="forbid")

    password: str = new_password_field("The new password:")


class StaffPath(ApiModel):
    username: str = Field(max_length=64)


_Responses = dict[str | int, type[BaseModel] | dict[Any, Any] | None]


def _responses(*statuses: int) -> _Responses:
    """``StaffOut`` for 200, the error envelope for each of ``statuses``."""
    out: _Responses = {200: StaffOut}
    out.update({status: ErrorEnvelope for status in statuses})
    return out


@bp.get("/staff", responses={200: StaffList, 401: ErrorEnvelope, 403: ErrorEnvelope})
def list_staff() -> Response:
    """Staff accounts (admin: all; supervisors and project managers: those of their estates)."""
    identity = require("staff.read")
    accounts = services().staff.list_for(identity)
    return json_response(StaffList(items=[StaffOut.of(a) for a in accounts]))


@bp.get("/staff/<username>", responses=_responses(401, 403, 404))
def get_staff(path: StaffPath) -> Response:
    """One staff account."""
    identity = require("staff.read")
    return json_response(StaffOut.of(services().staff.get_for(identity, path.username)))


@bp.post(
    "/staff",
    responses={
        201: StaffOut,
        401: ErrorEnvelope,
        403: ErrorEnvelope,
        404: ErrorEnvelope,
        409: ErrorEnvelope,
    },
)
def create_staff(body: StaffCreate) -> Response:
    """Create a staff account (admin). The username must be new (409 otherwise); an estate or
    building that does not exist is a 404 (``unknown_estate``, ``unknown_building``)."""
    identity = require("staff.manage")
    account = services().staff.create(
        actor("staff", identity.user_id),
        NewStaff(
            username=body.username,
            name=body.name,
            roles=tuple(body.roles),
            password=body.password,
            estates=tuple(body.estates),
            buildings=body.buildings,
            phone=body.phone,
        ),
        client_ip(),
    )
    return json_response(StaffOut.of(account), 201)


@bp.patch("/staff/<username>", responses=_responses(401, 403, 404, 409))
def update_staff(path: StaffPath, body: StaffPatch) -> Response:
    """Change roles, scope, name, phone, or disable/enable (admin; not your own admin role).

    A change that the account's own roles or estates make impossible (estates removed from a
    butler, buildings of an estate the account does not have) is 409 with the rule's code.
    """
    identity = require("staff.manage")
    changes = StaffChanges(
        name=body.name,
        phone=body.phone,
        roles=None if body.roles is None else tuple(body.roles),
        estates=None if body.estates is None else tuple(body.estates),
        buildings=body.buildings,
        disabled=body.disabled,
    )
    account = services().staff.update(
        actor("staff", identity.user_id), path.username, changes, client_ip()
    )
    return json_response(StaffOut.of(account))


@bp.post("/staff/<username>/password", responses=_responses(401, 403, 404))
def reset_password(path: StaffPath, body: PasswordReset) -> Response:
    """Set a new password for someone (admin); they must change it at next sign-in."""
    identity = require("staff.manage")
    account = services().staff.reset_password(
        actor("staff", identity.user_id), path.username, body.password, client_ip()
    )
    return json_response(StaffOut.of(account))
