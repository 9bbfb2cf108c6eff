"""Uploaded ledgers between the preview and the confirmation.

The upload page checks a file (a dry run), shows the preview, and writes only when the person confirms.
In between, the file is kept in a private directory (``ONEWINDOW_LEDGER_UPLOAD_DIR``, by default
``var/ledger-uploads``, mode 0700, files 0600) under a random token, never under the name it was uploaded
with. The token is remembered in the uploader's session with the file's SHA-256: a confirmation is
accepted only from the session that uploaded the file and only for the very bytes that were previewed.
Files are deleted when confirmed or discarded, and any left behind are swept after ``KEEP_SECONDS``.
"""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SESSION_KEY = "ledger_uploads"
KEEP_SECONDS = 2 * 60 * 60
MAX_PER_SESSION = 5
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class StoredUpload:
    token: str
    path: Path
    name: str
    sha256: str


def upload_dir() -> Path:
    directory = Path(getattr(settings, "ONEWINDOW_LEDGER_UPLOAD_DIR", settings.VAR_DIR / "ledger-uploads"))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _path(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return upload_dir() / f"{token}.xlsx"


def sweep(now: float | None = None) -> None:
    """Delete uploads older than ``KEEP_SECONDS`` (abandoned previews)."""
    limit = (now or time.time()) - KEEP_SECONDS
    for path in upload_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def store(session, uploaded, *, options: dict) -> StoredUpload:
    """Save an uploaded file under a new token and remember it (and the preview's options) in the session."""
    sweep()
    token = secrets.token_urlsafe(24)
    path = _path(token)
    digest = hashlib.sha256()
    with open(path, "xb") as handle:
        path.chmod(0o600)
        for chunk in uploaded.chunks():
            digest.update(chunk)
            handle.write(chunk)
    name = Path(uploaded.name or "ledger.xlsx").name[:200]
    entries = dict(session.get(SESSION_KEY, {}))
    while len(entries) >= MAX_PER_SESSION:
        oldest = min(entries, key=lambda key: entries[key]["at"])
        discard(session, oldest, entries=entries)
    entries[token] = {"name": name, "sha256": digest.hexdigest(), "at": time.time(), **options}
    session[SESSION_KEY] = entries
    return StoredUpload(token=token, path=path, name=name, sha256=digest.hexdigest())


def lookup(session, token: str) -> tuple[StoredUpload, dict] | None:
    """The upload behind ``token`` if this session made it and the file is unchanged, else ``None``."""
    entry = session.get(SESSION_KEY, {}).get(token)
    path = _path(token)
    if entry is None or path is None or not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    if not secrets.compare_digest(digest.hexdigest(), entry["sha256"]):
        return None
    stored = StoredUpload(token=token, path=path, name=entry["name"], sha256=entry["sha256"])
    return stored, entry


def discard(session, token: str, *, entries: dict | None = None) -> None:
    entries = entries if entries is not None else dict(session.get(SESSION_KEY, {}))
    entries.pop(token, None)
    session[SESSION_KEY] = entries
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
