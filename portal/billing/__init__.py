"""Bills and payments (缴费).

- :mod:`~portal.billing.providers`: the payment providers (Alipay, WeChat Pay, the local
  sandbox) behind one interface, :mod:`portal.billing.providers.base`.
"""
