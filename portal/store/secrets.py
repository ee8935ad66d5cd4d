"""Secrets by reference: ``PORTAL_X_REF=ssm:/owner-portal/prod/x`` instead of ``PORTAL_X``.

``infra/zappa_settings.json`` names where each secret lives, never its value; the
function reads the values at start (one ``GetParameters`` call for every SSM name,
one ``GetSecretValue`` per Secrets Manager name) with its own role, and
:meth:`portal.settings.Settings.from_env` sees them as if they were set directly.

==================================  =============================================
reference                           read from
==================================  =============================================
``ssm:/owner-portal/<stage>/name``  SSM Parameter Store (SecureString, decrypted)
``secretsmanager:owner-portal/...`` Secrets Manager, the secret's string (the store
                                    to use in the AWS China regions, where SSM has
                                    no SecureStrings)
==================================  =============================================

A setting given directly wins over its reference (tests, benchmarks, a local
override). A reference that cannot be read is a :class:`SecretUnavailable`
naming the setting, the reference and the reason; never a value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

REF_SUFFIX = "_REF"
STORES = ("ssm", "secretsmanager")
_SSM_BATCH = 10  # GetParameters takes at most ten names


class SecretUnavailable(Exception):
    def __init__(self, setting: str, reference: str, reason: str) -> None:
        super().__init__(f"{setting}{REF_SUFFIX}={reference}: {reason}")
        self.setting, self.reference, self.reason = setting, reference, reason


def references(env: Mapping[str, str]) -> dict[str, str]:
    """``{setting: reference}`` for every ``PORTAL_*_REF`` that is set and not overridden."""
    return {
        key[: -len(REF_SUFFIX)]: value
        for key, value in env.items()
        if key.startswith("PORTAL_") and key.endswith(REF_SUFFIX) and value
        and not env.get(key[: -len(REF_SUFFIX)])
    }  # fmt: skip


def parse(setting: str, reference: str) -> tuple[str, str]:
    """``ssm:/a/b`` → ``("ssm", "/a/b")``; :class:`SecretUnavailable` for anything else."""
    store, _, name = reference.partition(":")
    if store not in STORES or not name:
        raise SecretUnavailable(setting, reference,
                                "not ssm:/<name> or secretsmanager:<name>")  # fmt: skip
    return store, name


def resolve(refs: Mapping[str, str], client: Callable[[str], Any]) -> dict[str, str]:
    """``{setting: value}`` for ``refs``; ``client(store)`` gives the store's boto3 client."""
    wanted = {setting: parse(setting, ref) for setting, ref in refs.items()}
    out: dict[str, str] = {}
    ssm_names = sorted({name for store, name in wanted.values() if store == "ssm"})
    found: dict[str, str] = {}
    for i in range(0, len(ssm_names), _SSM_BATCH):
        batch = ssm_names[i : i + _SSM_BATCH]
        try:
            got = client("ssm").get_parameters(Names=batch, WithDecryption=True)
        except (ClientError, BotoCoreError) as exc:
            setting = next(s for s, (st, n) in wanted.items() if st == "ssm" and n in batch)
            raise SecretUnavailable(setting, refs[setting], _reason(exc)) from None
        found |= {p["Name"]: p["Value"] for p in got.get("Parameters", [])}
    for setting, (store, name) in wanted.items():
        if store == "ssm":
            if name not in found:
                raise SecretUnavailable(setting, refs[setting], "no such parameter")
            out[setting] = found[name]
            continue
        try:
            out[setting] = client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
        except (ClientError, BotoCoreError, KeyError) as exc:
            raise SecretUnavailable(setting, refs[setting], _reason(exc)) from None
    return out


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "error"))
    return type(exc).__name__
