"""A secured session on the rig: real hosts in network namespaces, lossy 100 Mbit/s links, and a
rogue on a host of its own that knows the session name but not the passphrase. Every copy comes
out bit for bit, nothing is fragmented (sealing's 28 bytes come off the blocks), and the forgeries
are counted, not obeyed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .rig import HostSpec, Rig, rig_unavailable
from .test_rig_faults import Session, assert_no_fragments, random_file, sha256

pytestmark = pytest.mark.skipif(rig_unavailable() is not None, reason=rig_unavailable() or "")

ROGUE = Path(__file__).resolve().parents[1] / "rogue.py"
MiB = 1 << 20


class SecuredSession(Session):
    secret: Path

    def _network(self, host: str) -> list[str]:
        return [*super()._network(host), "--passphrase-file", str(self.secret)]


@pytest.fixture(scope="module")
def lan() -> Iterator[Rig]:
    with Rig([HostSpec("master"), HostSpec("h1"), HostSpec("h2"), HostSpec("rogue")], prefix="imgrigs") as rig:
        yield rig


@pytest.mark.timeout(150)
def test_a_secured_session_with_a_rogue_on_the_lan_copies_bit_exact(lan: Rig, tmp_path: Path) -> None:
    secret = tmp_path / "passphrase"
    secret.write_text("rig passphrase\n")
    secret.chmod(0o600)
    source = random_file(tmp_path / "source.raw", 8 * MiB)
    SecuredSession.secret = secret
    session = SecuredSession(lan, tmp_path, source, ["h1", "h2"], loss=0.02)
    rogue = lan.hosts["rogue"].popen(
        [sys.executable, str(ROGUE), session.name, "--port", session.port, "--seconds", "60", "--rate", "2000",
         "--interface", lan.hosts["rogue"].address, "--ttl", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        session.wait(session.everyone, 120)
    finally:
        session.kill_all()
        rogue.kill()
        _, rogue_err = rogue.communicate()
    for p in session.everyone:
        assert p.process.returncode == 0, p.describe()
    finished = session.master.final()
    assert finished["event"] == "session_finished" and len(finished["verified"]) == 2, finished
    for name, target in session.targets.items():
        assert sha256(target) == sha256(source), f"{name}'s copy differs"
    opened = next(e for e in session.master.events() if e["event"] == "lobby_opened")
    assert opened["secured"] is True
    said = [e for p in session.everyone for e in p.events() if e["event"] == "authentication_failed"]
    assert said, f"the rogue's forgeries never arrived: {rogue_err[-1000:]}"
    assert_no_fragments(lan)
