"""What ``portal doctor`` asks AWS about a deployment: read-only, one method a question.

Each answer is plain data, ``None`` when the thing does not exist, and a
:class:`DeploymentUnreadable` (the AWS error code, never a value) when it could
not be asked (no permission, no network, a service moto does not implement).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

Clients = Callable[[str], Any]
"""``clients(service)`` → a boto3 client (``dynamodb``, ``s3``, ``sns``, ``lambda``...)."""

_MISSING = {"ResourceNotFoundException", "NoSuchBucket", "404", "NotFound",
            "NoSuchCORSConfiguration", "NoSuchLifecycleConfiguration",
            "NoSuchPublicAccessBlockConfiguration", "ValidationError"}  # fmt: skip


class DeploymentUnreadable(Exception):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what, self.reason = what, reason


@dataclass(frozen=True)
class TableState:
    status: str
    key_schema: list[dict[str, str]]
    indexes: dict[str, str]
    """Index name → status."""
    ttl_attribute: str | None
    """The TTL attribute when TTL is enabled (or being enabled)."""
    point_in_time_recovery: bool


@dataclass(frozen=True)
class BucketState:
    cors_origins: list[str] = field(default_factory=list)
    expiring_prefixes: list[str] = field(default_factory=list)
    public_access_blocked: bool = False


@dataclass(frozen=True)
class FunctionState:
    environment: list[str]
    """The names of its environment variables (never their values)."""
    role: str
    handler: str = ""


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "error"))
    return type(exc).__name__


def _missing(exc: Exception) -> bool:
    return isinstance(exc, ClientError) and _code(exc) in _MISSING


class Deployment:
    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    def _ask(self, what: str, call: Callable[[], Any]) -> Any:
        """``call()``; None when the thing is missing; :class:`DeploymentUnreadable` else."""
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            if _missing(exc):
                return None
            raise DeploymentUnreadable(what, _code(exc)) from None
        except NotImplementedError:  # moto: an action it does not implement
            raise DeploymentUnreadable(what, "NotImplemented") from None

    def table(self, name: str) -> TableState | None:
        ddb = self.clients("dynamodb")
        got = self._ask(name, lambda: ddb.describe_table(TableName=name))
        if got is None:
            return None
        t = got["Table"]
        ttl = self._ask(name, lambda: ddb.describe_time_to_live(TableName=name))
        ttl_desc = (ttl or {}).get("TimeToLiveDescription", {})
        backups = self._ask(name, lambda: ddb.describe_continuous_backups(TableName=name))
        pitr = ((backups or {}).get("ContinuousBackupsDescription", {})
                .get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus"))  # fmt: skip
        return TableState(
            status=t["TableStatus"],
            key_schema=t["KeySchema"],
            indexes={g["IndexName"]: g.get("IndexStatus", "ACTIVE")
                     for g in t.get("GlobalSecondaryIndexes", [])},
            ttl_attribute=ttl_desc.get("AttributeName")
            if ttl_desc.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else None,
            point_in_time_recovery=pitr == "ENABLED",
        )

    def bucket(self, name: str) -> BucketState | None:
        s3 = self.clients("s3")
        if self._ask(name, lambda: s3.head_bucket(Bucket=name)) is None:
            return None
        cors = self._ask(name, lambda: s3.get_bucket_cors(Bucket=name)) or {}
        life = self._ask(name, lambda: s3.get_bucket_lifecycle_configuration(Bucket=name)) or {}
        block = self._ask(name, lambda: s3.get_public_access_block(Bucket=name)) or {}
        flags = block.get("PublicAccessBlockConfiguration", {})
        return BucketState(
            cors_origins=[o for r in cors.get("CORSRules", []) for o in r["AllowedOrigins"]],
            expiring_prefixes=[
                r.get("Filter", {}).get("Prefix", r.get("Prefix", ""))
                for r in life.get("Rules", [])
                if r.get("Status") == "Enabled" and "Expiration" in r
            ],
            public_access_blocked=len(flags) == 4 and all(flags.values()),
        )

    def sms_sandbox(self) -> bool:
        """Whether SNS still only texts verified numbers (the account's SMS sandbox)."""
        sns = self.clients("sns")
        got = self._ask("sns", lambda: sns.get_sms_sandbox_account_status())
        return bool(got and got.get("IsInSandbox"))

    def function(self, name: str) -> FunctionState | None:
        fn = self.clients("lambda")
        got = self._ask(name, lambda: fn.get_function_configuration(FunctionName=name))
        if got is None:
            return None
        return FunctionState(environment=sorted(got.get("Environment", {}).get("Variables", {})),
                             role=got.get("Role", ""), handler=got.get("Handler", ""))  # fmt: skip
