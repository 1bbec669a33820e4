"""Multicast UDP sockets: the only place imgcast opens one.

Every participant binds the session's group and port (SO_REUSEPORT, so several participants
share one computer in demos and tests), joins the group on the chosen interface, sends with
the chosen TTL, and loops its multicast back so participants on the same host hear each
other. Large socket buffers absorb bursts; UDP GSO sends many datagrams per system call and
GRO receives them the same way, where the kernel offers them.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import socket
import struct
from dataclasses import dataclass

from ..errors import UsageError

SOL_UDP = 17
UDP_SEGMENT = 103  # GSO: datagrams of this size, back to back, in one send
UDP_GRO = 104  # GRO: receive a run of same-size datagrams in one call
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # the kernel's arrival time of each datagram
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
SO_SNDBUFFORCE = getattr(socket, "SO_SNDBUFFORCE", 32)
IP_MTU_DISCOVER = getattr(socket, "IP_MTU_DISCOVER", 10)
IP_PMTUDISC_DONT, IP_PMTUDISC_DO = 0, 2
BUFFER_BYTES = 32 * 1024 * 1024
GSO_MAX_BYTES = 65000  # one GSO send stays within one 64 KiB IP packet


@dataclass
class MulticastSocket:
    sock: socket.socket
    group: str
    port: int
    interface: str
    gso: bool
    gro: bool
    interface_name: str = ""  # the network card that owns `interface` ("" if not found)
    mtu: int = 0  # its MTU (0: not known)

    @property
    def destination(self) -> tuple[str, int]:
        return (self.group, self.port)

    def send_control(self, data: bytes | memoryview) -> int:
        """Send a control datagram. Blocks are sized to the MTU and sent with Don't Fragment, so
        the kernel refuses rather than fragments them; a control datagram larger than the MTU is
        let through in fragments (the socket's setting is flipped for that one send)."""
        try:
            return self.sock.sendto(data, self.destination)
        except OSError as error:
            if error.errno != errno.EMSGSIZE:
                raise
        self.sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
        try:
            return self.sock.sendto(data, self.destination)
        finally:
            self.sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)

    def close(self) -> None:
        self.sock.close()


def check_interface(interface: str) -> str:
    """The --interface value as an IPv4 address string, or a one-line UsageError."""
    try:
        address = ipaddress.IPv4Address(interface)
    except ValueError:
        raise UsageError(f"--interface {interface!r}: give the IPv4 address of the network card to use, e.g. 192.168.1.20") from None
    if address.is_multicast:
        raise UsageError(f"--interface {interface}: that is a multicast group, not a local address")
    return str(address)


def interface_for(group: str, interface: str) -> str:
    """The interface to use: the one asked for, or (none asked for: 0.0.0.0) the kernel's route
    to the group; and where there is none (an imaging room's own switch often has no gateway,
    so no default route) the one network card that has an IPv4 address, if there is one."""
    if interface != "0.0.0.0" or routed_source(group) is not None:
        return interface
    return choose_card(_cards_with_ipv4())


