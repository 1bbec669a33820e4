"""Slow clients and late joiners (issue 11) on the rig: whole `img session` processes, one
per host, a 10 Mbit/s host among 100 Mbit/s ones, and a client started after the transfer
began. Behaviour only (who exits when, with what, and what the master says); how fast is
bench/bench_slow.py's business."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .rig import HostSpec, Rig, rig_unavailable
from .test_rig_faults import (
    IMG,
    MiB,
    Participant,
    Session,
    assert_no_fragments,
    random_file,
    sha256,
)

pytestmark = pytest.mark.skipif(rig_unavailable() is not None, reason=rig_unavailable() or "")

FAST = ["h1", "h2", "h3"]
SLOW = "h4"
LATE = "h4"
LATE_AFTER = 2.0  # seconds after the master's transfer_started


def slow_room() -> Rig:
    """A master and three clients at 100 Mbit/s, one client at 10 Mbit/s."""
    return Rig([HostSpec("master"), *(HostSpec(name) for name in FAST), HostSpec(SLOW, rate="10mbit")])


def even_room() -> Rig:
    """A master and four clients, every link at 100 Mbit/s."""
    return Rig([HostSpec("master"), *(HostSpec(name) for name in [*FAST, LATE])])


def wait_for_event(session: Session, participant: Participant, name: str, seconds: float = 30) -> dict:
    """The first event `name` of `participant`; fails the test (saying what everyone did) past `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [e for e in participant.events() if e["event"] == name]
        if found:
            return found[0]
        if participant.poll() is not None:
            break
        time.sleep(0.02)
    pytest.fail(f"no {name} from {participant.host.name} within {seconds:g} s:\n"
                + "\n".join(p.describe() for p in session.everyone))


def start_late_client(session: Session, name: str, tmp_path: Path) -> Participant:
    """One more client, started now, exactly as Session starts its own (its copy is checked
    by Session.complete with the others')."""
    session.targets[name] = tmp_path / f"{name}.raw"
    session.stats[name] = tmp_path / f"{name}.shim"
    participant = Participant(session.rig.hosts[name], [
        *IMG, "session", session.name, "client", f"to={session.targets[name]}", *session._network(name)],
        seed=len(session.clients) + 1, stats=session.stats[name], **session.faults)
    session.clients[name] = participant
    return participant


def client_ids(master: Participant) -> dict[str, str]:
    """Host address -> client id, from the master's client_joined events (the rig's hosts all
    share the machine's host name, so the address tells them apart)."""
    return {e["client"]["address"]: e["client"]["client_id"] for e in master.events() if e["event"] == "client_joined"}


def written_by(participant: Participant, moment: float) -> int:
    """Bytes `participant` had reported written (its progress events) by `moment` (monotonic)."""
    done = 0
    for line, at in zip(list(participant.out), list(participant.arrivals), strict=False):
        if at <= moment and line.startswith("{"):
            event = json.loads(line)
            if event["event"] == "progress":
                done = max(done, event["done"])
    return done


def one_line_reason(participant: Participant) -> str:
    """What a failed `img` said on stderr: exactly one non-empty line."""
    lines = [line for line in participant.err if line.strip()]
    assert len(lines) == 1, f"{participant.host.name}: expected one line on stderr, got {lines!r}"
    return lines[0]


@pytest.mark.timeout(90)
def test_under_catch_up_the_fast_finish_first_and_the_10mbit_host_catches_up(tmp_path: Path) -> None:
    """8 MiB: the slow link needs about 7 s, the fast ones under 1 s. Every copy is bit-exact,
    the three fast clients exit before the slow one, and the master lists it as caught up."""
    size = 8 * MiB
    source = random_file(tmp_path / "source.raw", size)
    with slow_room() as rig:
        session = Session(rig, tmp_path, source, [*FAST, SLOW], master_options=("--slow-clients", "catch-up"))
        session.complete(60)
        slow = session.clients[SLOW]
        timelines = "\n".join(f"{p.host.name}: {' '.join(m for m in p.timeline(session.started).split() if not m.startswith('client_progress@'))}"
                              for p in session.everyone)
        for name in FAST:
            fast = session.clients[name]
            assert fast.ended is not None and slow.ended is not None
            assert fast.ended < slow.ended, f"{name} exited after {SLOW} (10 Mbit/s):\n{timelines}"
            # they did not wait for it: when each exited, the slow host had not written half the image
            assert written_by(slow, fast.ended) < size // 2, (
                f"{name} exited only when {SLOW} had written {written_by(slow, fast.ended)} bytes:\n{timelines}")
        finished = session.master.final()
        assert finished["event"] == "session_finished" and len(finished["verified"]) == 4, finished
        ids = client_ids(session.master)
        slow_id = ids[rig.hosts[SLOW].address]
        caught_up = {entry["client_id"]: entry for entry in finished["caught_up"]}
        assert slow_id in caught_up, f"{SLOW} ({slow_id}) not among the caught up: {finished['caught_up']}"
        assert caught_up[slow_id]["late"] is False
        catching = [e for e in session.master.events() if e["event"] == "client_catching_up"]
        assert slow_id in {e["client"]["client_id"] for e in catching}, catching
        assert_no_fragments(rig)


@pytest.mark.timeout(90)
def test_a_client_started_2s_into_the_transfer_joins_late_and_copies_bit_exact(tmp_path: Path) -> None:
    """Three clients start a 24 MiB session capped at 4 MB/s (about 6 s of transfer); a fourth
    starts 2 s after the transfer began. It joins the same session (the master says late=true),
    and every copy, its own too, is bit-exact."""
    source = random_file(tmp_path / "source.raw", 24 * MiB)
    with even_room() as rig:
        session = Session(rig, tmp_path, source, FAST, master_options=("--rate", "4M"))
        try:
            wait_for_event(session, session.master, "transfer_started")
            time.sleep(LATE_AFTER)
            late = start_late_client(session, LATE, tmp_path)
        except BaseException:
            session.kill_all()
            raise
        session.complete(75)
        events = session.master.events()
        joined = [e for e in events if e["event"] == "client_joined"
                  and e["client"]["address"] == rig.hosts[LATE].address]
        assert len(joined) == 1 and joined[0]["late"] is True, joined
        kinds = [e["event"] for e in events]
        assert kinds.index("transfer_started") < events.index(joined[0]), "joined before the transfer began"
        finished = session.master.final()
        late_id = joined[0]["client"]["client_id"]
        assert late_id in {peer["client_id"] for peer in finished["verified"]}, finished
        assert late.final().get("event") == "session_finished", late.describe()
        assert_no_fragments(rig)


@pytest.mark.timeout(90)
def test_under_drop_the_10mbit_host_is_dropped_with_the_reason_and_the_others_verify(tmp_path: Path) -> None:
    """drop:5M (bytes/s) with one host at 10 Mbit/s (about 1.2 MB/s of payload): it stays below
    that rate, so it is dropped, and both the master and the host say why. 24 MiB would take
    it 20 s, well past the 10 s the policy allows."""
    source = random_file(tmp_path / "source.raw", 24 * MiB)
    with slow_room() as rig:
        session = Session(rig, tmp_path, source, [*FAST, SLOW], master_options=("--slow-clients", "drop:5M"))
        try:
            session.wait(session.everyone, 60)
        finally:
            session.kill_all()
        expected = sha256(source)
        for name in FAST:
            assert session.clients[name].process.returncode == 0, session.clients[name].describe()
            assert sha256(session.targets[name]) == expected, f"{name}'s copy differs"
        slow = session.clients[SLOW]
        assert slow.process.returncode not in (0, None), slow.describe()
        reason = one_line_reason(slow)
        assert "drop" in reason.lower(), f"{SLOW} does not say it was dropped: {reason!r}"
        slow_address = rig.hosts[SLOW].address
        dropped = [e for e in session.master.events() if e["event"] == "client_dropped"]
        assert [e["client"]["address"] for e in dropped] == [slow_address], dropped
        assert dropped[0]["reason"].strip(), dropped
        finished = session.master.final()
        assert finished["event"] == "session_finished", session.master.describe()
        assert [peer["address"] for peer in finished["dropped"]] == [slow_address], finished
        assert len(finished["drop_reasons"]) == 1 and finished["drop_reasons"][0].strip(), finished
        assert len(finished["verified"]) == 3, finished
        assert_no_fragments(rig)


@pytest.mark.timeout(90)
def test_with_no_late_join_a_late_client_is_refused_in_one_line(tmp_path: Path) -> None:
    """As the late-join test, but the master says --no-late-join: the fourth client exits 1
    with a one-line reason, the master never lists it, the others verify."""
    source = random_file(tmp_path / "source.raw", 24 * MiB)
    with even_room() as rig:
        session = Session(rig, tmp_path, source, FAST, master_options=("--rate", "4M", "--no-late-join"))
        try:
            wait_for_event(session, session.master, "transfer_started")
            time.sleep(LATE_AFTER)
            late = start_late_client(session, LATE, tmp_path)
            session.wait(session.everyone, 75)
        finally:
            session.kill_all()
        assert late.process.returncode == 1, late.describe()
        reason = one_line_reason(late)
        assert reason.startswith("img: "), reason
        assert late.final().get("event") == "session_failed", late.describe()
        late_address = rig.hosts[LATE].address
        assert late_address not in client_ids(session.master), "the master let the late client join"
        expected = sha256(source)
        for name in FAST:
            assert session.clients[name].process.returncode == 0, session.clients[name].describe()
            assert sha256(session.targets[name]) == expected, f"{name}'s copy differs"
        assert session.master.process.returncode == 0, session.master.describe()
        assert_no_fragments(rig)
