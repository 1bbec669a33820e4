"""`--passphrase-file FILE|-` for session, make and restore: the one way a passphrase comes in.

Never on the command line (every user of the computer can read a command line): a file's first
line, or `-` to type it on the terminal without echo. `--passphrase` exists only to say so.
"""

from __future__ import annotations

import argparse

from ..errors import UsageError


class _Refuse(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None) -> None:  # noqa: ANN001
        raise UsageError("a passphrase is never given on the command line (others can read it there); "
                         "use --passphrase-file FILE, or --passphrase-file - to type it")


def add_passphrase_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--passphrase-file", metavar="FILE|-", default=None,
                   help=f"{what}: the passphrase is the first line of FILE; - asks for it without echo")
    p.add_argument("--passphrase", action=_Refuse, help=argparse.SUPPRESS)


def passphrase_from(args: argparse.Namespace, *, confirm: bool = False) -> bytes | None:
    source = getattr(args, "passphrase_file", None)
    if source is None:
        return None
    from ..secure.kdf import read_passphrase  # cryptography only for a passphrase

    return read_passphrase(source, confirm=confirm)
