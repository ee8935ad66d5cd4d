"""What the uploads bucket needs, said once: CORS for the site, expiry of unchecked uploads.

- **CORS**: the browser POSTs the form from the site's pages (another origin
  than the bucket's), so the bucket allows ``POST`` and ``GET`` from the site's
  origins only (:func:`portal.store.objects.cors_rules`).
- **Lifecycle**: what lands under ``uploads/`` and is never verified (a form
  abandoned, a refused file the browser sent again) expires after
  :data:`~portal.uploads.keys.INCOMING_EXPIRY_DAYS` day; ``verified/`` is kept.

``portal dev`` applies this to its S3 stand-in with :func:`prepare_bucket`; on
AWS the deployment's template (``portal.infra.storage``) converts the same rules
(and keeps public access blocked: every read is a presigned GET).

- **Origin**: the browser talks to the bucket at :func:`bucket_origin`, the
  regional virtual-hosted address the S3 client signs for (never the legacy
  global ``s3.amazonaws.com``, which opt-in regions such as ap-east-1 do not
  serve); the site's Content-Security-Policy admits exactly that origin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from portal.uploads.keys import INCOMING, INCOMING_EXPIRY_DAYS

if TYPE_CHECKING:  # `portal build` asks only for the origin
    from portal.store.objects import Bucket

EXPIRING: dict[str, int] = {f"{INCOMING}/": INCOMING_EXPIRY_DAYS}
"""Key prefix → days after which its objects expire."""


def bucket_origin(bucket: str, region: str, url_suffix: str = "") -> str:
    """``https://<bucket>.s3.<region>.<suffix>``: where presigned POSTs and GETs point
    (``amazonaws.com``, or ``amazonaws.com.cn`` in the China regions)."""
    suffix = url_suffix or ("amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com")
    return f"https://{bucket}.s3.{region}.{suffix}"


def uploads_origin(bucket: str, region: str, endpoint: str | None = None) -> str:
    """The origin the browser sends photos to and loads them from: a local stand-in's
    endpoint (``http://127.0.0.1:8002``), else :func:`bucket_origin`."""
    if endpoint:
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    return bucket_origin(bucket, region)


def prepare_bucket(bucket: Bucket, region: str, site_origins: Sequence[str]) -> bool:
    """Create the bucket if missing, with its CORS rules and lifecycle; True if created."""
    return bucket.ensure(region, site_origins, expiring=EXPIRING)
