"""Which provider object serves a payment: the ledger's view of the payment accounts.

The accounts are configured per stage (``PORTAL_PAYMENTS``, :mod:`.providers.config`);
:class:`~.providers.registry.PaymentProviders` builds them. The ledger needs two
questions answered, and this protocol is all it depends on (the tests give a small
stand-in):

- which provider of each kind an estate offers (an owner chooses the kind: Alipay or
  WeChat Pay; the estate's configuration chooses the account);
- the provider of a named account (the notify URL names it, a payment keeps it).
"""

from __future__ import annotations

from typing import Protocol

from portal.billing.providers.base import PaymentProvider


class ProviderAccounts(Protocol):
    def for_estate(self, estate: str) -> tuple[PaymentProvider, ...]:
        """The providers ``estate`` offers, in display order."""
        ...

    def account(self, name: str) -> PaymentProvider:
        """The provider of account ``name``; a :class:`LookupError` if there is none."""
        ...


def offered(accounts: ProviderAccounts, estate: str, kind: str) -> PaymentProvider | None:
    """The provider of ``kind`` (``alipay``, ``wechat``, ``sandbox``) that ``estate`` offers."""
    return next((p for p in accounts.for_estate(estate) if p.name == kind), None)


def of_account(accounts: ProviderAccounts, name: str) -> PaymentProvider | None:
    """The provider of account ``name``, or None if it is not (or no longer) configured."""
    try:
        return accounts.account(name)
    except LookupError:
        return None
