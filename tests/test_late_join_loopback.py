"""A late joiner over real sockets on loopback, as an operator runs it: `img session` processes,
the master's source read a second time for the catch-up pass (issue 11)."""

from __future__ import annotations

import hashlib
import json
import os

from loopback_cli import finish, img, loopback_options, wait_for_event


def _events(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_a_computer_started_after_the_transfer_began_gets_the_whole_image(tmp_path, session_name):
    source = tmp_path / "disk.raw"
    source.write_bytes(os.urandom(12 << 20))
    common = loopback_options()
    early = img("session", session_name, "client", f"to={tmp_path / 'early.raw'}", *common)
    master = img("session", session_name, "master", "clients=1", f"from={source}", "--rate", "3M", *common)
    wait_for_event(master, "transfer_started")
    wait_for_event(master, "progress", seconds=10)  # sending for a moment: the late one misses the start
    late = img("session", session_name, "client", f"to={tmp_path / 'late.raw'}", *common)
    (m_status, m_out, m_err), (e_status, _, e_err), (l_status, l_out, l_err) = finish([master, early, late])
    assert (m_status, e_status, l_status) == (0, 0, 0), (m_err[-800:], e_err[-800:], l_err[-800:])
    want = hashlib.sha256(source.read_bytes()).digest()
    for name in ("early.raw", "late.raw"):
        assert hashlib.sha256((tmp_path / name).read_bytes()).digest() == want, name
    events = _events(m_out)
    assert any(e["event"] == "client_joined" and e["late"] for e in events)
    assert any(e["event"] == "pass_started" and e["pass_no"] == 2 for e in events)
    finished = next(e for e in events if e["event"] == "session_finished")
    assert len(finished["verified"]) == 2 and [c["late"] for c in finished["caught_up"]] == [True]
    assert any(e["event"] == "catching_up" for e in _events(l_out))


def test_no_late_join_turns_a_late_computer_away_with_the_reason(tmp_path, session_name):
    source = tmp_path / "disk.raw"
    source.write_bytes(os.urandom(6 << 20))
    common = loopback_options()
    early = img("session", session_name, "client", f"to={tmp_path / 'early.raw'}", *common)
    master = img("session", session_name, "master", "clients=1", f"from={source}", "--rate", "2M",
                 "--no-late-join", *common)
    wait_for_event(master, "transfer_started")
    late = img("session", session_name, "client", f"to={tmp_path / 'late.raw'}", *common)
    (m_status, _, _), (e_status, _, _), (l_status, l_out, l_err) = finish([master, early, late])
    assert (m_status, e_status) == (0, 0)
    assert l_status != 0 and "takes no late joiners" in l_err + l_out
