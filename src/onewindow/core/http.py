def client_ip(request) -> str | None:
    """The address the request came from; behind a proxy, the proxy must set REMOTE_ADDR correctly."""
    return request.META.get("REMOTE_ADDR") or None
