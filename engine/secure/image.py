"""Encrypted .imgcast files (format version 2, see engine/image/format.py).

`ImageSealer` turns a version-1 image stream into the encrypted file's bytes as it is produced
(`img make --passphrase-file`); `ImageOpener` turns those bytes back into the version-1 stream
as they arrive (`img restore`, or a client of a session whose master sends such a file as it
is). Both work on pieces of any size with one record of memory. The opener checks the passphrase
against the header's key check first, so a wrong one is a one-line error before anything of
the image is handed on.
"""

from __future__ import annotations

import hmac
import os

from construct import ConstructError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import ImgcastError
from ..image.format import (
    MAGIC,
    MAX_RECORD,
    MIN_RECORD,
    PREAMBLE_SIZE,
    SEALED_TAG_SIZE,
    SEALED_VERSION,
    ImageFormatError,
    Preamble,
    SealedHeader,
)
from .kdf import DEFAULT_KDF, KdfError, KdfParams, derive_key

RECORD_SIZE = 1 << 18  # 256 KiB of the stream per sealed record
SALT_SIZE = 16
WRONG_PASSPHRASE = "the passphrase does not match this image's; nothing was written"


def _keys(passphrase: bytes, salt: bytes, params: KdfParams) -> tuple[AESGCM, bytes]:
    record_key = derive_key(passphrase, b"imgcast image " + salt, params, b"image records v1")
    check = derive_key(passphrase, b"imgcast image " + salt, params, b"image key check v1")[:16]
    return AESGCM(record_key), check


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class ImageSealer:
    """Version-1 stream in, encrypted image bytes out (the clear header first)."""

    def __init__(self, passphrase: bytes, disk_size: int, *, params: KdfParams = DEFAULT_KDF,
                 record_size: int = RECORD_SIZE, salt: bytes | None = None) -> None:
        salt = salt or os.urandom(SALT_SIZE)
        self._aead, check = _keys(passphrase, salt, params.check())
        body = SealedHeader.build({"log2_n": params.log2_n, "r": params.r, "p": params.p, "salt": salt,
                                   "record_size": record_size, "disk_size": disk_size, "key_check": check})
        self.head = Preamble.build({"magic": MAGIC, "version": SEALED_VERSION, "header_length": len(body)}) + body
        self.record_size = record_size
        self._buffer = bytearray()
        self._index = 0
        self._started = False

    def seal(self, data: bytes | memoryview) -> bytes:
        """The encrypted bytes for the stream so far (whole records only; the rest waits)."""
        out = [] if self._started else [self.head]
        self._started = True
        self._buffer += data
        size, at = self.record_size, 0
        # a record is sealed only once more follows: the last one must carry the last flag
        while len(self._buffer) - at > size:
            out.append(self._record(memoryview(self._buffer)[at:at + size], last=False))
            at += size
        del self._buffer[:at]
        return b"".join(out)

    def finish(self) -> bytes:
        """The last record (shorter than the others, maybe empty): the end of the file."""
        head = b"" if self._started else self.head
        self._started = True
        out = head + self._record(bytes(self._buffer), last=True)
        self._buffer.clear()
        return out

    def _record(self, plain: bytes | memoryview, last: bool) -> bytes:
        sealed = self._aead.encrypt(_nonce(self._index, last), bytes(plain), self.head)
        self._index += 1
        return sealed


def read_sealed_header(data: bytes) -> tuple[KdfParams, int, int, int]:
    """(KDF cost, record size, disk size, header bytes) from an encrypted image's first bytes;
    ImageFormatError if they are not one, KdfError for a cost outside the bounds."""
    if len(data) < PREAMBLE_SIZE:
        raise ImageFormatError(len(data), "the image is truncated: it ends in the preamble")
    _check_preamble(data[:PREAMBLE_SIZE])
    end = sealed_header_size()
    if len(data) < end:
        raise ImageFormatError(len(data), "the image is truncated: it ends in the header")
    try:
        head = SealedHeader.parse(data[PREAMBLE_SIZE:end])
    except ConstructError as error:
        raise ImageFormatError(PREAMBLE_SIZE, f"encrypted image header cannot be read: {error}") from None
    if not MIN_RECORD <= head.record_size <= MAX_RECORD:
        raise ImageFormatError(PREAMBLE_SIZE + 19, f"record size {head.record_size:,} is out of range")
    params = KdfParams(head.log2_n, head.r, head.p)
    try:
        params.check()
    except KdfError as error:
        raise ImageFormatError(PREAMBLE_SIZE, str(error)) from None
    return params, head.record_size, head.disk_size, end


