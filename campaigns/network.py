"""The address a request came from, for the lock-out and the audit trail.

Behind nginx every request comes from the proxy; X-Forwarded-For is believed
only for as many proxies as ``TRUSTED_PROXY_COUNT`` says stand in front of the
portal, so a client cannot claim another address by sending the header itself.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the trusted proxy's record of it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            remote = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return ""
