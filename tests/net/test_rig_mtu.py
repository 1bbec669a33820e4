"""Blocks sized to the path (issue 10) on real namespaces: sessions at MTU 1400, 1500 and
9000, a session whose clients differ in MTU, and a master told a larger MTU than its card
has. Every copy bit-exact; no host creates an IP fragment; the datagrams on the master's link
are as large as the smallest MTU allows (that is what saves CPU), never larger."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .rig import HostSpec, Rig, rig_unavailable
from .test_rig_faults import MiB, Session, assert_no_fragments, random_file

pytestmark = pytest.mark.skipif(rig_unavailable() is not None, reason=rig_unavailable() or "")

ETHERNET_HEADER = 14  # tc counts frames


def _copy_and_check(rig: Rig, tmp_path: Path, clients: list[str], size: int = 6 * MiB,
                    master_options: tuple[str, ...] = ()) -> Session:
    source = random_file(tmp_path / "source.raw", size)
    before = rig.hosts["master"].link_stats()
    session = Session(rig, tmp_path, source, clients, master_options=master_options)
    session.complete(90)
    assert_no_fragments(rig)
    after = rig.hosts["master"].link_stats()
    session.frames = (after["upload_packets"] - before["upload_packets"],  # type: ignore[attr-defined]
                      after["upload_bytes"] - before["upload_bytes"])
    return session


def _largest_frame_share(session: Session, mtu: int) -> float:
    """Bytes per frame the master sent, as a share of the largest frame the MTU allows."""
    packets, sent = session.frames  # type: ignore[attr-defined]
    return sent / packets / (mtu + ETHERNET_HEADER)


@pytest.mark.timeout(150)
@pytest.mark.parametrize("mtu", [1400, 1500, 9000])
def test_a_session_fills_datagrams_to_the_links_mtu(tmp_path: Path, mtu: int) -> None:
    hosts = [HostSpec(name, rate="1gbit", mtu=mtu) for name in ("master", "h1", "h2")]
    with Rig(hosts) as rig:
        session = _copy_and_check(rig, tmp_path, ["h1", "h2"])
    share = _largest_frame_share(session, mtu)
    print(f"\nMTU {mtu}: {session.frames[0]} frames from the master, {share:.0%} of the MTU on average")  # type: ignore[attr-defined]
    assert 0.9 < share <= 1.0, f"frames average {share:.0%} of MTU {mtu}"


@pytest.mark.timeout(150)
def test_a_client_on_a_smaller_mtu_gets_blocks_that_fit_it(tmp_path: Path) -> None:
    hosts = [HostSpec("master", rate="1gbit", mtu=9000), HostSpec("h1", rate="1gbit", mtu=9000),
             HostSpec("h2", rate="1gbit", mtu=1400), HostSpec("h3", rate="1gbit", mtu=1500)]
    with Rig(hosts) as rig:
        session = _copy_and_check(rig, tmp_path, ["h1", "h2", "h3"])
    share = _largest_frame_share(session, 1400)
    assert 0.9 < share <= 1.0, f"frames average {share:.0%} of the smallest MTU, 1400"


@pytest.mark.timeout(120)
def test_a_send_the_kernel_refuses_ends_the_session_with_one_line(tmp_path: Path) -> None:
    """The master's card has MTU 1400 but --mtu says 1500: the first block is refused
    (Don't Fragment). One line names the card and its MTU; the client is told; nothing hangs."""
    hosts = [HostSpec("master", mtu=1400), HostSpec("h1", mtu=1500)]
    with Rig(hosts) as rig:
        source = random_file(tmp_path / "source.raw", 2 * MiB)
        session = Session(rig, tmp_path, source, ["h1"], master_options=("--mtu", "1500"))
        try:
            session.wait(session.everyone, 60)
        finally:
            session.kill_all()
        assert_no_fragments(rig)
    master, client = session.master, session.clients["h1"]
    assert master.process.returncode == 1, master.describe()
    errors = [line for line in master.err if line.strip()]
    assert len(errors) == 1 and "Traceback" not in "\n".join(master.err), master.describe()
    assert "eth0 (MTU 1400)" in errors[0] and "1500" in errors[0] and "--mtu" in errors[0], errors
    assert client.process.returncode == 1, client.describe()
    assert "MTU 1400" in client.final().get("reason", ""), client.describe()


def test_mtu_out_of_range_is_one_line(tmp_path: Path) -> None:
    import subprocess

    source = random_file(tmp_path / "source.raw", MiB)
    for bad in ("67", "65536", "0"):
        done = subprocess.run([sys.executable, "-m", "imgcast.engine.cli.main", "session", "mtutest", "master",
                               f"from={source}", "--mtu", bad], capture_output=True, text=True, timeout=30)
        assert done.returncode == 2, done
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and f"--mtu {bad}" in lines[0] and "68" in lines[0], done.stderr
