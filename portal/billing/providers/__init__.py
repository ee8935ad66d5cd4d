"""Payment providers (Alipay, WeChat Pay, the local sandbox): one interface, :mod:`.base`."""
