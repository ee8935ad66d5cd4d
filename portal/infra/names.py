"""Names both halves of a deployment must agree on: the template, ``zappa_settings.json``
and ``portal doctor`` all take them from here.

================================  ================================================
what                              name (``<stage>``: dev or prod)
================================  ================================================
table                             ``portal-<stage>-main`` (``PORTAL_TABLE_PREFIX``)
Lambda function (Zappa's)         ``<project>-<stage>``, ``<project>`` = ``owner-portal``
its execution role                ``<project>-<stage>-ZappaLambdaExecutionRole``
                                  (made by the template; Zappa's ``manage_roles`` off)
buckets                           ``<prefix>-<stage>-site``, ``-uploads``, ``-zappa``;
                                  ``<prefix>`` = ``owner-portal`` unless taken (bucket
                                  names are global: then choose one and say it in both
                                  the stack's ``BucketPrefix`` and zappa_settings.json)
secrets                           SSM Parameter Store SecureStrings under
                                  ``/owner-portal/<stage>/`` (or Secrets Manager
                                  ``owner-portal/<stage>/...``), referenced by name
================================  ================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.store.tables import MAIN

PROJECT = "owner-portal"
"""Zappa's ``project_name``: the function is ``<project>-<stage>``."""
BUCKET_PREFIX = PROJECT
BUCKET_ROLES = ("site", "uploads", "zappa")
SECRETS_PATH = f"/{PROJECT}"


def table_prefix(stage: str) -> str:
    """``PORTAL_TABLE_PREFIX`` of a stage (the settings' default too)."""
    return f"portal-{stage}-"


def table_name(stage: str) -> str:
    return f"{table_prefix(stage)}{MAIN.suffix}"


LAMBDA_HANDLER = "functions.lambda_entry.lambda_handler"
"""The function's handler (Zappa's ``lambda_handler`` setting): Zappa's own, behind the
package's generated-code cache (:mod:`functions.lambda_entry`)."""


def function_name(stage: str, project: str = PROJECT) -> str:
    return f"{project}-{stage}"


def role_name(stage: str, project: str = PROJECT) -> str:
    """The name Zappa looks the execution role up by when it does not manage roles."""
    return f"{function_name(stage, project)}-ZappaLambdaExecutionRole"


def bucket_name(stage: str, role: str, prefix: str = BUCKET_PREFIX) -> str:
    if role not in BUCKET_ROLES:
        raise ValueError(f"no bucket for {role!r}")
    return f"{prefix}-{stage}-{role}"


@dataclass(frozen=True)
class Secret:
    setting: str
    """The environment variable that holds the value; ``<setting>_REF`` names where it lives."""
    name: str
    """Its name under the stage's path: ``/owner-portal/<stage>/<name>``."""
    required_in: tuple[str, ...]
    """The stages that refuse to start without it."""
    how: str
    """How to make a value (for the runbook and ``portal doctor``)."""


SECRETS: tuple[Secret, ...] = (
    Secret("PORTAL_PHONE_HASH_KEY", "phone-hash-key", ("dev", "prod"),
           "openssl rand -base64 48   # never change it: phone numbers are found by it"),
    Secret("PORTAL_ORIGIN_SECRET", "origin-secret", ("prod",),
           "openssl rand -base64 48   # also the stack parameter OriginSecret"),
)  # fmt: skip
"""Every secret of the portal. Payment keys join this table as the providers arrive."""


def secret_parameter(stage: str, secret: Secret) -> str:
    """The SSM parameter of a secret: ``/owner-portal/<stage>/<name>``."""
    return f"{SECRETS_PATH}/{stage}/{secret.name}"


def secret_reference(stage: str, secret: Secret) -> str:
    """The value of ``<setting>_REF`` in zappa_settings.json: ``ssm:/owner-portal/<stage>/...``."""
    return f"ssm:{secret_parameter(stage, secret)}"
