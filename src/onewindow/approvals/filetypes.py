"""What an uploaded file really is, read from its content (magic bytes), never from its name alone.

Pure Python and the standard library only: the kinds a government service centre receives are few and
their signatures well known, so no libmagic is needed.

* PDF: ``%PDF-`` at the start;
* PNG: the eight-byte PNG signature; JPEG: ``FF D8 FF``;
* DOCX and XLSX: a ZIP (``PK\\x03\\x04``) holding ``[Content_Types].xml`` and ``word/document.xml`` or
  ``xl/workbook.xml`` (Office Open XML);
* OFD (GB/T 33190, China's fixed-layout format for official documents): a ZIP holding ``OFD.xml``.

A file's name must end with an extension of the kind its content shows, so that a PNG named ``.pdf``
(or a renamed archive) is refused.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

PDF, PNG, JPEG, DOCX, XLSX, OFD = "pdf", "png", "jpeg", "docx", "xlsx", "ofd"

EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    OFD: (".ofd",),
}
CONTENT_TYPES = {
    PDF: "application/pdf",
    PNG: "image/png",
    JPEG: "image/jpeg",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    OFD: "application/ofd",
}
ALLOWED_EXTENSIONS = tuple(extension for group in EXTENSIONS.values() for extension in group)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"
# A ZIP with more entries than this is no office document anyone uploads: refuse rather than scan it.
_MAX_ZIP_ENTRIES = 10_000


def sniff(stream: BinaryIO) -> str | None:
    """The kind of the file's content, or None when it is none of the accepted kinds.

    Reads from the start of ``stream`` and leaves it positioned at the start again.
    """
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(_PNG_SIGNATURE):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(_ZIP_SIGNATURE):
        kind = _zip_kind(stream)
    stream.seek(0)
    return kind


def _zip_kind(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > _MAX_ZIP_ENTRIES:
                return None
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def name_matches(name: str, kind: str) -> bool:
    return extension_of(name) in EXTENSIONS.get(kind, ())
