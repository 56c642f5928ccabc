"""Security headers on every response (no inline script or style anywhere in the UI)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    # Without OIDC login; content_security_policy() adds the IdP's origin with it.
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def content_security_policy(settings) -> str:
    """With OIDC login the logout form ends at the IdP (RP-initiated logout): a form's
    redirect to another origin needs that origin in form-action."""
    if not settings.oidc_login:
        return CONTENT_SECURITY_POLICY
    issuer = urlsplit(settings.oidc_issuer)
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {issuer.scheme}://{issuer.netloc}")


def register(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = content_security_policy(app.config["MDK"])
        if current_user.is_authenticated or g.get("api_token") is not None:
            # Pages behind login may show patient data: no copy in the browser's disk cache
            # (shared ward computers), nor in a proxy's.
            response.headers["Cache-Control"] = "no-store"
        if app.config["MDK"].base_url.startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response
