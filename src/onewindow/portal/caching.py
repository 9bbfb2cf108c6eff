"""Caching of the public pages.

A public page is the same for every visitor who reads it in the same language on the same day: it
never shows session data (no user, no CSRF token, no flash messages), so one rendering serves
everyone. Pages are stored in Django's cache under a key made of

* the *version token* (``CacheVersion``, one database row): a new random token whenever data that the
  public pages show changes (``public_data_changed``, called by this app's signals and services);
* the language, the day (the expected dates and "so far" counts depend on it), the scheme and host
  (feeds and the sitemap hold absolute addresses) and the path with its query string.

The token lives in the database, not in the cache, so that every server process sees a change at once
whatever cache backend each one has (the default in-process cache is private to each worker). It is
changed when the writing transaction commits, so a reader never stores the old data under the new
token. ``ONEWINDOW_PORTAL_CACHE_SECONDS`` bounds how long a page is kept (0 turns the cache off).
"""

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from onewindow.portal.models import CacheVersion

_ROW = 1
# Headers a stored page keeps; the rest (security headers, the CSP, Content-Language) are added by the
# middleware on every response, cached or not.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Robots-Tag", "Last-Modified")


def current_version() -> str:
    token = CacheVersion.objects.filter(pk=_ROW).values_list("token", flat=True).first()
    return token or "initial"


def _change_version() -> None:
    token, now = uuid.uuid4().hex, timezone.now()
    if CacheVersion.objects.filter(pk=_ROW).update(token=token, changed_at=now):
        return
    try:
        with transaction.atomic():
            CacheVersion.objects.create(pk=_ROW, token=token, changed_at=now)
    except IntegrityError:
        # Another process created the row in the meantime.
        CacheVersion.objects.filter(pk=_ROW).update(token=token, changed_at=now)


def public_data_changed() -> None:
    """Data shown on the public pages changed: they are rendered afresh once the change commits.

    Inside a transaction the new token is set on commit (once per transaction, however many rows it
    writes); a rolled-back change leaves the pages as they were.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _change_version()
        return
    if any(entry[1] is _change_version for entry in connection.run_on_commit):
        return
    transaction.on_commit(_change_version, robust=True)


def page_key(request: HttpRequest, version: str) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:40]
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"portal:page:{version}:{language}:{timezone.localdate().isoformat()}:{digest}"


def _public_headers(response: HttpResponse) -> HttpResponse:
    # "private": a shared cache never stores a response that may carry a signed-in person's session
    # cookie; "no-cache": the browser asks again, and gets a cheap 304 while the page is unchanged.
    patch_cache_control(response, private=True, no_cache=True)
    # The language is chosen by a cookie (or the browser's languages).
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


def _from_store(request: HttpRequest, stored: dict) -> HttpResponse:
    etag = stored["etag"]
    # Weak comparison: a compressed answer carries the tag as W/"…".
    asked = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match") or "")}
    unchanged = etag in asked or "*" in asked
    response = HttpResponseNotModified() if unchanged else HttpResponse(stored["content"])
    for name, value in stored["headers"].items():
        response[name] = value
    response["ETag"] = etag
    return response


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a public GET page from the cache, rendering and storing it on a miss. Only complete
    200 answers without cookies are stored; anything else passes through untouched."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.ONEWINDOW_PORTAL_CACHE_SECONDS
        if request.method not in ("GET", "HEAD") or not seconds:
            return _public_headers(view(request, *args, **kwargs))
        key = page_key(request, current_version())
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return _public_headers(response)
            stored = {
                "content": response.content,
                "etag": '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"',
                "headers": {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
            }
            cache.set(key, stored, seconds)
        return _public_headers(_from_store(request, stored))

    return wrapper
