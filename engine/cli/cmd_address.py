"""`img address NAME [--explain]`: the group a session name hashes to."""

from __future__ import annotations

import argparse
import json

from ..naming import session_address


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("address", help="print the multicast group address of a session name")
    p.add_argument("name", help="the session name")
    p.add_argument("--explain", action="store_true", help="show each step from name to address")
    p.add_argument("--json", action="store_true", help="print the steps as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    address = session_address(args.name)
    if args.json:
        print(json.dumps({
            "name": address.name,
            "normalised": address.normalised,
            "sha256": address.digest.hex(),
            "group": address.group,
            "session_id": address.session_id.hex(),
        }))
    elif args.explain:
        steps = address.explain()
        width = max(len(label) for label, _ in steps)
        for label, value in steps:
            print(f"{label:<{width}}  {value}")
    else:
        print(address.group)
    return 0
