"""The rig itself: it builds a LAN of namespaces and leaves nothing behind, its hosts reach each
other by multicast, its links have the rate and MTU asked for, and its loss shim drops single
datagrams, also inside GRO-coalesced buffers, without corrupting the rest."""

from __future__ import annotations

import json
import select
import subprocess
import sys
from pathlib import Path

import pytest

from .rig import (
    HostSpec,
    Rig,
    RigError,
    parse_rate,
    read_fault_stats,
    rig_unavailable,
    sweep_stale_namespaces,
)

pytestmark = pytest.mark.skipif(rig_unavailable() is not None, reason=rig_unavailable() or "")

TOOLS = str(Path(__file__).with_name("udp_tools.py"))
GROUP = "239.231.0.9"


def root_links() -> list[str]:
    """Interface names of the root namespace (what the machine's real network sees)."""
    done = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, timeout=10, check=True)
    return sorted(line.split(":")[1].strip() for line in done.stdout.splitlines())


def namespaces(prefix: str) -> list[str]:
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=10, check=True)
    return [line.split()[0] for line in done.stdout.splitlines() if line.startswith(prefix)]


def start_receiver(host, *args: str, **faults) -> subprocess.Popen:
    """udp_tools receive on `host`, returned once it listens."""
    process = host.popen([sys.executable, TOOLS, "receive", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, **faults)
    ready, _, _ = select.select([process.stdout], [], [], 20)
    line = process.stdout.readline() if ready else ""
    if line.strip() != "ready":
        process.kill()
        pytest.fail(f"the receiver did not start: {line!r} {process.stderr.read()[-2000:]}")
    return process


def result_of(process: subprocess.Popen, timeout: float = 40) -> dict:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the receiver did not finish in {timeout} s: {err[-2000:]}")
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def test_parse_rate_knows_tc_units() -> None:
    assert parse_rate("100mbit") == 100e6
    assert parse_rate("1.5gbit") == 1.5e9
    assert parse_rate("500kbit") == 500e3
    assert parse_rate("12mbps") == 96e6
    assert parse_rate("1mibit") == 1024**2
    assert parse_rate("64000") == 64000
    with pytest.raises(ValueError):
        parse_rate("fast")


@pytest.mark.timeout(60)
def test_nothing_appears_in_the_root_namespace_and_everything_goes_away() -> None:
    before = root_links()
    with Rig([HostSpec("master"), HostSpec("h1"), HostSpec("h2", rate=None)], prefix="imgrigt1") as rig:
        assert root_links() == before
        made = namespaces("imgrigt1")
        assert len(made) == 4  # three hosts and the switch
        for host in rig.hosts.values():
            links = host.run(["ip", "-o", "link"]).stdout
            assert f" {host.interface}@" in links and host.address.startswith("10.231.")
        payload = rig.payload_rate("master")
        assert payload == pytest.approx(100e6 / 8 * 1472 / 1514)
        assert rig.payload_rate("h2") == float("inf")
    assert root_links() == before
    assert namespaces("imgrigt1") == []
    rig.close()  # idempotent


@pytest.mark.timeout(60)
def test_an_exception_inside_the_rig_still_tears_it_down_and_kills_its_processes() -> None:
    process = None
    with pytest.raises(RuntimeError, match="boom"):
        with Rig([HostSpec("a"), HostSpec("b")], prefix="imgrigt2") as rig:
            process = rig.hosts["a"].popen(["sleep", "600"])
            raise RuntimeError("boom")
    assert process is not None
    assert process.wait(timeout=10) != 0  # killed, not finished
    assert namespaces("imgrigt2") == []


@pytest.mark.timeout(60)
def test_a_build_that_fails_half_way_leaves_nothing() -> None:
    before = root_links()
    # tc refuses a zero rate, after the first host and the switch already exist
    with pytest.raises(RigError, match="tc"):
        with Rig([HostSpec("a"), HostSpec("b", rate="0mbit")], prefix="imgrigt3"):
            pass
    assert namespaces("imgrigt3") == []
    assert root_links() == before


@pytest.mark.timeout(30)
def test_namespaces_of_a_dead_process_are_swept() -> None:
    """A test run killed outright leaves its namespaces; the next rig removes them."""
    dead = 4194304 + 17  # above the largest pid Linux hands out
    stale = f"imgrigt4{dead}-1-h1"
    subprocess.run(["ip", "netns", "add", stale], check=True, timeout=10)
    try:
        subprocess.run(["ip", "-n", stale, "link", "add", "x0", "type", "veth", "peer", "name", "x1"],
                       check=True, timeout=10)
        assert sweep_stale_namespaces("imgrigt4") == [stale]
        assert namespaces("imgrigt4") == []
    finally:
        subprocess.run(["ip", "netns", "del", stale], capture_output=True, timeout=10)


@pytest.mark.timeout(60)
def test_hosts_reach_each_other_by_multicast_with_ttl_1() -> None:
    with Rig([HostSpec("master"), HostSpec("h1"), HostSpec("h2")]) as rig:
        master, h1, h2 = rig.hosts.values()
        receivers = [start_receiver(host, GROUP, "5001", "--join", host.address, "--count", "50",
                                    "--timeout", "20") for host in (h1, h2)]
        try:
            # no IP_MULTICAST_IF: the rig's multicast route picks the LAN
            sent = master.run([sys.executable, TOOLS, "send", GROUP, "5001", "--count", "50", "--gap", "0.002"])
            assert sent.returncode == 0, sent.stderr
            results = [result_of(process) for process in receivers]
        finally:
            for process in receivers:
                process.kill()
        for result in results:
            assert result["unique"] == 50 and result["corrupt"] == 0


@pytest.mark.timeout(60)
@pytest.mark.parametrize("shaped", ["sender", "receiver"])
def test_tbf_holds_a_udp_blast_to_the_link_rate(shaped: str) -> None:
    """20mbit on the sender's link limits its upload; on the receiver's, its download (the
    bridge port's queue). Either way about 20mbit of frames arrive, +-25 %."""
    specs = [HostSpec("tx", rate="20mbit" if shaped == "sender" else None),
             HostSpec("rx", rate="20mbit" if shaped == "receiver" else None)]
    with Rig(specs) as rig:
        tx, rx = rig.hosts["tx"], rig.hosts["rx"]
        receiver = start_receiver(rx, "0.0.0.0", "5002", "--raw", "--idle", "1", "--timeout", "20")
        try:
            blast = tx.run([sys.executable, TOOLS, "blast", rx.address, "5002", "--seconds", "2.5"], timeout=30)
            assert blast.returncode == 0, blast.stderr
            result = result_of(receiver)
        finally:
            receiver.kill()
        seconds = result["last"] - result["first"]
        rate = (result["bytes"] - 1472) / seconds
        expected = rig.payload_rate("tx" if shaped == "sender" else "rx")
        assert seconds > 1.5
        assert 0.75 * expected < rate < 1.25 * expected, f"{rate / 1e6:.2f} MB/s, link {expected / 1e6:.2f} MB/s"
        stats = (tx if shaped == "sender" else rx).link_stats()
        direction = "upload" if shaped == "sender" else "download"
        assert stats[f"{direction}_overlimits"] > 0  # tbf held packets back: it set the pace, not Python


@pytest.mark.timeout(60)
def test_each_host_gets_its_mtu_and_the_bridge_the_smallest() -> None:
    with Rig([HostSpec("a", mtu=9000), HostSpec("b", mtu=1500), HostSpec("c", mtu=4000)]) as rig:
        for host in rig.hosts.values():
            nic = json.loads(host.run(["ip", "-j", "link", "show", "dev", host.interface]).stdout)[0]
            port = json.loads(subprocess.run(["ip", "-n", rig.switch_netns, "-j", "link", "show", "dev", host.port],
                                             capture_output=True, text=True, timeout=10).stdout)[0]
            assert nic["mtu"] == port["mtu"] == host.spec.mtu
        bridge = json.loads(subprocess.run(["ip", "-n", rig.switch_netns, "-j", "link", "show", "dev", "br0"],
                                           capture_output=True, text=True, timeout=10).stdout)[0]
        assert bridge["mtu"] == 1500


@pytest.mark.timeout(90)
@pytest.mark.parametrize(("gro", "loss", "duplicate", "reorder"), [
    (True, 0.10, 0.0, 0.0),
    (False, 0.10, 0.0, 0.0),
    (True, 0.02, 0.05, 0.05),
])
def test_the_shim_drops_single_datagrams_also_inside_gro_buffers(
        tmp_path: Path, gro: bool, loss: float, duplicate: float, reorder: float) -> None:
    """10,000 datagrams sent 44 per GSO call (the last of each call shorter): the receiver
    sees the asked fraction lost, duplicated and reordered, and every datagram it gets intact."""
    count = 10000
    stats = tmp_path / "shim.stats"
    with Rig([HostSpec("tx", rate=None), HostSpec("rx", rate=None)]) as rig:
        tx, rx = rig.hosts["tx"], rig.hosts["rx"]
        receiver = start_receiver(rx, GROUP, "5003", "--join", rx.address, *(["--gro"] if gro else []),
                                  "--idle", "3", "--timeout", "40", loss=loss, duplicate=duplicate,
                                  reorder=reorder, seed=7, stats=stats)
        try:
            sent = tx.run([sys.executable, TOOLS, "send", GROUP, "5003", "--count", str(count), "--gso", "44",
                           "--short", "700", "--gap", "0.002", "--interface", tx.address], timeout=60)
            assert sent.returncode == 0, sent.stderr
            result = result_of(receiver)
        finally:
            receiver.kill()
        counts = read_fault_stats(stats)
        udp = rx.snmp()["Udp"]
    assert udp["RcvbufErrors"] == 0 and udp["InErrors"] == 0  # nothing lost before the shim
    assert result["corrupt"] == 0
    assert counts["datagrams"] >= count  # the data, and END markers up to the first kept one
    if gro:
        assert counts["gro_buffers"] > 100  # GRO really coalesced (228 GSO sends)
        assert result["gro_buffers"] > 100
    else:
        assert counts["gro_buffers"] == 0
    lost = 1 - result["unique"] / count
    assert abs(lost - loss) < max(0.015, loss * 0.15), f"{lost:.2%} lost, {loss:.0%} asked"
    assert counts["dropped"] / counts["datagrams"] == pytest.approx(loss, abs=0.015)
    # the shim may have duplicated an END marker the receiver no longer read
    assert 0 <= counts["duplicated"] - result["duplicates"] <= 2
    assert result["duplicates"] / count == pytest.approx(duplicate, abs=0.015)
    if reorder:
        assert result["out_of_order"] / count == pytest.approx(reorder, abs=0.02)
        assert counts["reordered"] > 0
    else:
        assert result["out_of_order"] == 0
