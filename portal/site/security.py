"""The Content-Security-Policy of the static site, in one place.

Pages declare it in a ``<meta http-equiv>``; the local server and the CDN send
it as a header too (``frame-ancestors`` only works as a header). The site needs
no inline script or style: CSS and the small page scripts are files on the same
origin.
"""

CSP = (
    "default-src 'none'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "script-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'; "
    "manifest-src 'self'; "
    "base-uri 'none'"
)

CSP_HEADER = CSP + "; frame-ancestors 'none'"

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP_HEADER,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
