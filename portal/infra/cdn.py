"""CloudFront in front of both halves: the site bucket and, under ``/api/*``, API Gateway.

- ``/*`` → the site bucket through origin access control (the bucket stays private); a
  viewer-request function maps ``/x/`` to ``/x/index.html`` and ``/x`` to ``/x/`` as the
  local server does; cached by the objects' own ``Cache-Control`` (``portal publish``
  sets one year for hashed assets, a minute for pages).
- ``/api/*`` → the Zappa API (``ApiDomainName``, stage path ``/<Stage>``), never cached,
  HTTPS only, with the origin custom header :data:`ORIGIN_SECRET_HEADER` whose value is
  the ``NoEcho`` parameter ``OriginSecret`` (filled at deploy from the secret store:
  ``{{resolve:ssm-secure:...}}`` is not accepted in origin custom headers, and SSM
  SecureStrings are not offered in the China regions), and an origin request policy that
  forwards :data:`API_FORWARDED_HEADERS`, every cookie and query string, and not ``Host``
  (API Gateway answers only its own host name).
- Every answer carries the security headers: the site's Content-Security-Policy
  (:mod:`portal.site.security`) admitting the uploads bucket's origin for photos,
  HSTS, ``nosniff``, the referrer policy and ``frame-ancestors 'none'`` (plus
  ``X-Frame-Options: DENY`` for old browsers).

**The China regions** (``china=True``, ``infra/template.cn.yaml``) have neither origin
access control nor CloudFront Functions: the site bucket is read through an origin access
identity, and there is no index rewrite, so only ``/`` (``DefaultRootObject``) and full
``.../index.html`` paths are served from folders there (docs/DEPLOY.md says what to do).

The ``/api/*`` parts exist only once ``ApiDomainName`` is given (condition ``HasApi``):
the first deployment makes the data, the role and the site's distribution, then
``zappa deploy`` makes the API, then the stack is updated with its domain name.
"""

from __future__ import annotations

from portal.infra.cfn import Json, get_att, if_, ref, sub
from portal.site.security import SECURITY_HEADERS, policy
from portal.uploads.bucket import bucket_origin

ORIGIN_SECRET_HEADER = "X-Portal-Origin-Secret"
"""As :data:`functions.edge.ORIGIN_SECRET_HEADER` (a test keeps them equal)."""
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"
"""As :data:`functions.edge.VIEWER_ADDRESS_HEADER`: without it every viewer shares CloudFront's
address, and so its rate limits."""

API_FORWARDED_HEADERS: tuple[str, ...] = (
    "Accept-Language",
    "Content-Type",
    "Origin",  # the state-changing requests' origin check
    "Referer",  # its fallback
    "X-CSRF-Token",
    VIEWER_ADDRESS_HEADER,
)
"""Viewer headers the API sees. CloudFront allows 10 per policy unless raised: a payment
provider whose notifications are signed in headers adds its own here (and to the test)."""

UPLOADS_ORIGIN = bucket_origin("${BucketPrefix}-${Stage}-uploads", "${AWS::Region}",
                               "${AWS::URLSuffix}")  # fmt: skip
"""The uploads bucket's origin, with the stack's parameters (a ``Fn::Sub`` string)."""

HSTS_MAX_AGE_S = 63_072_000  # two years

INDEX_FUNCTION = """\
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: {location: {value: uri + '/'}, 'cache-control': {value: 'max-age=3600'}}
    };
  }
  return request;
}
"""
"""``/x/`` is ``x/index.html``; ``/x`` (no extension) is the folder ``/x/``."""


def security_headers_policy() -> Json:
    csp = policy(header=True, media_origins=[UPLOADS_ORIGIN])
    return {
        "Type": "AWS::CloudFront::ResponseHeadersPolicy",
        "Properties": {"ResponseHeadersPolicyConfig": {
            "Name": sub("${ProjectName}-${Stage}-security-headers"),
            "Comment": "CSP (site + uploads bucket), HSTS, nosniff, referrer, frame-ancestors",
            "SecurityHeadersConfig": {
                "ContentSecurityPolicy": {"ContentSecurityPolicy": sub(csp), "Override": True},
                "ContentTypeOptions": {"Override": True},
                "FrameOptions": {"FrameOption": "DENY", "Override": True},
                "ReferrerPolicy": {"ReferrerPolicy": SECURITY_HEADERS["Referrer-Policy"],
                                   "Override": True},
                "StrictTransportSecurity": {"AccessControlMaxAgeSec": HSTS_MAX_AGE_S,
                                            "IncludeSubdomains": False, "Preload": False,
                                            "Override": True},
            },
        }},
    }  # fmt: skip


def _cache_policy(name: str, default_s: int, max_s: int) -> Json:
    cached = max_s > 0
    return {
        "Type": "AWS::CloudFront::CachePolicy",
        "Properties": {"CachePolicyConfig": {
            "Name": sub(f"${{ProjectName}}-${{Stage}}-{name}"),
            "MinTTL": 0, "DefaultTTL": default_s, "MaxTTL": max_s,
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": cached,
                "EnableAcceptEncodingBrotli": cached,
                "HeadersConfig": {"HeaderBehavior": "none"},
                "CookiesConfig": {"CookieBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "none"},
            },
        }},
    }  # fmt: skip


