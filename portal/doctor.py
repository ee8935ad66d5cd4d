"""``portal doctor --stage S``: is this stage's configuration sound, before and after a deployment?

It reads what the function will be given (the stage in ``infra/zappa_settings.json``),
resolves the secrets it names, and asks AWS about what the template made. Each check
gives a :class:`Finding`: ``ok``, ``warn`` (works, but read this) or ``fail`` (fix it
before going live), with a message from the catalogs (``ops.doctor.*``: what is wrong
and what to do, zh-CN first).

=======================  ==============================================================
check                    fails when
=======================  ==============================================================
settings                 the stage is missing, ``PORTAL_STAGE`` differs, the site URL is
                         not ``https://``, a bucket name is not one (uploads, site), no
                         CloudFront distribution for publishing, the events are not the
                         job table, a secret's value is written in the file
secrets                  a required one has no ``_REF``, a reference cannot be read, or
                         the settings refuse the values (too short, the development key)
table                    missing, not ACTIVE, another key schema, an index missing or not
                         ACTIVE, TTL off, point-in-time recovery off
buckets                  missing; uploads: no CORS for the site's origin, no expiry of
                         ``uploads/``, public access not blocked
origin secret            not set in prod (in dev: a warning, viewers then share
                         CloudFront's address)
SMS                      (warning) the account's SNS SMS sandbox: only verified numbers
function                 (after ``zappa deploy``) holds a secret's value in its environment
=======================  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from portal.infra import names
from portal.jobs import zappa_events
from portal.settings import ConfigurationError, Settings
from portal.store.deployment import Deployment, DeploymentUnreadable
from portal.store.secrets import REF_SUFFIX, SecretUnavailable, references, resolve
from portal.store.tables import MAIN
from portal.uploads.keys import INCOMING

Level = Literal["ok", "warn", "fail"]
_BUCKET = re.compile(r"^(?!xn--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class Finding:
    level: Level
    key: str
    """``ops.doctor.<key>`` in the catalogs."""
    params: Mapping[str, Any] = field(default_factory=dict)


def _f(level: Level, key: str, **params: Any) -> Finding:
    return Finding(level, key, params)


def check(stage: str, stages: Mapping[str, Any], deployment: Deployment,
          secret_clients: Callable[[str], Any]) -> list[Finding]:  # fmt: skip
    """Every finding for ``stage`` of ``stages`` (zappa_settings.json), config first."""
    cfg = stages.get(stage)
    if not isinstance(cfg, Mapping):
        return [_f("fail", "stage_unknown", stage=stage, known=", ".join(stages))]
    env: dict[str, str] = dict(cfg.get("environment_variables", {}))
    found = list(_settings(stage, cfg, env))
    values = _secrets(stage, env, secret_clients, found)
    if values is not None:
        found += _settings_accept(stage, env, values, cfg.get("aws_region", ""))
    found += _aws(stage, env, deployment)
    return found


def _settings(stage: str, cfg: Mapping[str, Any], env: Mapping[str, str]) -> Iterator[Finding]:
    if env.get("PORTAL_STAGE") != stage:
        yield _f("fail", "stage_mismatch", stage=stage, value=env.get("PORTAL_STAGE", ""))
    site = env.get("PORTAL_SITE_URL", "")
    yield (_f("ok", "site_url_ok", url=site) if site.startswith("https://")
           else _f("fail", "site_url_not_https", url=site or "-"))  # fmt: skip
    if env.get("PORTAL_TABLE_PREFIX", names.table_prefix(stage)) != names.table_prefix(stage):
        yield _f("warn", "table_prefix", prefix=env["PORTAL_TABLE_PREFIX"],
                 expected=names.table_prefix(stage))  # fmt: skip
    for what, name in (("s3_bucket", cfg.get("s3_bucket", "")),
                       ("PORTAL_UPLOADS_BUCKET", env.get("PORTAL_UPLOADS_BUCKET", "")),
                       ("PORTAL_SITE_BUCKET", env.get("PORTAL_SITE_BUCKET", ""))):  # fmt: skip
        if not _BUCKET.match(name or ""):
            yield _f("fail", "bucket_name_invalid", what=what, name=name or "-")
    yield (_f("ok", "distribution_set", id=env["PORTAL_CLOUDFRONT_DISTRIBUTION"])
           if env.get("PORTAL_CLOUDFRONT_DISTRIBUTION")
           else _f("fail", "distribution_missing", setting="PORTAL_CLOUDFRONT_DISTRIBUTION"))  # fmt: skip
    if cfg.get("events") != zappa_events():
        yield _f("fail", "events_stale")
    if cfg.get("manage_roles", True):
        yield _f("warn", "roles_managed_by_zappa", role=names.role_name(stage))
    if cfg.get("lambda_handler") != names.LAMBDA_HANDLER:
        yield _f("warn", "handler_setting", value=cfg.get("lambda_handler", "-"),
                 expected=names.LAMBDA_HANDLER)  # fmt: skip


def _secrets(stage: str, env: dict[str, str], clients: Callable[[str], Any],
             found: list[Finding]) -> dict[str, str] | None:  # fmt: skip
    """The secrets' values (None when one is missing or unreadable: findings say which)."""
    ok = True
    for secret in names.SECRETS:
        if env.get(secret.setting):
            found.append(_f("fail", "secret_inline", setting=secret.setting))
            ok = False
        elif not env.get(secret.setting + REF_SUFFIX):
            level: Level = "fail" if stage in secret.required_in else "warn"
            found.append(_f(level, f"secret_missing_{secret.name}", setting=secret.setting,
                            ref=names.secret_reference(stage, secret), how=secret.how))  # fmt: skip
            ok = ok and level == "warn"
    try:
        values = resolve(references(env), clients)
    except SecretUnavailable as exc:
        found.append(_f("fail", "secret_unreadable", setting=exc.setting,
                        ref=exc.reference, reason=exc.reason))  # fmt: skip
        return None
    for setting in values:
        found.append(_f("ok", "secret_readable", setting=setting))
        if setting == "PORTAL_PHONE_HASH_KEY" and len(values[setting].encode()) < _MIN_KEY_BYTES:
            found.append(_f("fail", "secret_too_short", setting=setting, bytes=_MIN_KEY_BYTES))
            ok = False
    return values if ok else None