def routed_source(group: str) -> str | None:
    """The local address the kernel would send to `group` from, or None with no route to it.
    No packet is sent: connecting a UDP socket only picks a route."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((group, 9))
            return probe.getsockname()[0]
    except OSError:
        return None


def choose_card(cards: list[tuple[str, str]]) -> str:
    """The address of the one card among (name, address) pairs (its first address: several on
    one card all leave by it), or a one-line UsageError saying what to give."""
    names = dict.fromkeys(name for name, _ in cards)
    if len(names) == 1:
        return cards[0][1]
    if not cards:
        raise UsageError("no network card of this computer is up with an IPv4 address "
                         "(is the cable in? did DHCP answer?); give --interface ADDRESS once one is")
    listed = ", ".join(f"{name} {address}" for name, address in cards)
    raise UsageError(f"this computer has no route for multicast and several network cards ({listed}): "
                     "give --interface ADDRESS of the one on the imaging network")


def _cards_with_ipv4() -> list[tuple[str, str]]:
    """(name, IPv4 address) of every card that is up, loopback left out, link-local last."""
    import psutil  # (only here: a computer with a route never needs it)

    try:
        addresses, stats = psutil.net_if_addrs(), psutil.net_if_stats()
    except OSError:
        return []
    cards = [(name, a.address) for name, found in addresses.items() for a in found
             if a.family == socket.AF_INET and name in stats and stats[name].isup
             and not ipaddress.IPv4Address(a.address).is_loopback]
    return sorted(cards, key=lambda card: ipaddress.IPv4Address(card[1]).is_link_local)


def open_multicast_socket(group: str, port: int, interface: str, ttl: int) -> MulticastSocket:
    """A non-blocking socket joined to `group` on the interface that owns `interface`."""
    interface = check_interface(interface)
    if not 0 <= ttl <= 255:
        raise UsageError(f"--ttl {ttl}: use 0..255 (1 keeps the session on this network segment)")
    if not 1 <= port <= 65535:
        raise UsageError(f"--port {port}: use 1..65535")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        _big_buffers(sock)
        try:
            sock.bind((group, port))  # only this group's datagrams, not every group on the port
        except OSError:
            sock.bind(("", port))
        membership = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(interface))
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        except OSError as error:
            raise UsageError(f"--interface {interface}: cannot join {group} there ({error.strerror}); "
                             "is that an address of this computer?") from None
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        sock.setblocking(False)
        gro = _try_option(sock, SOL_UDP, UDP_GRO, 1)
        # Arrival times from the kernel: queueing delay measured without our own scheduling
        # delay in it (a busy computer wakes its receiver late; that is not the network's queue).
        _try_option(sock, socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        # Our own interface's queue overflowing is reported (ENOBUFS) instead of dropped silently.
        _try_option(sock, socket.IPPROTO_IP, IP_RECVERR, 1)
        # Don't Fragment on everything we send: a block that does not fit the path is refused
        # (EMSGSIZE), never silently cut into fragments that multiply loss.
        _try_option(sock, socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
        gso = _gso_works(sock)
        name, mtu = interface_mtu(interface)
        return MulticastSocket(sock, group, port, interface, gso, gro, name, mtu)
    except BaseException:
        sock.close()
        raise


def interface_mtu(address: str) -> tuple[str, int]:
    """(name, MTU) of the network card that owns `address`; for 0.0.0.0, the card the default
    multicast route leaves by. ("", 0) when it cannot be told.

    Asked of the kernel with two ioctls per card first: importing psutil costs a process 20 ms
    of CPU, for one number. The ioctl sees only each card's first address, so a secondary one
    is looked up through psutil (getifaddrs lists them all)."""
    address = local_address_for(address)
    try:
        wanted = socket.inet_aton(address)
    except OSError:
        return "", 0
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            for _, name in socket.if_nameindex():
                request = struct.pack("16s16x", name.encode()[:15])
                try:
                    owned = fcntl.ioctl(probe, SIOCGIFADDR, request)[20:24]
                    if owned == wanted:
                        return name, struct.unpack("=i", fcntl.ioctl(probe, SIOCGIFMTU, request)[16:20])[0]
                except OSError:  # a card without an IPv4 address
                    continue
    except OSError:
        pass
    return _interface_mtu_by_psutil(address)


def _interface_mtu_by_psutil(address: str) -> tuple[str, int]:
    import psutil

    try:
        cards = psutil.net_if_addrs()
        stats = psutil.net_if_stats()
    except OSError:
        return "", 0
    for name, addresses in cards.items():
        if any(a.family == socket.AF_INET and a.address == address for a in addresses) and name in stats:
            return name, stats[name].mtu
    return "", 0


SIOCGIFADDR = 0x8915  # struct ifreq: the name, then a sockaddr_in (address at bytes 20..24)
SIOCGIFMTU = 0x8921  # struct ifreq: the name, then an int


def _big_buffers(sock: socket.socket) -> None:
    for force, plain in ((SO_RCVBUFFORCE, socket.SO_RCVBUF), (SO_SNDBUFFORCE, socket.SO_SNDBUF)):
        if not _try_option(sock, socket.SOL_SOCKET, force, BUFFER_BYTES):
            _try_option(sock, socket.SOL_SOCKET, plain, BUFFER_BYTES)


def _try_option(sock: socket.socket, level: int, option: int, value: int) -> bool:
    try:
        sock.setsockopt(level, option, value)
        return True
    except OSError:
        return False


def _gso_works(sock: socket.socket) -> bool:
    """GSO needs Linux 4.18+; asking for the option's value tells whether the kernel knows it."""
    try:
        sock.getsockopt(SOL_UDP, UDP_SEGMENT)
        return True
    except OSError:
        return False


