"""The payments part of the wiring: the providers of each account, the local sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.billing.providers.registry import PaymentProviders
    from portal.billing.providers.sandbox import SandboxProvider
    from portal.billing.wechat_payer import WeChatPayer
    from portal.tasks.runner import TaskKind

from portal.wiring.core import Core


class PaymentsWiring(Core):
    @cached_property
    def payment_providers(self) -> PaymentProviders:
        """The provider of each payment account (:mod:`portal.billing.providers.registry`)."""
        from portal.billing.providers.registry import PaymentProviders

        return PaymentProviders(self.settings.payments, self.payment_transport, self.clock,
                                local=self.settings.is_local,
                                sandbox=self._sandbox if self.settings.is_local else None)  # fmt: skip

    @cached_property
    def wechat_payer(self) -> WeChatPayer:
        """The payer's openid for JSAPI inside WeChat (the OAuth step)."""
        from portal.billing.wechat_payer import WeChatPayer

        return WeChatPayer(self.payment_providers, self.settings.site_url)

    def _sandbox(self, account: str) -> SandboxProvider:
        from portal.billing.providers.crypto import throwaway_key
        from portal.billing.providers.sandbox import SandboxProvider
        from portal.billing.providers.sandbox_store import SandboxStore

        return SandboxProvider(account, self.settings.site_url, SandboxStore(self.table, self.clock),
                               self.tasks, self.payment_transport, self.clock,
                               throwaway_key("sandbox"))  # fmt: skip

    def sandbox(self, account: str = "sandbox") -> SandboxProvider | None:
        """The sandbox provider of ``account`` (local and test only), else None."""
        from portal.billing.providers.registry import UnknownAccount
        from portal.billing.providers.sandbox import SandboxProvider

        try:
            provider = self.payment_providers.account(account)
        except UnknownAccount:
            return None
        return provider if isinstance(provider, SandboxProvider) else None

    def _sandbox_deliver(self, payload: Mapping[str, Any]) -> None:
        sandbox = self.sandbox(str(payload.get("account", "")))
        if sandbox is not None:
            sandbox.deliver(payload)

    def task_kinds(self) -> dict[str, TaskKind]:
        from portal.billing.providers.sandbox_store import NOTIFY_TASK as SANDBOX_NOTIFY
        from portal.tasks.runner import TaskKind

        kinds = super().task_kinds()
        if self.settings.is_local:
            kinds[SANDBOX_NOTIFY] = TaskKind(self._sandbox_deliver, max_attempts=6)
        return kinds