def _settings_accept(stage: str, env: Mapping[str, str], values: Mapping[str, str],
                     region: str) -> Iterator[Finding]:  # fmt: skip
    plain = {k: v for k, v in env.items() if not k.endswith(REF_SUFFIX)}
    try:
        settings = Settings.from_env({**plain, **values, "AWS_REGION": region or "ap-east-1"})
    except ConfigurationError as exc:
        yield _f("fail", "settings_refused", problem=str(exc))
        return
    yield _f("ok", "settings_accepted", stage=stage)
    if settings.behind_cdn:
        yield _f("ok", "origin_secret_set")


def _aws(stage: str, env: Mapping[str, str], deployment: Deployment) -> Iterator[Finding]:
    prefix = env.get("PORTAL_TABLE_PREFIX", names.table_prefix(stage))
    yield from _guarded("table", lambda: _table(deployment, f"{prefix}{MAIN.suffix}"))
    site_origin = "/".join(env.get("PORTAL_SITE_URL", "").split("/")[:3])
    uploads = env.get("PORTAL_UPLOADS_BUCKET", names.bucket_name(stage, "uploads"))
    yield from _guarded("uploads", lambda: _uploads(deployment, uploads, site_origin))
    site = env.get("PORTAL_SITE_BUCKET", names.bucket_name(stage, "site"))
    for bucket in (site, names.bucket_name(stage, "zappa")):
        yield from _guarded(bucket, lambda b=bucket: _exists(deployment, b))  # type: ignore[misc]
    yield from _guarded("sns", lambda: [
        _f("warn", "sms_sandbox") if deployment.sms_sandbox() else _f("ok", "sms_live")])
    yield from _guarded("lambda", lambda: _function(deployment, stage))


def _guarded(what: str, checks: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return checks()
    except DeploymentUnreadable as exc:
        return [_f("warn", "unreadable", what=exc.what or what, reason=exc.reason)]


def _table(deployment: Deployment, name: str) -> list[Finding]:
    t = deployment.table(name)
    if t is None:
        return [_f("fail", "table_missing", table=name)]
    out = [_f("ok" if t.status == "ACTIVE" else "fail", "table_status", table=name,
              status=t.status)]  # fmt: skip
    if t.key_schema != MAIN.create_table_kwargs(name)["KeySchema"]:
        out.append(_f("fail", "table_keys", table=name))
    for index in (g.name for g in MAIN.gsis):
        status = t.indexes.get(index, "MISSING")
        out.append(_f("ok" if status == "ACTIVE" else "fail", "index_status", index=index,
                      status=status))  # fmt: skip
    out.append(_f("ok", "ttl_on", attribute=MAIN.ttl_attribute)
               if t.ttl_attribute == MAIN.ttl_attribute
               else _f("fail", "ttl_off", table=name, attribute=MAIN.ttl_attribute))  # fmt: skip
    out.append(_f("ok", "pitr_on") if t.point_in_time_recovery
               else _f("fail", "pitr_off", table=name))  # fmt: skip
    return out


def _uploads(deployment: Deployment, name: str, site_origin: str) -> list[Finding]:
    b = deployment.bucket(name)
    if b is None:
        return [_f("fail", "bucket_missing", bucket=name)]
    return [
        _f("ok", "bucket_ok", bucket=name),
        _f("ok", "cors_ok", origin=site_origin) if site_origin in b.cors_origins
        else _f("fail", "cors_missing", bucket=name, origin=site_origin or "-"),
        _f("ok", "expiry_ok") if f"{INCOMING}/" in b.expiring_prefixes
        else _f("fail", "expiry_missing", bucket=name, prefix=f"{INCOMING}/"),
        _f("ok", "public_blocked", bucket=name) if b.public_access_blocked
        else _f("fail", "public_not_blocked", bucket=name),
    ]  # fmt: skip


def _exists(deployment: Deployment, name: str) -> list[Finding]:
    if deployment.bucket(name) is None:
        return [_f("fail", "bucket_missing", bucket=name)]
    return [_f("ok", "bucket_ok", bucket=name)]


def _function(deployment: Deployment, stage: str) -> list[Finding]:
    name = names.function_name(stage)
    fn = deployment.function(name)
    if fn is None:
        return [_f("warn", "function_missing", function=name, stage=stage)]
    held = [s.setting for s in names.SECRETS if s.setting in fn.environment]
    out = [_f("ok", "function_ok", function=name)]
    out += [_f("fail", "function_holds_secret", function=name, setting=s) for s in held]
    if not fn.role.endswith(f"/{names.role_name(stage)}"):
        out.append(_f("warn", "function_role", function=name, role=names.role_name(stage)))
    if fn.handler != names.LAMBDA_HANDLER:
        out.append(_f("warn", "function_handler", function=name, handler=fn.handler or "-",
                      expected=names.LAMBDA_HANDLER, stage=stage))  # fmt: skip
    return out
