"""Uploaded files of a case's material: what a file is (decided from its bytes), where its
bytes live, and reading them back for the authorised download.

The bytes are kept under <MDK_INSTANCE_DIR>/uploads by a random name (never the uploader's,
which may name the patient), outside the web root: only the download route serves them.
A file is written to a temporary name in the same folder and renamed when complete, so a
reader never sees half a file. Nothing here deletes a stored file: uploads are journal
material, kept as long as their case.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from mdk.material.models import FILE_NAME_LENGTH
from mdk.validation import FieldError

CHUNK = 64 * 1024
# How far from the end a PDF's %%EOF marker may be (writers add a newline or some padding).
PDF_EOF_WINDOW = 1024
# Type -> (content type, extension), decided by the first bytes of the content.
PDF, PNG, JPEG, TIFF = "pdf", "png", "jpeg", "tiff"
CONTENT_TYPES = {PDF: "application/pdf", PNG: "image/png", JPEG: "image/jpeg",
                 TIFF: "image/tiff"}
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", TIFF: ".tif"}
EXTENSIONS_BY_TYPE = {CONTENT_TYPES[kind]: extension for kind, extension in EXTENSIONS.items()}
MAGIC = ((PDF, (b"%PDF-",)), (PNG, (b"\x89PNG\r\n\x1a\n",)), (JPEG, (b"\xff\xd8\xff",)),
         (TIFF, (b"II*\x00", b"MM\x00*")))
# What Pillow calls each image type (its verify() must agree with the magic bytes).
PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG", TIFF: "TIFF"}
# Images bigger than this many pixels are refused (a small file can decode to gigabytes).
MAX_IMAGE_PIXELS = 200_000_000

NOT_ACCEPTED = _l("Upload a PDF or an image (PNG, JPEG or TIFF); this file is neither.")


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str


def upload_folder() -> Path:
    folder = current_app.config["MDK"].instance_path / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def max_bytes() -> int:
    return current_app.config["MDK"].upload_max_bytes


def too_large_message():
    return _l("The file is too large: at most %(mb)d MB.",
              mb=current_app.config["MDK"].upload_limit_mb)


def store(stream: BinaryIO, filename: object, field: str = "file", *,
          accept: Collection[str] = tuple(CONTENT_TYPES), refused=NOT_ACCEPTED) -> StoredFile:
    """Copy an uploaded stream to the upload folder under a random name; refuse (FieldError
    at `field`) an empty file, one over the limit, and anything not a PDF or an image (or
    not of the kinds in `accept`, with the message `refused`: the remiss is a PDF)."""
    folder, limit = upload_folder(), max_bytes()
    storage_name = secrets.token_hex(32)
    temporary = folder / f".incoming-{storage_name}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(temporary, "xb") as out:
            os.chmod(temporary, 0o600)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FieldError(field, too_large_message())
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise FieldError(field, _l("The file is empty."))
        kind = file_kind(temporary, size)
        if kind is None or kind not in accept:
            raise FieldError(field, refused)
        os.replace(temporary, folder / storage_name)
    finally:
        # Only our own unfinished copy goes; a stored file is never deleted.
        temporary.unlink(missing_ok=True)
    return StoredFile(storage_name=storage_name, original_name=clean_file_name(filename, kind),
                      content_type=CONTENT_TYPES[kind], size_bytes=size,
                      sha256=digest.hexdigest())


def file_kind(path: Path, size: int) -> str | None:
    """PDF, PNG, JPEG or TIFF by the content, or None. The name and the browser's content
    type are never asked: an executable called report.pdf is an executable."""
    with open(path, "rb") as fh:
        head = fh.read(16)
        kind = next((kind for kind, prefixes in MAGIC if head.startswith(prefixes)), None)
        if kind == PDF:
            fh.seek(max(0, size - PDF_EOF_WINDOW))
            return PDF if b"%%EOF" in fh.read() else None
    if kind is None:
        return None
    return kind if _image_is_whole(path, kind) else None


def _image_is_whole(path: Path, kind: str) -> bool:
    """Pillow reads the image's structure (not its pixels): a truncated or forged file, or
    one that would decode to an enormous picture, is refused."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != PILLOW_FORMATS[kind]:
                    return False
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return False
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, SyntaxError, ValueError, EOFError):
        return False
    return True


# Control, format (bidi overrides), surrogate and line/paragraph separator characters.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def clean_file_name(value: object, kind: str | None = None) -> str:
    """The uploader's file name, for the download's Content-Disposition only: no folders,
    no control characters, at most FILE_NAME_LENGTH characters, never empty."""
    name = value if isinstance(value, str) else ""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(char) in _REFUSED_CATEGORIES else char
                   for char in name)
    name = " ".join(name.split()).strip(" .")
    if not name:
        name = f"dokument{EXTENSIONS.get(kind or '', '')}"
    if len(name) > FILE_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = f".{extension}" if dot and len(extension) <= 10 else ""
        name = name[:FILE_NAME_LENGTH - len(keep)] + keep
    return name


def stored_path(storage_name: str) -> Path | None:
    """Where a stored file's bytes are; None when the name is not one of ours or the file
    is gone (restored from a backup without its uploads)."""
    if len(storage_name) != 64 or any(char not in "0123456789abcdef" for char in storage_name):
        return None
    path = upload_folder() / storage_name
    return path if path.is_file() else None
