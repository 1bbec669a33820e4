"""Passphrase -> key: scrypt (memory-hard), with its cost announced beside what it protects.

The cost travels in every secured datagram and in every encrypted image header, so a later
imgcast may raise it; what a reader accepts is bounded, so a forged announcement cannot make a
computer spend a minute or a gigabyte deriving a key.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..errors import ImgcastError, UsageError

KEY_SIZE = 32
MIN_LOG2_N, MAX_LOG2_N = 14, 20
MAX_R, MAX_P = 16, 4
MAX_MEMORY = 256 << 20  # bytes scrypt may use (128 * r * n)
MAX_PASSPHRASE = 1024  # bytes


class KdfError(ImgcastError):
    """Announced or stored KDF cost outside what this imgcast accepts."""


@dataclass(frozen=True)
class KdfParams:
    log2_n: int = 15  # n = 32768, r = 8: 32 MiB and about 0.1 s on a 2020s CPU
    r: int = 8
    p: int = 1

    def check(self) -> KdfParams:
        """Raise KdfError unless the cost is within bounds (a reader's guard)."""
        if not (MIN_LOG2_N <= self.log2_n <= MAX_LOG2_N and 1 <= self.r <= MAX_R and 1 <= self.p <= MAX_P):
            raise KdfError(f"scrypt cost n=2^{self.log2_n} r={self.r} p={self.p} is outside the accepted "
                           f"n=2^{MIN_LOG2_N}..2^{MAX_LOG2_N}, r<={MAX_R}, p<={MAX_P}")
        if 128 * self.r * (1 << self.log2_n) > MAX_MEMORY:
            raise KdfError(f"scrypt cost n=2^{self.log2_n} r={self.r} needs more than {MAX_MEMORY >> 20} MiB")
        return self

    def to_wire(self) -> dict[str, int]:
        return {"log2_n": self.log2_n, "r": self.r, "p": self.p}


DEFAULT_KDF = KdfParams()


@lru_cache(maxsize=8)
def _scrypt(passphrase: bytes, salt: bytes, params: KdfParams) -> bytes:
    # cached: a master, its clients and the tests on one computer derive each key once
    return Scrypt(salt=salt, length=KEY_SIZE, n=1 << params.log2_n, r=params.r, p=params.p).derive(passphrase)


def derive_key(passphrase: bytes, salt: bytes, params: KdfParams, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose: scrypt(passphrase, salt), then HKDF to separate purposes."""
    params.check()
    root = _scrypt(passphrase, salt, params)
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=b"imgcast " + purpose).derive(root)


def read_passphrase(source: str, *, prompt: str = "Passphrase: ", confirm: bool = False) -> bytes:
    """The passphrase from `--passphrase-file FILE` (its first line) or `-` (asked on the
    terminal, without echo). Never from the command line: argv is readable by every user."""
    if source == "-":
        try:
            text = getpass.getpass(prompt)
            if confirm and getpass.getpass("Again: ") != text:
                raise UsageError("the two passphrases differ; nothing was done")
        except (EOFError, KeyboardInterrupt):
            raise UsageError("no passphrase was given") from None
        data = text.encode()
    else:
        try:
            with open(source, "rb") as file:
                data = file.read(MAX_PASSPHRASE + 2).split(b"\n", 1)[0].removesuffix(b"\r")
        except FileNotFoundError:
            raise UsageError(f"--passphrase-file {source}: no such file") from None
        except IsADirectoryError:
            raise UsageError(f"--passphrase-file {source}: is a folder, not a file") from None
        except OSError as error:
            raise UsageError(f"--passphrase-file {source}: {error.strerror or error}") from None
        _warn_if_readable_by_others(source)
    if not data:
        raise UsageError("the passphrase is empty; put it on the first line of the file")
    if len(data) > MAX_PASSPHRASE:
        raise UsageError(f"the passphrase is longer than {MAX_PASSPHRASE} bytes")
    return data


def _warn_if_readable_by_others(path: str) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if mode & 0o004 and not path.startswith("/dev/"):
        print(f"warning: {path} can be read by every user of this computer (chmod 600 it)", file=sys.stderr)