def _check_preamble(data: bytes) -> None:
    preamble = Preamble.parse(data)
    if preamble.magic != MAGIC or preamble.version != SEALED_VERSION:
        raise ImageFormatError(0, "not an encrypted .imgcast image")
    if preamble.header_length != SealedHeader.sizeof():
        raise ImageFormatError(10, f"encrypted image header of {preamble.header_length:,} bytes, expected "
                               f"{SealedHeader.sizeof()}")


def sealed_header_size() -> int:
    return PREAMBLE_SIZE + SealedHeader.sizeof()


class ImageOpener:
    """Encrypted image bytes in (pieces of any size), version-1 stream out. The first call that
    completes the header checks the passphrase: ImgcastError(WRONG_PASSPHRASE) if it differs."""

    def __init__(self, passphrase: bytes) -> None:
        self._passphrase = passphrase
        self._buffer = bytearray()
        self._head: bytes | None = None
        self._aead: AESGCM | None = None
        self._record = 0
        self._index = 0
        self.record_size = 0
        self.consumed = 0  # encrypted bytes taken so far
        self.disk_size = 0

    def feed(self, data: bytes | memoryview) -> bytes:
        self._buffer += data
        out = []
        if self._head is None:
            if len(self._buffer) < sealed_header_size():
                if len(self._buffer) >= PREAMBLE_SIZE:
                    _check_preamble(bytes(self._buffer[:PREAMBLE_SIZE]))  # not ours: say so at once
                return b""
            self._open_header()
        whole = self._record + SEALED_TAG_SIZE
        at = 0
        while len(self._buffer) - at > whole:
            out.append(self._open(memoryview(self._buffer)[at:at + whole], last=False))
            at += whole
        del self._buffer[:at]
        self.consumed += at
        return b"".join(out)

    def finish(self) -> bytes:
        """The stream has ended: what is left is the last record."""
        if self._head is None:
            raise ImageFormatError(len(self._buffer), "the image is truncated: it ends in the header")
        if len(self._buffer) < SEALED_TAG_SIZE:
            raise ImageFormatError(self.consumed + len(self._buffer), "the image is truncated: its last record is cut")
        plain = self._open(bytes(self._buffer), last=True)
        self.consumed += len(self._buffer)
        self._buffer.clear()
        return plain

    def _open_header(self) -> None:
        data = bytes(self._buffer[:sealed_header_size()])
        params, self._record, self.disk_size, end = read_sealed_header(data)
        head = SealedHeader.parse(data[PREAMBLE_SIZE:end])
        aead, check = _keys(self._passphrase, head.salt, params)
        if not hmac.compare_digest(check, head.key_check):
            raise ImgcastError(WRONG_PASSPHRASE)
        self._aead, self._head, self.record_size = aead, data, self._record
        del self._buffer[:end]
        self.consumed = end

    def _open(self, sealed: bytes | memoryview, last: bool) -> bytes:
        assert self._aead is not None and self._head is not None
        try:
            plain = self._aead.decrypt(_nonce(self._index, last), bytes(sealed), self._head)
        except InvalidTag:
            where = "the last record" if last else f"record {self._index:,}"
            raise ImageFormatError(self.consumed, f"{where} does not authenticate: the image is damaged, "
                                   "cut short or was altered") from None
        self._index += 1
        return plain


class SealingSink:
    """A StreamSink that writes the encrypted form of the stream into another (`img make`)."""

    def __init__(self, inner, sealer: ImageSealer) -> None:  # noqa: ANN001 (any StreamSink)
        self.inner = inner
        self.sealer = sealer
        self.description = inner.description
        self.capacity = inner.capacity

    def write(self, data: bytes | memoryview) -> None:
        sealed = self.sealer.seal(data)
        if sealed:
            self.inner.write(sealed)

    def finish(self) -> None:
        self.inner.write(self.sealer.finish())
        self.inner.finish()

    def abort(self) -> None:
        self.inner.abort()

    def __getattr__(self, name: str):  # noqa: ANN204 (the inner sink's size, path, ...)
        return getattr(self.inner, name)


class OpeningSink:
    """A StreamSink that takes an encrypted image stream and writes its version-1 stream into
    another (a client of a session whose master sends an encrypted image file as it is)."""

    def __init__(self, inner, passphrase: bytes) -> None:  # noqa: ANN001 (any StreamSink)
        self.inner = inner
        self.opener = ImageOpener(passphrase)
        self.description = inner.description
        self.capacity = inner.capacity

    def write(self, data: bytes | memoryview) -> None:
        plain = self.opener.feed(data)
        if plain:
            self.inner.write(plain)

    def finish(self) -> None:
        plain = self.opener.finish()
        if plain:
            self.inner.write(plain)
        self.inner.finish()

    def abort(self) -> None:
        self.inner.abort()

    @property
    def trailer(self):  # noqa: ANN201 (the inner image sink's verified trailer)
        return self.inner.trailer

    def content_digest(self) -> bytes:
        return self.inner.content_digest()
