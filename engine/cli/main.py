"""The `img` command. With no arguments it opens the wizard (ZENworks: "enter img to display a
menu"); with a command it runs it. Each command lives in its own module here and registers
itself through COMMANDS.

Exit status: 0 success, 2 usage error, 1 the session (or command) failed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from .. import imgcast_version
from ..errors import ImgcastError, UsageError

# Modules under imgcast.engine.cli, each with register(subparsers) that sets `run` as the
# handler default. The order is the order of `img --help`.
COMMANDS = ("cmd_session", "cmd_address", "cmd_demo", "cmd_make", "cmd_restore", "cmd_info", "cmd_zisd")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 (it prints usage blocks by default).

    `intermixed=True` (for `session`): options and positional words in any order, as ZENworks
    users type them (`img session doug master --ttl 0 clients=5`); plain argparse takes the
    positionals in one run and calls the words after an option "unrecognized"."""

    def __init__(self, *args: Any, intermixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._intermixed = intermixed
        self._inside_intermixed = False

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        if not self._intermixed or self._inside_intermixed:
            return super().parse_known_args(args, namespace)
        self._inside_intermixed = True  # parse_known_intermixed_args calls parse_known_args itself
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside_intermixed = False

    def error(self, message: str) -> None:  # type: ignore[override]
        if message.startswith("the following arguments are required: name"):
            message = f"give a session name, e.g. {self.prog} doug (see '{self.prog} --help')"
        elif message.startswith("the following arguments are required: "):
            message = self._name_the_choices(message)
        raise UsageError(message)

    def _name_the_choices(self, message: str) -> str:
        """'required: ACTION' alone leaves the user guessing: name the words that can go there."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and action.metavar and action.metavar in message:
                words = list(action.choices)
                listed = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
                return f"give an {action.metavar.lower()} after '{self.prog}': {listed} (see '{self.prog} --help')"
        return message


class _VersionAction(argparse.Action):
    """--version, looked up only when asked for (reading package metadata slows every start)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"imgcast {imgcast_version()}")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with `only` (a command's name), just that command's part: importing
    every command's module (rich, psutil, the inventory...) costs each `img session` start a
    tenth of a second of CPU that it never uses."""
    parser = _Parser(
        prog="img",
        description="Put one disk image down on many computers at once over IP multicast.",
        epilog="With no command, img opens the wizard.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--kiosk", action="store_true", help="open the wizard full screen, for an imaging room")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS if only is None else (f"cmd_{only}",):
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return parser


def _command_word(args: list[str]) -> str | None:
    """The command named on the command line, if it is one of ours (else None: build all, so
    help and 'invalid choice' list every command)."""
    first = next((a for a in args if not a.startswith("-")), None)
    return first if first is not None and f"cmd_{first}" in COMMANDS else None


def open_wizard(kiosk: bool) -> int:
    """The wizard lives in imgcast.app (Qt); imported only here so the CLI never loads Qt itself."""
    try:
        app_main = importlib.import_module("imgcast.app.main")
    except ImportError as error:
        raise ImgcastError(f"the wizard cannot start: {error}; run 'img --help' for the commands") from None
    return int(app_main.main(kiosk=kiosk))


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(_command_word(args_list)).parse_args(args_list)
        if args.command is None:
            return open_wizard(args.kiosk)
        return int(args.run(args) or EXIT_OK)
    except UsageError as error:
        print(f"img: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ImgcastError as error:
        print(f"img: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("img: interrupted", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
