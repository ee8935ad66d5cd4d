"""The portal services for the current request, built from the app's settings and client.

Views call these instead of constructing repositories themselves, so every
view uses the same table name, key and clock.
"""

from __future__ import annotations

from functions.context import dynamodb, portal_state, settings
from portal.accounts.audit import AuditLog
from portal.accounts.otp import OneTimeCodes
from portal.accounts.owners import OwnerRepo
from portal.accounts.sessions import SessionStore
from portal.accounts.staff import StaffManager, StaffRepo, company_estates
from portal.messaging import message_sender


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


def one_time_codes() -> OneTimeCodes:
    """Owner sign-in codes (this app's table, key, clock and SMS sender)."""
    cfg, clock, table = settings(), portal_state().clock, main_table()
    sender = message_sender(cfg, dynamodb(), table, clock)
    return OneTimeCodes(dynamodb(), table, cfg.phone_hash_key, clock, sender)


def staff_manager() -> StaffManager:
    """Staff accounts (this app's table, audit log, clock and the company's estates)."""
    content_dir = settings().content_dir
    return StaffManager(
        dynamodb(),
        main_table(),
        audit(),
        portal_state().clock,
        estates=lambda: company_estates(content_dir),
    )
