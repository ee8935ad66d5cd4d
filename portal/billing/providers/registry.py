"""The provider objects of one process, built from :class:`~.config.PaymentSettings`.

The ledger asks :meth:`PaymentProviders.for_estate` which providers an estate offers
(in display order) and :meth:`PaymentProviders.account` for the one a notification,
query or refund concerns (by the account name kept with the payment and put in the
notify URL). Each provider is built on first use, its keys parsed then: a key that
does not parse raises :class:`~portal.settings.ConfigurationError`-like
:class:`~.crypto.KeyMaterialError` at that moment (``check()`` parses every key at
once, for a start-up or deploy check). In the local and test stages an empty key is
replaced by a throw-away one (:func:`~.crypto.throwaway_key`), so Alipay and WeChat
can be started (and their notifications signed by a test) without real keys.

The provider modules (and ``cryptography``) are imported only here, on first use,
so a cold start that serves ``/api/health`` never loads them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from portal.billing.providers.base import PaymentProvider
from portal.billing.providers.config import (
    Account,
    AlipayAccount,
    PaymentSettings,
    SandboxAccount,
    WeChatAccount,
)
from portal.billing.providers.http import Transport
from portal.clock import Clock

if TYPE_CHECKING:
    from portal.billing.providers import crypto
    from portal.billing.providers.sandbox import SandboxProvider
    from portal.billing.providers.wechat_oauth import WeChatOAuth


class UnknownAccount(LookupError):
    """No payment account of that name is configured (a notify URL naming none: 404)."""


class PaymentProviders:
    def __init__(self, settings: PaymentSettings, transport: Transport, clock: Clock, *,
                 local: bool, sandbox: Callable[[str], SandboxProvider] | None = None,
                 ) -> None:  # fmt: skip
        self.settings, self.transport, self.clock, self.local = settings, transport, clock, local
        self._sandbox = sandbox
        self._built: dict[str, PaymentProvider] = {}
        self._lock = threading.Lock()

    def for_estate(self, estate: str) -> tuple[PaymentProvider, ...]:
        """The providers ``estate`` offers, in display order (empty: no online payment)."""
        names = self.settings.accounts_for(estate)
        return tuple(self.account(n) for n in names if self._spec(n) is not None)

    def account(self, name: str) -> PaymentProvider:
        """The provider of account ``name``; :class:`UnknownAccount` if none is configured."""
        spec = self._spec(name)
        if spec is None:
            raise UnknownAccount(name)
        with self._lock:
            built = self._built.get(name)
            if built is None:
                built = self._built[name] = self._build(spec)
        return built

    def _spec(self, name: str) -> Account | None:
        """The account ``name``; a sandbox account is no account outside local and test."""
        spec = self.settings.accounts.get(name)
        return None if isinstance(spec, SandboxAccount) and not self.local else spec

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in self.settings.accounts if self._spec(n) is not None)

    def check(self) -> None:
        """Build every provider now: every key parses (a deploy's smoke check)."""
        for name in self.names():
            self.account(name)

    def wechat_oauth(self, name: str) -> WeChatOAuth:
        """The OAuth step (the payer's openid) of WeChat Pay account ``name``."""
        from portal.billing.providers.wechat_oauth import WeChatOAuth

        spec = self.settings.accounts.get(name)
        if not isinstance(spec, WeChatAccount):
            raise UnknownAccount(name)
        return WeChatOAuth(spec.appid, spec.app_secret, self.transport)

    def _build(self, spec: Account) -> PaymentProvider:
        from portal.billing.providers import crypto

        if isinstance(spec, AlipayAccount):
            from portal.billing.providers.alipay import AlipayProvider

            return AlipayProvider(
                spec,
                self._private(spec.private_key, f"alipay:{spec.name}:app"),
                self._public(spec.alipay_public_key, f"alipay:{spec.name}:alipay"),
                self.transport, self.clock, require_https=not self.local,
            )  # fmt: skip
        if isinstance(spec, WeChatAccount):
            from portal.billing.providers.wechat import WeChatPayProvider

            if not spec.apiv3_key and self.local:
                spec = replace(spec, apiv3_key=crypto.throwaway_secret(f"wechat:{spec.name}"))

            return WeChatPayProvider(
                spec,
                self._private(spec.private_key, f"wechat:{spec.name}:merchant"),
                {kid: self._public(pem, f"wechat:{spec.name}:platform:{kid}")
                 for kid, pem in spec.platform_public_keys.items()},
                self.transport, self.clock, require_https=not self.local,
            )  # fmt: skip
        if self._sandbox is None:
            raise UnknownAccount(spec.name)
        return self._sandbox(spec.name)

    def _private(self, text: str, purpose: str) -> crypto.PrivateKey:
        from portal.billing.providers import crypto

        if not text:
            if not self.local:
                raise crypto.KeyMaterialError(f"{purpose}: no key")
            return crypto.throwaway_key(purpose)
        return crypto.load_private_key(text)

    def _public(self, text: str, purpose: str) -> crypto.PublicKey:
        from portal.billing.providers import crypto

        if not text:
            if not self.local:
                raise crypto.KeyMaterialError(f"{purpose}: no key")
            return crypto.throwaway_key(purpose).public_key()
        return crypto.load_public_key(text)
