"""The one S3 bucket helper: what the upload service asks of S3, and nothing more.

Like :class:`portal.store.table.Table` for DynamoDB, :class:`Bucket` wraps an
injected low-level client (from :mod:`portal.store.client`, with its local
guard) and raises the store's own errors (:mod:`portal.store.errors`), so no
module outside ``portal/store`` touches botocore. The whole vocabulary:

==================  ===============================================================
``head``            size, content type, ETag and user metadata of an object, or None
``read``            a byte range of one version of an object (``If-Match`` its ETag)
``copy``            a server-side copy of one version (``x-amz-copy-source-if-match``),
                    with the content type, disposition and metadata replaced
``put``             write bytes the server made (a photo resized for phones)
``delete``          delete an object (deleting a missing one is not an error)
``presigned_post``  a browser form upload: URL + signed fields for a policy document
``presigned_get``   a time-limited GET URL with forced ``response-*`` headers
``ensure``          create the bucket if needed and set its CORS rules (local runs)
==================  ===============================================================

moto does not enforce presigned-POST policies, ``CopySourceIfMatch`` or CORS on
simple requests: the tests check the policy document and the parameters sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.store.errors import ObjectMissing, translated

CORS_MAX_AGE_S = 600


@dataclass(frozen=True)
class ObjectHead:
    key: str
    size: int
    content_type: str
    etag: str
    """As S3 returns it, quotes included: what ``If-Match`` expects."""
    metadata: Mapping[str, str] = field(default_factory=dict)
    """User metadata (``x-amz-meta-<name>``), names lower-case, without the prefix."""


@dataclass(frozen=True)
class PresignedForm:
    url: str
    fields: Mapping[str, str]


def cors_rules(origins: Sequence[str]) -> list[dict[str, Any]]:
    """The uploads bucket's CORS rules: only the site's own origins may POST forms and GET."""
    return [
        {
            "AllowedOrigins": list(origins),
            "AllowedMethods": ["POST", "GET"],
            "AllowedHeaders": ["*"],
            "MaxAgeSeconds": CORS_MAX_AGE_S,
        }
    ]


def lifecycle_rules(expiring: Mapping[str, int]) -> list[dict[str, Any]]:
    """Objects under each prefix expire after its number of days (abandoned uploads)."""
    return [
        {
            "ID": f"expire-{prefix.strip('/').replace('/', '-') or 'all'}",
            "Filter": {"Prefix": prefix},
            "Status": "Enabled",
            "Expiration": {"Days": days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
        }
        for prefix, days in expiring.items()
    ]


class Bucket:
    """One S3 bucket, through an injected low-level S3 client."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name

    def __repr__(self) -> str:
        return f"Bucket({self.name!r})"

    def head(self, key: str) -> ObjectHead | None:
        """The object's head, or None when there is no such object."""
        try:
            with translated():
                got = self.client.head_object(Bucket=self.name, Key=key)
        except ObjectMissing:
            return None
        return ObjectHead(
            key=key,
            size=int(got.get("ContentLength", 0)),
            content_type=str(got.get("ContentType", "")),
            etag=str(got.get("ETag", "")),
            metadata={str(k).lower(): str(v) for k, v in (got.get("Metadata") or {}).items()},
        )

    def read(self, key: str, start: int, end: int, *, if_match: str) -> bytes:
        """Bytes ``start`` to ``end`` (inclusive) of the version whose ETag is ``if_match``.

        :class:`~portal.store.errors.ObjectChanged` if the object was replaced since,
        :class:`~portal.store.errors.ObjectMissing` if it is gone.
        """
        with translated():
            got = self.client.get_object(
                Bucket=self.name, Key=key, Range=f"bytes={start}-{end}", IfMatch=if_match
            )
            data: bytes = got["Body"].read()
        return data

    def copy(self, source: str, key: str, *, if_match: str, content_type: str,
             metadata: Mapping[str, str], content_disposition: str = "",
             cache_control: str = "") -> None:  # fmt: skip
        """Copy the version of ``source`` whose ETag is ``if_match`` to ``key``, replacing its
        content type, disposition, cache control and metadata (``ObjectChanged`` otherwise)."""
        kwargs: dict[str, Any] = {
            "Bucket": self.name,
            "Key": key,
            "CopySource": {"Bucket": self.name, "Key": source},
            "CopySourceIfMatch": if_match,
            "MetadataDirective": "REPLACE",
            "ContentType": content_type,
            "Metadata": dict(metadata),
        }
        if content_disposition:
            kwargs["ContentDisposition"] = content_disposition
        if cache_control:
            kwargs["CacheControl"] = cache_control
        with translated():
            self.client.copy_object(**kwargs)

    def put(self, key: str, data: bytes, *, content_type: str,
            metadata: Mapping[str, str], cache_control: str = "") -> None:  # fmt: skip
        """Write ``data`` under ``key`` (a copy the server made, like a photo resized for phones)."""
        kwargs: dict[str, Any] = {"Bucket": self.name, "Key": key, "Body": data,
                                  "ContentType": content_type, "Metadata": dict(metadata)}  # fmt: skip
        if cache_control:
            kwargs["CacheControl"] = cache_control
        with translated():
            self.client.put_object(**kwargs)

    def delete(self, key: str) -> None:
        with translated():
            self.client.delete_object(Bucket=self.name, Key=key)

    def presigned_post(self, key: str, *, fields: Mapping[str, str],
                       conditions: Sequence[Any], expires_in: int) -> PresignedForm:  # fmt: skip
        """A form upload of exactly ``key``: botocore adds the ``bucket`` and ``key`` conditions
        and the signature's own fields to ``conditions``; no request is made."""
        with translated():
            got = self.client.generate_presigned_post(
                Bucket=self.name, Key=key, Fields=dict(fields),
                Conditions=list(conditions), ExpiresIn=expires_in,
            )  # fmt: skip
        return PresignedForm(url=str(got["url"]), fields={k: str(v) for k, v in got["fields"].items()})

    def presigned_get(self, key: str, *, expires_in: int, response: Mapping[str, str]) -> str:
        """A GET URL for ``key`` valid ``expires_in`` seconds; ``response`` sets the
        ``response-*`` overrides (``ResponseContentType``, ``ResponseContentDisposition``...)."""
        with translated():
            url: str = self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.name, "Key": key, **response},
                ExpiresIn=expires_in,
            )
        return url

    def ensure(self, region: str, cors_origins: Sequence[str],
               expiring: Mapping[str, int] | None = None) -> bool:  # fmt: skip
        """Create the bucket if it does not exist, set its CORS rules and expire the objects
        under each prefix of ``expiring`` after its number of days; True if created.

        For local runs (the S3 stand-in of ``portal dev``): on AWS the bucket, its CORS rules
        and its lifecycle are the deployment's, from the same :func:`cors_rules` and
        :func:`lifecycle_rules`.
        """
        created = False
        with translated():
            existing = {b["Name"] for b in self.client.list_buckets().get("Buckets", [])}
            if self.name not in existing:
                kwargs: dict[str, Any] = {"Bucket": self.name}
                if region != "us-east-1":
                    kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
                self.client.create_bucket(**kwargs)
                created = True
            self.client.put_bucket_cors(
                Bucket=self.name, CORSConfiguration={"CORSRules": cors_rules(cors_origins)}
            )
            if expiring:
                self.client.put_bucket_lifecycle_configuration(
                    Bucket=self.name,
                    LifecycleConfiguration={"Rules": lifecycle_rules(expiring)},
                )
        return created