def api_origin_request_policy() -> Json:
    return {
        "Type": "AWS::CloudFront::OriginRequestPolicy",
        "Condition": "HasApi",
        "Properties": {"OriginRequestPolicyConfig": {
            "Name": sub("${ProjectName}-${Stage}-api"),
            "Comment": "The API: its headers (not Host), the viewer's address, cookies, queries",
            "HeadersConfig": {"HeaderBehavior": "whitelist",
                              "Headers": list(API_FORWARDED_HEADERS)},
            "CookiesConfig": {"CookieBehavior": "all"},
            "QueryStringsConfig": {"QueryStringBehavior": "all"},
        }},
    }  # fmt: skip


def _site_origin(china: bool) -> Json:
    origin = {"Id": "site", "DomainName": get_att("SiteBucket", "RegionalDomainName")}
    if china:
        identity = sub("origin-access-identity/cloudfront/${SiteOriginAccessIdentity}")
        return {**origin, "S3OriginConfig": {"OriginAccessIdentity": identity}}
    return {**origin, "S3OriginConfig": {"OriginAccessIdentity": ""},
            "OriginAccessControlId": get_att("SiteOriginAccessControl", "Id")}  # fmt: skip


def _api_origin() -> Json:
    return {
        "Id": "api",
        "DomainName": ref("ApiDomainName"),
        "OriginPath": sub("/${Stage}"),
        "CustomOriginConfig": {
            "OriginProtocolPolicy": "https-only",
            "OriginSSLProtocols": ["TLSv1.2"],
            "HTTPSPort": 443,
            "OriginReadTimeout": 30,
        },
        "OriginCustomHeaders": [{"HeaderName": ORIGIN_SECRET_HEADER,
                                 "HeaderValue": ref("OriginSecret")}],
    }  # fmt: skip


def _api_behaviour() -> Json:
    return {
        "PathPattern": "/api/*",
        "TargetOriginId": "api",
        "ViewerProtocolPolicy": "https-only",  # a redirected POST would lose its body
        "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
        "CachedMethods": ["GET", "HEAD"],
        "Compress": False,
        "CachePolicyId": ref("ApiCachePolicy"),
        "OriginRequestPolicyId": ref("ApiOriginRequestPolicy"),
        "ResponseHeadersPolicyId": ref("SecurityHeadersPolicy"),
    }


def _certificate() -> Json:
    common = {"SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}
    return if_("HasAcmCertificate",
               {"AcmCertificateArn": ref("AcmCertificateArn"), **common},
               {"IamCertificateId": ref("IamCertificateId"), **common})  # fmt: skip


def distribution(china: bool = False) -> Json:
    index = {"FunctionAssociations": [{
        "EventType": "viewer-request", "FunctionARN": get_att("IndexFunction", "FunctionARN"),
    }]}  # fmt: skip
    return {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {"DistributionConfig": {
            "Enabled": True,
            "Comment": sub("${ProjectName} ${Stage}"),
            "Aliases": [ref("SiteDomainName")],
            "ViewerCertificate": _certificate(),
            "HttpVersion": "http2",
            "IPV6Enabled": True,
            "PriceClass": ref("PriceClass"),
            "DefaultRootObject": "index.html",
            "Origins": [_site_origin(china), if_("HasApi", _api_origin())],
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "AllowedMethods": ["GET", "HEAD"],
                "CachedMethods": ["GET", "HEAD"],
                "Compress": True,
                "CachePolicyId": ref("SiteCachePolicy"),
                "ResponseHeadersPolicyId": ref("SecurityHeadersPolicy"),
                **({} if china else index),
            },
            "CacheBehaviors": if_("HasApi", [_api_behaviour()]),
        }},
    }  # fmt: skip


def _site_access(china: bool) -> dict[str, Json]:
    if china:
        return {"SiteOriginAccessIdentity": {
            "Type": "AWS::CloudFront::CloudFrontOriginAccessIdentity",
            "Properties": {"CloudFrontOriginAccessIdentityConfig": {
                "Comment": sub("${ProjectName}-${Stage} site"),
            }},
        }}  # fmt: skip
    return {
        "SiteOriginAccessControl": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {"OriginAccessControlConfig": {
                "Name": sub("${ProjectName}-${Stage}-site"),
                "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always",
                "SigningProtocol": "sigv4",
            }},
        },
        "IndexFunction": {
            "Type": "AWS::CloudFront::Function",
            "Properties": {
                "Name": sub("${ProjectName}-${Stage}-index"),
                "AutoPublish": True,
                "FunctionConfig": {"Comment": "/x/ -> /x/index.html; /x -> /x/",
                                   "Runtime": "cloudfront-js-2.0"},
                "FunctionCode": INDEX_FUNCTION,
            },
        },
    }  # fmt: skip


def resources(china: bool = False) -> dict[str, Json]:
    return {
        **_site_access(china),
        "SiteCachePolicy": _cache_policy("site", 60, 31_536_000),
        "ApiCachePolicy": _cache_policy("api", 0, 0),
        "ApiOriginRequestPolicy": api_origin_request_policy(),
        "SecurityHeadersPolicy": security_headers_policy(),
        "Distribution": distribution(china),
    }  # fmt: skip
