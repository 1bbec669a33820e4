"""Fuzz targets for every parser of untrusted input, shared by ./test (hypothesis, a few hundred
inputs each, bounded in time) and the longer optional run (tests/fuzz_atheris.py, atheris).

Each target takes bytes and returns normally, whatever they are: the parser's own error is
caught here, so anything else escaping (an IndexError, a construct error, a MemoryError from a
length field believed before it was checked, a machine crashing on a datagram) is a finding.
The first bytes steer the input into the structure (a valid header of a chosen kind, a valid
image preamble), so random bytes reach the deep parts instead of failing the magic check.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from imgcast.engine import wire
from imgcast.engine.errors import ImgcastError
from imgcast.engine.image.format import MAGIC as IMAGE_MAGIC
from imgcast.engine.image.format import ImageFormatError
from imgcast.engine.image.header import ImageHeader, build_header, parse_header
from imgcast.engine.image.parser import ImageStreamParser
from imgcast.engine.naming import session_address
from imgcast.engine.protocol.client import Client
from imgcast.engine.protocol.common import ProtocolConfig
from imgcast.engine.protocol.master import Master
from imgcast.engine.protocol.participant import Participant
from imgcast.engine.secure.image import ImageOpener, ImageSealer
from imgcast.engine.secure.kdf import KdfParams
from imgcast.engine.secure.machine import SecuredMachine
from imgcast.engine.secure.seal import Opener, Sealer, session_key
from imgcast.engine.zisd.layout import MAGIC as ZISD_MAGIC
from imgcast.engine.zisd.layout import RecordCorrupted, RecordTooNew
from imgcast.engine.zisd.record import decode_area
from imgcast.engine.zisd.table import PartitionTableDamaged, read_table_from_bytes

SID = session_address("fuzz").session_id
MASTER, CLIENT = 0x11111111, 0x22222222
PASS = b"fuzz"
FAST = KdfParams(14, 8, 1)
CONFIG = ProtocolConfig(block_size=256, slice_blocks=8, window_slices=16, report_every_slices=2)
KINDS = [int(k) for k in wire.Kind]


def _headed(data: bytes, sender: int = MASTER) -> bytes:
    """A datagram with a valid header of the kind the first byte picks, the rest as its body;
    or, one time in eight, the bytes as they are."""
    if not data or data[0] & 7 == 7:
        return data
    kind = KINDS[data[0] % len(KINDS)]
    return wire.Header.build({"version": wire.PROTOCOL_VERSION, "kind": kind, "session_id": SID,
                              "sender": sender}) + data[1:]


def _split(data: bytes) -> list[bytes]:
    """Several datagrams from one input: each a length byte (times 8) and that many bytes."""
    out, at = [], 0
    while at < len(data) and len(out) < 32:
        n = data[at] * 8 + 1
        out.append(data[at + 1:at + 1 + n])
        at += 1 + n
    return out


# --- datagrams ---------------------------------------------------------------------------------

def datagram(data: bytes) -> None:
    try:
        wire.parse(_headed(data))
    except wire.WireError:
        pass


def _master_announce() -> bytes:
    return wire.build(wire.Kind.ANNOUNCE, SID, MASTER, role=1, state=0, host="m", image_name="",
                      stream_format=0, stream_size=100_000, disk_size=100_000, block_size=CONFIG.block_size,
                      slice_blocks=CONFIG.slice_blocks, joined=1, wanted=0, start_in_ms=wire.NO_DEADLINE)


def _transferring_client() -> Client:
    client = Client(SID, CLIENT, now=0.0, host="c", config=CONFIG, rng=random.Random(1))
    client.receive_datagram(_master_announce(), ("10.0.0.1", 9231), 0.0)
    client.receive_datagram(wire.build(wire.Kind.ACCEPT, SID, MASTER, client=CLIENT, accepted=True, reason=""),
                            ("10.0.0.1", 9231), 0.01)
    client.receive_datagram(wire.build(wire.Kind.START, SID, MASTER, block_size=CONFIG.block_size,
                                       slice_blocks=CONFIG.slice_blocks, pass_no=1, clients=[CLIENT],
                                       catching_up=[]), ("10.0.0.1", 9231), 0.02)
    client.receive_datagram(wire.build_block(wire.Kind.DATA, SID, MASTER, 0, 0, 8, 0, bytes(256)),
                            ("10.0.0.1", 9231), 0.03)
    return client


def _transferring_master() -> Master:
    master = Master(SID, MASTER, now=0.0, host="m", stream_size=100_000, disk_size=100_000, config=CONFIG,
                    rng=random.Random(2))
    master.receive_datagram(wire.build(wire.Kind.JOIN, SID, CLIENT, host="c", address="10.0.0.2",
                                       capacity=wire.UNKNOWN_SIZE, mtu=CONFIG.block_size + 54), ("10.0.0.2", 9231), 0.0)
    master.start_now(0.01)
    for _ in range(master.wants_slices()):
        master.add_slice(bytes(CONFIG.slice_bytes))
    master.datagrams_to_send(0.05)
    return master


def _shake(machine, datagrams: list[bytes], now: float) -> None:  # noqa: ANN001
    batch = getattr(machine, "receive_datagrams", None)
    if batch is not None:
        batch(datagrams, ("10.9.9.9", 9231), now)
    else:
        for d in datagrams:
            machine.receive_datagram(d, ("10.9.9.9", 9231), now)
    for step in range(3):
        machine.handle_timer(now + step)
        machine.datagrams_to_send(now + step)
        machine.events()


def machines(data: bytes) -> None:
    """Datagrams of every kind into a client, a master and an undecided participant, mid-session:
    a machine may drop anything, never raise."""
    sender = CLIENT if data[:1] == b"\x01" else MASTER if data[:1] == b"\x02" else 0x33333333
    datagrams = [_headed(d, sender) for d in _split(data[1:])]
    client = _transferring_client()
    _shake(client, datagrams, 0.1)
    client.take_data()
    _shake(_transferring_master(), datagrams, 0.1)
    _shake(Participant(SID, 0x44444444, now=0.0, host="p", can_master=True, config=CONFIG), datagrams, 0.1)


_SEALER = None


def sealed(data: bytes) -> None:
    """Sealed envelopes (valid header, fuzzed rest; some genuinely sealed and then damaged) into
    an opener and a secured client: dropped and counted, never raised."""
    global _SEALER
    if _SEALER is None:
        _SEALER = Sealer(session_key(PASS, SID, FAST), SID, MASTER, FAST)
    opener = Opener(PASS, SID, CLIENT)
    out = []
    for piece in _split(data):
        if piece[:1] == b"\x00" and len(piece) > 2:  # a real sealed datagram with one byte changed
            inner = wire.Header.build({"version": wire.PROTOCOL_VERSION, "kind": KINDS[piece[1] % 13],
                                       "session_id": SID, "sender": MASTER}) + piece[3:]
            real = bytearray(_SEALER.seal(inner))
            real[piece[1] % len(real)] ^= piece[2] | 1
            piece = bytes(real)
        else:
            piece = wire.SEALED_HEADER.pack(wire.MAGIC, wire.PROTOCOL_VERSION, wire.Kind.SEALED, SID, MASTER,
                                            piece[0] if piece else 0, 14, 8, 1, bytes(8), 7) + piece[1:]
        assert opener.open(piece) is None
        out.append(piece)
    layer = SecuredMachine(Client(SID, CLIENT, now=0.0, host="c", config=CONFIG), PASS, FAST)
    _shake(layer, out, 0.1)


# --- image files -------------------------------------------------------------------------------

_HEADER = build_header(ImageHeader(disk_size=1 << 20, sector_size=512, mode="raw", level="speed", max_chunk=1 << 16,
                                   safe_area_skipped=False, created=0, host="h", imgcast_version="0",
                                   source="s", table_kind="none"))


def image_header(data: bytes) -> None:
    try:
        parse_header(IMAGE_MAGIC + data)
    except ImageFormatError:
        pass


def image_stream(data: bytes) -> None:
    """A valid header, then fuzzed chunks and trailer, fed in pieces of a fuzzed size."""
    stream = (_HEADER + data[1:]) if data[:1] != b"\xff" else IMAGE_MAGIC + data[1:]
    piece = (data[0] if data else 1) * 37 + 1
    parser = ImageStreamParser()
    try:
        for at in range(0, len(stream), piece):
            parser.feed(stream[at:at + piece])
        parser.finish()
    except ImageFormatError:
        pass


_SEALED_IMAGE = None


def sealed_image(data: bytes) -> None:
    """An encrypted image's clear header (and records) from fuzzed bytes: refused by its own errors."""
    global _SEALED_IMAGE
    if _SEALED_IMAGE is None:
        sealer = ImageSealer(PASS, 1 << 20, params=FAST, record_size=4096)
        _SEALED_IMAGE = sealer.seal(_HEADER + bytes(5000)) + sealer.finish()
    if data[:1] == b"\x00" and len(data) > 3:  # the real file, changed at one place and cut
        image = bytearray(_SEALED_IMAGE)
        image[int.from_bytes(data[1:3], "big") % len(image)] ^= data[3] | 1
        stream = bytes(image[:len(image) - (data[4] if len(data) > 4 else 0)])
    else:
        stream = _SEALED_IMAGE[:14] + data
    try:
        opener = ImageOpener(PASS)
        opener.feed(stream)
        opener.finish()
    except ImgcastError:  # ImageFormatError, or the passphrase check
        pass


