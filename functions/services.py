"""The portal services for the current request, built from the app's settings and client.

Views call these instead of constructing repositories themselves, so every
view uses the same table name, key and clock.
"""

from __future__ import annotations

from functions.context import dynamodb, portal_state, settings
from portal.audit import AuditLog
from portal.auth.sessions import SessionStore
from portal.owners import OwnerRepo
from portal.staff import StaffRepo


def main_table() -> str:
    return settings().table_name("main")


def sessions() -> SessionStore:
    return SessionStore(dynamodb(), main_table(), portal_state().clock)


def owners() -> OwnerRepo:
    return OwnerRepo(dynamodb(), main_table(), settings().phone_hash_key)


def staff() -> StaffRepo:
    return StaffRepo(dynamodb(), main_table())


def audit() -> AuditLog:
    return AuditLog(dynamodb(), main_table(), portal_state().clock)
