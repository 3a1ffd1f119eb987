"""Failures of the Python worker's remote reads (aiohttp, fsspec, botocore, zarr) as one line
saying what was asked and what happened, never a traceback; URLs without user info or query."""


def _redact(url):
    """`url` without user info or query (where credentials could be)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return "(invalid URL)"


def describe(error, timeout_ms):
    """A one-line account of a failed remote request (what was asked, what happened), or None when
    `error` is not one. Looks through the exception's causes: zarr, fsspec and botocore wrap them.
    `timeout_ms` is the timeout the clients were given, for the message."""
    seen = set()
    chain = []
    e = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        chain.append(e)
        e = e.__cause__ or e.__context__
    for e in chain:
        name = type(e).__name__
        module = type(e).__module__ or ""
        if module.startswith("aiohttp"):
            if hasattr(e, "status") and hasattr(e, "request_info") and e.status:
                info = e.request_info
                return f"{info.method} {_redact(info.real_url)}: {e.status} {e.message or ''}".rstrip() + " (no retries)"
            if name in ("ClientConnectorError", "ClientConnectionError", "ClientOSError") and hasattr(e, "host"):
                reason = "connection refused" if isinstance(getattr(e, "os_error", None), ConnectionRefusedError) else (getattr(e, "strerror", None) or str(e))
                return f"cannot connect to {e.host}:{e.port}: {reason}"
            if name in ("ClientPayloadError", "ServerDisconnectedError"):
                return f"connection closed mid-answer ({name}: {e})"
            if name == "ServerTimeoutError":
                return f"no answer within {timeout_ms} ms (timeout, no retries)"
        if name == "FSTimeoutError" or isinstance(e, TimeoutError):
            return f"no answer within {timeout_ms} ms (timeout, no retries)"
        if module.startswith("botocore") or module.startswith("urllib3"):
            if name == "ClientError":
                status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                code = e.response.get("Error", {}).get("Code", "")
                op = getattr(e, "operation_name", "request")
                return f"S3 answered {status} ({code or 'no code'}) to {op} (one attempt, no retries)"
            if name in ("ReadTimeoutError", "ConnectTimeoutError"):
                return f"{_redact(getattr(e, 'kwargs', {}).get('endpoint_url', '')) or 'S3'}: no answer within {timeout_ms} ms (timeout, no retries)"
            if name == "EndpointConnectionError":
                return f"cannot connect to {_redact(e.kwargs.get('endpoint_url', ''))}: connection refused or unreachable"
            if name in ("ResponseStreamingError", "ProtocolError", "IncompleteReadError"):
                return f"connection closed mid-answer ({name})"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if name == "ArrayNotFoundError":
            return "no Zarr array there (its .zarray is missing: 404)"
    return None