# --- image-safe data and the partition tables it is placed by -------------------------------

def zisd(data: bytes) -> None:
    from imgcast.engine.safe_area import SAFE_AREA_SIZE

    area = (ZISD_MAGIC + data)[:SAFE_AREA_SIZE].ljust(SAFE_AREA_SIZE, b"\0")
    try:
        decode_area(area)
    except (RecordCorrupted, RecordTooNew):
        pass
    head = bytearray(data[:4096].ljust(512, b"\0"))
    head[510:512] = b"\x55\xaa"
    try:
        read_table_from_bytes(bytes(head))
    except PartitionTableDamaged:
        pass


# --- hardware inventory: what /proc, /sys and udev say ------------------------------------------

_ROOT: Path | None = None
INVENTORY_FILES = [
    "proc/cpuinfo", "proc/meminfo", "proc/mounts", "proc/swaps", "proc/sys/kernel/hostname",
    "sys/class/dmi/id/sys_vendor", "sys/block/sda/size", "sys/block/sda/dev", "sys/block/sda/removable",
    "sys/block/sda/queue/rotational", "sys/block/sda/queue/logical_block_size", "sys/block/sda/device/model",
    "sys/block/sda/sda1/partition", "sys/block/sda/sda1/start", "sys/block/sda/sda1/size", "sys/block/sda/sda1/dev",
    "run/udev/data/b8:0", "run/udev/data/b8:1", "sys/class/net/eth0/address", "sys/class/net/eth0/mtu",
    "sys/class/net/eth0/speed", "sys/class/net/eth0/flags", "sys/class/net/eth0/operstate", "dev/sda",
]


def inventory(data: bytes) -> None:
    """Fuzzed contents in a fake machine's /proc, /sys and udev files: the inventory tolerates
    them all and stays within its schema's types."""
    from imgcast.engine.inventory.collect import collect_inventory

    global _ROOT
    if _ROOT is None:
        _ROOT = Path(tempfile.mkdtemp(prefix="imgcast-fuzz-"))
    for rel in INVENTORY_FILES:
        (_ROOT / rel).parent.mkdir(parents=True, exist_ok=True)
    pieces = _split(data)
    for i, rel in enumerate(INVENTORY_FILES):
        (_ROOT / rel).write_bytes(pieces[i % len(pieces)] if pieces else b"")
    collect_inventory(str(_ROOT)).to_json()


def cleanup() -> None:
    global _ROOT
    if _ROOT is not None:
        shutil.rmtree(_ROOT, ignore_errors=True)
        _ROOT = None


TARGETS = {
    "datagram": datagram, "machines": machines, "sealed": sealed, "image_header": image_header,
    "image_stream": image_stream, "sealed_image": sealed_image, "zisd": zisd, "inventory": inventory,
}
