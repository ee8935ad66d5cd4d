"""The data: the DynamoDB table (from :data:`portal.store.tables.MAIN`) and the three buckets.

- **table**: on-demand, its indexes and TTL from the one definition, point-in-time
  recovery, deletion protection, kept when the stack goes (``Retain``);
- **site**: the built site, private, read only by CloudFront (origin access control),
  versioned so a bad publish can be undone (old versions kept 30 days);
- **uploads**: owners' photos, private, CORS for the site's origin only (POST of the
  presigned form, GET of presigned links), unverified uploads expire: both rules are
  those of :mod:`portal.uploads.bucket`, converted to CloudFormation's spelling;
- **zappa**: Zappa's deployment packages (deleted after a week).

Every bucket blocks public access, enforces bucket-owner ownership, encrypts at rest and
refuses requests that are not TLS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from portal.infra.cfn import Json, arn, get_att, ref, retained, sub
from portal.store.objects import cors_rules, lifecycle_rules
from portal.store.tables import MAIN
from portal.uploads.bucket import EXPIRING

SITE_VERSIONS_KEPT_DAYS = 30
PACKAGES_KEPT_DAYS = 7
SITE_ORIGIN = "https://${SiteDomainName}"
"""The site's one origin (the stack's ``SiteDomainName``): ``PORTAL_SITE_URL`` must be it."""


def bucket_name(role: str) -> Json:
    """A bucket's name from the stack's parameters (``<BucketPrefix>-<Stage>-<role>``);
    never a ``Ref`` to the bucket, so policies can name it without a dependency cycle."""
    return sub(f"${{BucketPrefix}}-${{Stage}}-{role}")


def table() -> Json:
    resource = MAIN.cloudformation(sub(f"portal-${{Stage}}-{MAIN.suffix}"))
    resource["Properties"]["DeletionProtectionEnabled"] = True
    resource["Properties"]["SSESpecification"] = {"SSEEnabled": True}
    return retained(resource)


def cfn_cors(rules: Sequence[Mapping[str, Any]]) -> list[Json]:
    """S3 API CORS rules (``put_bucket_cors``) in CloudFormation's spelling (an origin that
    names a parameter, ``https://${SiteDomainName}``, becomes a ``Fn::Sub``)."""
    return [
        {
            "AllowedOrigins": [sub(o) if "${" in o else o for o in r["AllowedOrigins"]],
            "AllowedMethods": list(r["AllowedMethods"]),
            "AllowedHeaders": list(r["AllowedHeaders"]),
            "MaxAge": r["MaxAgeSeconds"],
        }
        for r in rules
    ]


def cfn_lifecycle(rules: Sequence[Mapping[str, Any]]) -> list[Json]:
    """S3 API lifecycle rules (``put_bucket_lifecycle_configuration``) in CloudFormation's."""
    return [
        {
            "Id": r["ID"],
            "Prefix": r["Filter"]["Prefix"],
            "Status": r["Status"],
            "ExpirationInDays": r["Expiration"]["Days"],
            "AbortIncompleteMultipartUpload": dict(r["AbortIncompleteMultipartUpload"]),
        }
        for r in rules
    ]


def _private_bucket(role: str, **properties: Any) -> Json:
    return {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "BucketName": bucket_name(role),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}},
            ]},
            **properties,
        },
    }


def _tls_only(bucket: str) -> Json:
    return {
        "Sid": "TlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [get_att(bucket, "Arn"), sub(f"${{{bucket}.Arn}}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def site_bucket() -> Json:
    return retained(_private_bucket(
        "site",
        VersioningConfiguration={"Status": "Enabled"},
        LifecycleConfiguration={"Rules": [{
            "Id": "old-versions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": SITE_VERSIONS_KEPT_DAYS},
        }]},
    ))  # fmt: skip


def site_bucket_policy(china: bool = False) -> Json:
    """CloudFront (this distribution only) may read and list the site, but not the
    publisher's state under ``.portal/``; nothing else may.
    In the China regions: through the origin access identity (no origin access control)."""
    from_distribution = {"StringEquals": {
        "AWS:SourceArn": arn("cloudfront", "distribution/${Distribution}", region=False),
    }}  # fmt: skip
    reader: Json = {"Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Condition": from_distribution}  # fmt: skip
    if china:
        reader = {"Principal": {"CanonicalUser": get_att("SiteOriginAccessIdentity",
                                                         "S3CanonicalUserId")}}  # fmt: skip
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": ref("SiteBucket"),
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "CloudFrontReads", "Effect": "Allow", **reader,
                 "Action": "s3:GetObject", "Resource": sub("${SiteBucket.Arn}/*")},
                # Listing lets a missing page be a 404 rather than a 403.
                {"Sid": "CloudFrontLists", "Effect": "Allow", **reader,
                 "Action": "s3:ListBucket", "Resource": get_att("SiteBucket", "Arn")},
                # The publisher's state (portal.publishing.livesite) is not the site's.
                {"Sid": "StateStaysPrivate", "Effect": "Deny", **reader,
                 "Action": "s3:GetObject", "Resource": sub("${SiteBucket.Arn}/.portal/*")},
                _tls_only("SiteBucket"),
            ]},
        },
    }  # fmt: skip


def uploads_bucket() -> Json:
    return retained(_private_bucket(
        "uploads",
        CorsConfiguration={"CorsRules": cfn_cors(cors_rules([SITE_ORIGIN]))},
        LifecycleConfiguration={"Rules": cfn_lifecycle(lifecycle_rules(EXPIRING))},
    ))


def uploads_bucket_policy() -> Json:
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": ref("UploadsBucket"),
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [_tls_only("UploadsBucket")]},
        },
    }


def zappa_bucket() -> Json:
    return _private_bucket("zappa", LifecycleConfiguration={"Rules": [{
        "Id": "old-packages", "Status": "Enabled", "ExpirationInDays": PACKAGES_KEPT_DAYS,
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }]})  # fmt: skip


def resources(china: bool = False) -> dict[str, Json]:
    return {
        "Table": table(),
        "SiteBucket": site_bucket(),
        "SiteBucketPolicy": site_bucket_policy(china),
        "UploadsBucket": uploads_bucket(),
        "UploadsBucketPolicy": uploads_bucket_policy(),
        "ZappaBucket": zappa_bucket(),
    }
