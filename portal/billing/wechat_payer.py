"""The WeChat payer's openid, for JSAPI payments inside WeChat's in-app browser.

WeChat Pay refuses H5 payment inside WeChat; JSAPI needs the payer's openid for the
official account of the estate's WeChat Pay account, which only WeChat's silent web
OAuth gives (:mod:`portal.billing.providers.wechat_oauth`). :meth:`WeChatPayer.start`
gives the address to send the owner to and a fresh ``state`` (the route keeps it in a
short-lived cookie: the CSRF guard of the step); :meth:`WeChatPayer.finish` checks the
``state`` WeChat brings back and exchanges the code for the openid, which the route keeps
in an HttpOnly cookie for the payment it starts next (the page never sees it).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from portal.accounts import policy
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.accounts import offered
from portal.billing.model import UnitKey
from portal.billing.providers.registry import PaymentProviders
from portal.errors import Conflict, Forbidden

CALLBACK_PATH = "/api/payments/wechat/callback"


class WeChatPayer:
    def __init__(self, providers: PaymentProviders, site_url: str) -> None:
        self.providers, self.site_url = providers, site_url

    def _account(self, identity: Identity, unit: UnitKey) -> str:
        """The estate's WeChat Pay account, for an owner of ``unit`` (who is about to pay)."""
        target = Target(unit.estate, unit.building, unit.room)
        if not identity.is_owner or not policy.can(identity, "payment.create", target):
            raise Forbidden()
        provider = offered(self.providers, unit.estate, "wechat")
        if provider is None:
            raise Conflict("payment_provider_not_offered", provider="wechat")
        return provider.account

    def start(self, identity: Identity, unit: UnitKey) -> tuple[str, str]:
        """Where to send the owner (WeChat's authorize page), and the ``state`` to keep."""
        from portal.billing.providers.wechat_oauth import new_state

        oauth = self.providers.wechat_oauth(self._account(identity, unit))
        state = new_state()
        back = f"{self.site_url}{CALLBACK_PATH}?" + urlencode(
            {"estate": unit.estate, "building": unit.building, "room": unit.room})
        return oauth.authorize_url(back, state), state

    def finish(self, identity: Identity, unit: UnitKey, query: Mapping[str, str],
               expected_state: str) -> str:  # fmt: skip
        """The payer's openid; ``OAuthRefused`` or ``ProviderError`` when WeChat says no."""
        from portal.billing.providers.wechat_oauth import callback_code

        oauth = self.providers.wechat_oauth(self._account(identity, unit))
        return oauth.openid(callback_code(query, expected_state))
