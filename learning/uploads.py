"""Attachments: which files are accepted, judged by their content, not their name.

Secretaries attach minutes, slides and photos. Only PDF, Word, Excel, JPEG and
PNG are accepted, at most 20 MB; the stored name is generated, so nothing a
user typed ends up in a path.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls
ZIP_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


PDF = FileKind(".pdf", "application/pdf", "PDF")
DOCX = FileKind(
    ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
)
XLSX = FileKind(
    ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"
)
DOC = FileKind(".doc", "application/msword", "Word")
XLS = FileKind(".xls", "application/vnd.ms-excel", "Excel")
JPEG = FileKind(".jpg", "image/jpeg", "JPEG")
PNG = FileKind(".png", "image/png", "PNG")

EXTENSIONS = {
    ".pdf": {PDF},
    ".docx": {DOCX},
    ".xlsx": {XLSX},
    ".doc": {DOC},
    ".xls": {XLS},
    ".jpg": {JPEG},
    ".jpeg": {JPEG},
    ".png": {PNG},
}
ACCEPT_ATTRIBUTE = ",".join(EXTENSIONS)


def _ooxml_kind(uploaded) -> FileKind | None:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _ole2_kind(uploaded, extension: str) -> FileKind | None:
    # Word and Excel 97–2003 share the OLE2 container; telling them apart
    # needs the directory stream, so the extension decides between the two.
    return {".doc": DOC, ".xls": XLS}.get(extension)


def sniff(uploaded, extension: str) -> FileKind | None:
    """What the file's bytes say it is (None: nothing we accept)."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(ZIP_SIGNATURE):
            return _ooxml_kind(uploaded)
        if head.startswith(OLE2_SIGNATURE):
            return _ole2_kind(uploaded, extension)
        return None
    finally:
        uploaded.seek(0)


def validate_upload(uploaded) -> FileKind:
    """Accept the file or raise a ValidationError with a message in the user's language."""
    if uploaded is None:
        raise ValidationError(_("Choose a file to upload."), code="missing")
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than 20 MB. Please compress it or split it."), code="too_big"
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    extension = PurePath(uploaded.name or "").suffix.lower()
    allowed = EXTENSIONS.get(extension)
    if allowed is None:
        raise ValidationError(
            _("Only PDF, Word, Excel, JPEG and PNG files can be uploaded."), code="type"
        )
    kind = sniff(uploaded, extension)
    if kind is None or kind not in allowed:
        raise ValidationError(
            _("The file's content is not a %(label)s file, although its name says so.")
            % {"label": next(iter(allowed)).label},
            code="mismatch",
        )
    return kind


def generated_name(prefix: str, kind: FileKind) -> str:
    return f"{prefix}/{uuid.uuid4().hex}{kind.extension}"