def gso_control(segment_size: int) -> list[tuple[int, int, bytes]]:
    return [(SOL_UDP, UDP_SEGMENT, struct.pack("=H", segment_size))]


IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
_TIMESPEC = struct.Struct("=qq")


def read_ancillary(ancillary: list[tuple[int, int, bytes]]) -> tuple[int | None, float | None]:
    """(GRO segment size, kernel arrival time on the wall clock) from a receive's control data."""
    segment = stamp = None
    for level, kind, data in ancillary:
        if level == SOL_UDP and kind == UDP_GRO and len(data) >= 4:
            segment = struct.unpack("=i", data[:4])[0]
        elif level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
            seconds, nanoseconds = _TIMESPEC.unpack_from(data)
            stamp = seconds + nanoseconds * 1e-9
    return segment, stamp


def drain_errors(sock: socket.socket) -> None:
    """Empty the socket's error queue (IP_RECVERR): left there, it keeps the socket readable."""
    for _ in range(64):
        try:
            sock.recvmsg(512, 512, socket.MSG_ERRQUEUE)
        except OSError:
            return


def local_address_for(interface: str) -> str:
    """The address this computer is known by on that interface (for the master's client list)."""
    if interface != "0.0.0.0":
        return interface
    return routed_source("231.0.0.1") or "0.0.0.0"


SO_ATTACH_FILTER = getattr(socket, "SO_ATTACH_FILTER", 26)
UDP_HEADER = 8  # a UDP socket's filter sees the packet from its UDP header


def ignore_own_blocks(endpoint: MulticastSocket, sender: int) -> bool:
    """Ask the kernel to drop our own DATA/PARITY datagrams looped back to our socket.

    Multicast loopback must stay on so clients on this computer hear the master, but then the
    master's socket receives every block it sends: at full speed that is a second copy of the
    whole stream through the master for nothing. A classic BPF filter on the socket drops them
    before they are queued; where the kernel has no such filters, the master skips them itself.
    """
    import ctypes

    ld_b, ld_w, jeq, ret = 0x30, 0x20, 0x15, 0x06  # BPF_LD|BPF_B|BPF_ABS, ...|BPF_W|..., BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
    program = [
        (ld_b, 0, 0, UDP_HEADER + 5),  # kind
        (jeq, 2, 0, 6),  # DATA -> check the sender
        (jeq, 1, 0, 7),  # PARITY -> check the sender
        (jeq, 0, 3, 14),  # SEALED (a secured session: all of ours) -> check the sender, else keep
        (ld_w, 0, 0, UDP_HEADER + 14),  # sender id (big-endian, as BPF loads words)
        (jeq, 0, 1, sender),
        (ret, 0, 0, 0),  # ours: drop
        (ret, 0, 0, 0x40000),  # anything else: keep whole
    ]
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *op) for op in program))
    fprog = struct.pack("HL", len(program), ctypes.addressof(code))
    try:
        endpoint.sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    except OSError:
        return False
    return True
