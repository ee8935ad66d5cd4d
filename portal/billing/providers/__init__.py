"""Payment providers behind one interface (:mod:`.base`): what the billing ledger sees.

- :mod:`.base`: the types (``PaymentRequest``, ``PaymentStart``, ``Notification``,
  ``NotificationRejected``, ``ProviderError``, the ``PaymentProvider`` protocol) and the
  helpers every adapter shares (exact yuan ↔ fen, the ±5-minute window).
- :mod:`.config`: ``PORTAL_PAYMENTS``: which accounts each estate pays into, secrets by
  reference; fail closed outside local/test.
- :mod:`.registry`: the provider objects of a process, built lazily from the config.
- :mod:`.alipay`: ``alipay.trade.wap.pay``, notifications, query, refund (RSA2).
- :mod:`.wechat`, :mod:`.wechat_oauth`: WeChat Pay API v3 (H5, JSAPI, notifications,
  query, refund) and the OAuth step that gives the JSAPI payer's openid.
- :mod:`.sandbox`, :mod:`.sandbox_store`: the local stand-in (its page is
  :mod:`functions.sandbox_pay`).
- :mod:`.crypto`, :mod:`.signed`, :mod:`.http`: RSA/AES-GCM, header-signed bodies, the
  HTTP transport.

Nothing is imported with the package: :mod:`portal.settings` reads :mod:`.config` on every
cold start, and the adapters (and ``cryptography``) load when a provider is first built.
"""
