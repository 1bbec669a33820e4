"""Tiny UDP senders and receivers that the rig tests run on rig hosts (as separate processes,
so the fault shim is loaded into them as into any program).

Every datagram carries a header (sequence number, length, CRC-32 of the rest) and bytes
derived from its sequence number, so a receiver can tell a lost datagram from a corrupted
one; a shim that moved GRO segments wrongly produces datagrams that fail the check.

    python udp_tools.py send GROUP PORT --count N [--size S] [--gso K] [--short S2] [--gap SECONDS]
    python udp_tools.py blast ADDRESS PORT --seconds T [--size S]
    python udp_tools.py receive GROUP_OR_ANY PORT [--join IFADDR] [--gro] [--count N] [--idle S] [--timeout S]

The receiver prints "ready" once it listens, then one JSON line with what it got. Standard
library only: the rig runs it with the test's interpreter.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import struct
import sys
import time
import zlib

HEADER = struct.Struct("!IHI")  # sequence, length of the whole datagram, CRC-32 of the rest
END = 0xFFFFFFFF  # the sequence number of "no more": sent several times, plain (not GSO)
SOL_UDP = 17
UDP_SEGMENT = 103
UDP_GRO = 104
SO_RCVBUFFORCE = 33


def datagram(sequence: int, size: int) -> bytes:
    """One datagram of `size` bytes (at least the header) whose bytes follow from `sequence`."""
    body = random.Random(sequence).randbytes(size - HEADER.size)
    crc = zlib.crc32(struct.pack("!IH", sequence, size) + body)
    return HEADER.pack(sequence, size, crc) + body


def check(data: bytes | memoryview) -> int | None:
    """The sequence number of an intact datagram; None for a corrupted one."""
    if len(data) < HEADER.size:
        return None
    sequence, size, crc = HEADER.unpack_from(data)
    body = bytes(data[HEADER.size:])
    if size != len(data) or zlib.crc32(struct.pack("!IH", sequence, size) + body) != crc:
        return None
    return sequence


def send(args: argparse.Namespace) -> int:
    """`count` datagrams to the group, `gso` per system call with UDP GSO (the last one of
    each call `short` bytes if given), then END markers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    if args.interface:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.interface))
    destination = (args.group, args.port)
    sequence = 0
    while sequence < args.count:
        batch = min(args.gso, args.count - sequence)
        sizes = [args.size] * batch
        if args.short and batch > 1:
            sizes[-1] = args.short
        data = b"".join(datagram(sequence + i, size) for i, size in enumerate(sizes))
        if batch > 1:
            control = [(SOL_UDP, UDP_SEGMENT, struct.pack("=H", args.size))]
            sock.sendmsg([data], control, 0, destination)
        else:
            sock.sendto(data, destination)
        sequence += batch
        if args.gap:
            time.sleep(args.gap)
    for _ in range(20):
        sock.sendto(datagram(END, 64), destination)
        time.sleep(0.005)
    return 0


def blast(args: argparse.Namespace) -> int:
    """As fast as Python can for `seconds`: the link's queue drops the excess."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = bytes(args.size)
    destination = (args.address, args.port)
    end = time.monotonic() + args.seconds
    sent = 0
    while time.monotonic() < end:
        for _ in range(64):
            try:
                sock.sendto(payload, destination)
                sent += 1
            except OSError:
                pass
    print(json.dumps({"sent": sent}), flush=True)
    return 0


def receive(args: argparse.Namespace) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
    sock.bind((args.group, args.port))
    if args.join:
        membership = struct.pack("4s4s", socket.inet_aton(args.group), socket.inet_aton(args.join))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    if args.gro:
        sock.setsockopt(SOL_UDP, UDP_GRO, 1)
    sock.settimeout(0.2)
    buffer = bytearray(65536)
    view = memoryview(buffer)
    seen: set[int] = set()
    result = {"received": 0, "unique": 0, "corrupt": 0, "duplicates": 0, "out_of_order": 0,
              "gro_buffers": 0, "calls": 0, "bytes": 0, "first": None, "last": None, "end": False}
    highest = -1
    print("ready", flush=True)
    deadline = time.monotonic() + args.timeout
    last_arrival = None
    while time.monotonic() < deadline and not result["end"]:
        if last_arrival is not None and time.monotonic() - last_arrival > args.idle:
            break
        try:
            if args.gro:
                size, ancillary, _flags, _address = sock.recvmsg_into([buffer], socket.CMSG_SPACE(4))
            else:
                size, _address = sock.recvfrom_into(buffer)
                ancillary = []
        except TimeoutError:
            continue
        now = time.monotonic()
        last_arrival = now
        result["calls"] += 1
        segment = None
        for level, kind, data in ancillary:
            if level == SOL_UDP and kind == UDP_GRO:
                segment = struct.unpack("=i", data[:4])[0]
        if segment and segment < size:
            result["gro_buffers"] += 1
            pieces = [view[i:min(i + segment, size)] for i in range(0, size, segment)]
        else:
            pieces = [view[:size]]
        for piece in pieces:
            if args.raw:
                result["received"] += 1
                result["bytes"] += len(piece)
                result["first"] = result["first"] or now
                result["last"] = now
                continue
            sequence = check(piece)
            if sequence is None:
                result["corrupt"] += 1
                continue
            if sequence == END:
                result["end"] = True
                continue
            result["received"] += 1
            result["bytes"] += len(piece)
            result["first"] = result["first"] or now
            result["last"] = now
            if sequence in seen:
                result["duplicates"] += 1
                continue
            seen.add(sequence)
            if sequence < highest:
                result["out_of_order"] += 1
            highest = max(highest, sequence)
            if args.count and len(seen) >= args.count:
                result["end"] = True
    result["unique"] = len(seen)
    print(json.dumps(result), flush=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="udp_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("send")
    p.add_argument("group")
    p.add_argument("port", type=int)
    p.add_argument("--interface", help="IP_MULTICAST_IF (default: the routing table's choice)")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--size", type=int, default=1400)
    p.add_argument("--gso", type=int, default=1, help="datagrams per send (UDP GSO when > 1)")
    p.add_argument("--short", type=int, default=0, help="size of the last datagram of each GSO send")
    p.add_argument("--gap", type=float, default=0.0, help="seconds between sends")
    p.set_defaults(run=send)
    p = sub.add_parser("blast")
    p.add_argument("address")
    p.add_argument("port", type=int)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--size", type=int, default=1472)
    p.set_defaults(run=blast)
    p = sub.add_parser("receive")
    p.add_argument("group", help="the group to bind and join, or 0.0.0.0 for unicast")
    p.add_argument("port", type=int)
    p.add_argument("--join", help="join the group on the interface with this address")
    p.add_argument("--gro", action="store_true", help="UDP_GRO on, recvmsg with its control message")
    p.add_argument("--raw", action="store_true", help="count bytes only, no datagram checks")
    p.add_argument("--count", type=int, default=0, help="stop after this many distinct datagrams")
    p.add_argument("--idle", type=float, default=2.0, help="stop this long after the last datagram")
    p.add_argument("--timeout", type=float, default=30.0, help="stop after this long in any case")
    p.set_defaults(run=receive)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
