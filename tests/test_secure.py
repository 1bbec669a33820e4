"""The secured-session layer alone: sealing, opening, replay windows, KDF bounds, and a whole
secured session (and its failures) on the simulated network."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from imgcast.engine import wire
from imgcast.engine.events import (
    AuthenticationFailed,
    ClientJoined,
    Joined,
    MasterIgnored,
    SessionFailed,
    SessionFinished,
    TransferStarted,
)
from imgcast.engine.naming import session_address
from imgcast.engine.protocol.client import NEEDS_PASSPHRASE
from imgcast.engine.protocol.common import ProtocolConfig
from imgcast.engine.secure.kdf import KdfError, KdfParams
from imgcast.engine.secure.machine import (
    NOT_SECURED,
    STALE_MASTER,
    WRONG_PASSPHRASE,
    SecuredMachine,
)
from imgcast.engine.secure.seal import (
    COUNTER_BITS,
    WINDOW,
    NonceExhausted,
    Opener,
    Sealer,
    new_run,
    session_key,
)
from simnet import SimNetwork

FAST = KdfParams(14, 8, 1)  # the cheapest accepted cost: tests derive many keys
SID = session_address("sim").session_id  # the simulator's session
PASS = b"correct horse battery staple"


def sealer(sender: int = 7, passphrase: bytes = PASS, **kwargs) -> Sealer:
    return Sealer(session_key(passphrase, SID, FAST), SID, sender, FAST, **kwargs)


def samples(sender: int = 7) -> list[bytes]:
    """One datagram of every kind, as the machines build them."""
    return [
        wire.build(wire.Kind.ANNOUNCE, SID, sender, role=1, state=0, host="m", image_name="x.imgcast",
                   stream_format=1, stream_size=10, disk_size=10, block_size=1418, slice_blocks=128,
                   joined=0, wanted=0, start_in_ms=wire.NO_DEADLINE),
        wire.build(wire.Kind.CLAIM, SID, sender, host="h", nonce=5),
        wire.build(wire.Kind.JOIN, SID, sender, host="h", address="1.2.3.4", capacity=wire.UNKNOWN_SIZE, mtu=1500),
        wire.build(wire.Kind.ACCEPT, SID, sender, client=3, accepted=True, reason=""),
        wire.build(wire.Kind.START, SID, sender, block_size=1418, slice_blocks=128, pass_no=1, clients=[1, 2, 3], catching_up=[]),
        wire.build_block(wire.Kind.DATA, SID, sender, 4, 2, 128, 99, b"secret" * 200),
        wire.build_block(wire.Kind.PARITY, SID, sender, 4, 130, 128, 99, b"parity" * 200),
        wire.build(wire.Kind.NAK, SID, sender, entries=[{"slice": 1, "missing": 2, "bitmap": wire.bitmap_of([0, 5])}]),
        wire.build(wire.Kind.END, SID, sender, slices=3, stream_size=99, sha256=bytes(32), pass_no=1),
        wire.build(wire.Kind.DONE, SID, sender, ok=True, sha256=bytes(32), size=99, reason=""),
        wire.build(wire.Kind.ACK, SID, sender, clients=[3]),
        wire.build(wire.Kind.ABORT, SID, sender, reason="bye"),
    ]


def test_every_kind_seals_and_opens_to_the_same_datagram_and_hides_its_body() -> None:
    seal, opener = sealer(), Opener(PASS, SID, own_sender=8)
    for datagram in samples():
        sealed = seal.seal(datagram)
        assert len(sealed) == len(datagram) + wire.SEAL_OVERHEAD
        assert wire.parse(sealed).kind is wire.Kind.SEALED
        assert opener.open(sealed) == datagram
        if len(datagram) > 60:
            assert datagram[wire.HEADER_SIZE + 8:][:16] not in sealed


def test_struct_twin_matches_the_construct_layout() -> None:
    sealed = sealer().seal(samples()[0])
    parsed = wire.parse(sealed)
    fields = wire.SEALED_HEADER.unpack_from(sealed)
    assert fields[5:] == (parsed.body.inner_kind, parsed.body.kdf.log2_n, parsed.body.kdf.r, parsed.body.kdf.p,
                          parsed.body.run, parsed.body.counter)


def test_a_wrong_passphrase_or_another_session_does_not_authenticate() -> None:
    datagram = samples()[5]
    sealed = sealer(passphrase=b"wrong").seal(datagram)
    opener = Opener(PASS, SID, own_sender=8)
    assert opener.open(sealed) is None and opener.last == "failed"
    other = session_address("other").session_id
    forged = Sealer(session_key(PASS, other, FAST), SID, 7, FAST).seal(datagram)  # right header, other key
    assert opener.open(forged) is None and opener.last == "failed"
    assert opener.counts.failed == 2


def test_every_flipped_bit_is_refused_and_nothing_raises() -> None:
    sealed = sealer().seal(samples()[5])
    opener = Opener(PASS, SID, own_sender=8)
    for at in range(0, len(sealed), 7):
        damaged = bytearray(sealed)
        damaged[at] ^= 0x10
        assert opener.open(bytes(damaged)) is None
    assert opener.open(sealed) is not None  # the window was not moved by the forgeries


def test_replays_are_rejected_reordering_within_the_window_is_not() -> None:
    seal, opener = sealer(), Opener(PASS, SID, own_sender=8)
    datagrams = [seal.seal(samples()[5]) for _ in range(10)]
    order = [0, 2, 1, 5, 3, 4, 9, 6, 8, 7]
    assert all(opener.open(datagrams[i]) is not None for i in order)
    for d in datagrams:
        assert opener.open(d) is None and opener.last == "replayed"
    old = seal.seal(samples()[5])
    for _ in range(WINDOW + 1):
        assert opener.open(seal.seal(samples()[5])) is not None
    assert opener.open(old) is None and opener.last == "replayed"  # fell out of the window


def test_a_run_opens_only_its_own_datagrams_once_bound() -> None:
    run, earlier = new_run(random.Random(1)), new_run(random.Random(2))
    now, then = sealer(run=run), sealer(sender=9, run=earlier)
    opener = Opener(PASS, SID, own_sender=8)
    assert opener.open(now.seal(samples()[5])) is not None and opener.last_run == run
    assert opener.open(then.seal(samples(9)[5])) is not None  # unbound: any run opens
    opener.bind(run, frozenset({int(wire.Kind.ANNOUNCE)}))
    assert opener.open(then.seal(samples(9)[5])) is None and opener.last == "stale"
    assert opener.open(then.seal(samples(9)[0])) is not None  # an announce of another run still opens
    assert opener.open(now.seal(samples()[5])) is not None


def test_a_counter_that_would_wrap_ends_instead_of_repeating_a_nonce() -> None:
    top = (5 << COUNTER_BITS) + (1 << COUNTER_BITS) - 2
    seal = sealer(counter=top)
    seal.seal(samples()[0])
    seal.seal(samples()[0])  # the last count of this epoch
    with pytest.raises(NonceExhausted):
        seal.seal(samples()[0])


def test_two_senders_with_the_same_id_draw_different_counters() -> None:
    a, b = sealer(rng=random.Random(1)), sealer(rng=random.Random(2))
    assert a.counter >> COUNTER_BITS != b.counter >> COUNTER_BITS


def test_kdf_cost_is_bounded_and_a_forged_cost_derives_nothing() -> None:
    for bad in (KdfParams(21, 8, 1), KdfParams(13, 8, 1), KdfParams(20, 16, 1), KdfParams(15, 8, 9)):
        with pytest.raises(KdfError):
            bad.check()
    sealed = bytearray(sealer().seal(samples()[0]))
    sealed[19] = 40  # log2_n = 40: 2^40 iterations if anyone believed it
    opener = Opener(PASS, SID, own_sender=8)
    assert opener.open(bytes(sealed)) is None and opener.last == "cost"
    for log2_n in (16, 17, 18, 19):  # more costs than a participant derives keys for
        sealed[19] = log2_n
        opener.open(bytes(sealed))
    assert len(opener._aeads) <= 3


# --- whole sessions on the simulated network -------------------------------------------------

CONFIG = ProtocolConfig(block_size=512 - wire.SEAL_OVERHEAD, slice_blocks=16, window_slices=32,
                        report_every_slices=4, master_timeout=5.0, client_timeout=5.0)


def secured(passphrase: bytes = PASS):
    return lambda machine: SecuredMachine(machine, passphrase, FAST)


def final(node):
    return next((e for e in node.events if isinstance(e, SessionFinished | SessionFailed)), None)


def test_a_secured_session_delivers_every_byte_through_loss() -> None:
    from simnet import Link

    data = random.Random(3).randbytes(300_000)
    net = SimNetwork(seed=4, config=CONFIG)
    master = net.add_master("m", data, wanted=3, wrap=secured())
    clients = [net.add_client(f"c{i}", link=Link(loss=0.03), wrap=secured()) for i in range(3)]
    net.run(lambda: all(n.machine.closed for n in [master, *clients]), max_time=60)
    assert all(bytes(c.written) == data for c in clients)
    assert isinstance(final(master), SessionFinished) and final(master).all_verified


def test_a_client_with_the_wrong_passphrase_is_told_within_a_few_seconds() -> None:
    net = SimNetwork(seed=5, config=CONFIG)
    net.add_master("m", b"x" * 5000, wrap=secured())
    client = net.add_client("c", wrap=secured(b"not it"))
    net.run(lambda: client.machine.closed, max_time=4)
    assert isinstance(final(client), SessionFailed) and final(client).reason == WRONG_PASSPHRASE


def test_a_secured_client_will_not_join_an_unsecured_master() -> None:
    net = SimNetwork(seed=6, config=CONFIG)
    net.add_master("m", b"x" * 5000)
    client = net.add_client("c", wrap=secured())
    net.run(lambda: client.machine.closed, max_time=4)
    assert final(client).reason == NOT_SECURED


def test_an_unsecured_client_says_the_session_is_secured() -> None:
    net = SimNetwork(seed=7, config=CONFIG)
    net.add_master("m", b"x" * 5000, wrap=secured())
    client = net.add_client("c")
    net.run(lambda: client.machine.closed, max_time=4)
    assert final(client).reason == NEEDS_PASSPHRASE


def test_one_forged_secured_announcement_does_not_turn_an_open_client_away() -> None:
    """A rogue's sealed ANNOUNCE reaches the waiting client before its (open) master starts:
    the client waits to hear whether an open master answers, and joins it."""
    from imgcast.engine.protocol.listener import MasterListener
    from rogue import Rogue

    net = SimNetwork(seed=9, config=CONFIG)
    net.add_node("rogue", Rogue(SID, now=0.0, rate=50, kinds=("sealed-announce",), stop=0.5))
    client = net.add_client("c")
    listener = MasterListener(SID, 12345, config=CONFIG)  # the own-disk client's first step
    net.add_node("listener", listener)
    net.run_for(4.0)  # the master is started late: the forgeries stopped long ago
    assert not client.machine.closed and not listener.closed
    net.add_master("m", b"x" * 5000, wanted=1)
    net.run(lambda: client.machine.closed, max_time=20)
    assert isinstance(final(client), SessionFinished), final(client)
    assert listener.failed is None and listener.heard is not None and listener.heard.host == "m"


def test_failures_are_said_once_with_their_count() -> None:
    from rogue import Rogue

    net = SimNetwork(seed=8, config=CONFIG)
    master = net.add_master("m", b"x" * 5000, wrap=secured())
    rogue = net.add_node("rogue", Rogue(SID, now=0.0, rate=200, block_size=CONFIG.block_size))
    net.run_for(3.0)
    said = [e for e in master.events if isinstance(e, AuthenticationFailed)]
    assert len(said) == 1 and said[0].count >= 10
    assert said[0].senders == (rogue.address,)  # who sent them: the admin can find that computer
    assert (f"failed authentication from {rogue.address}: that computer and this one have different "
            "passphrases, or it is an attack") in said[0].message


def test_rogue_forgeries_change_nothing_in_a_secured_session() -> None:
    from rogue import Rogue
    from simnet import Link

    data = random.Random(9).randbytes(400_000)
    net = SimNetwork(seed=10, config=CONFIG)
    master = net.add_master("m", data, wanted=2, wrap=secured())
    clients = [net.add_client(f"c{i}", link=Link(loss=0.02), wrap=secured()) for i in range(2)]
    rogue = Rogue(SID, now=0.0, rate=3000, block_size=CONFIG.block_size)
    net.add_node("rogue", rogue)
    net.run(lambda: all(n.machine.closed for n in [master, *clients]), max_time=60)
    assert rogue.sent > 1000 and rogue.recorded
    assert all(bytes(c.written) == data for c in clients)
    assert final(master).all_verified
    assert all(c.machine.opener.counts.replayed > 0 for c in clients)  # recorded datagrams played back


def test_forged_data_in_an_open_session_fails_the_sha256_check_never_succeeds() -> None:
    from rogue import Rogue

    data = random.Random(11).randbytes(1_000_000)
    net = SimNetwork(seed=12, config=replace(CONFIG, rate=2e6))
    master = net.add_master("m", data, wanted=1)
    client = net.add_client("c")
    net.run(lambda: client.machine.state.value == "joined", max_time=5)
    rogue = Rogue(SID, now=net.now, rate=5000, block_size=CONFIG.block_size, stop=net.now + 0.5, kinds=("data",))
    net.add_node("rogue", rogue)
    net.run(lambda: master.machine.closed and client.machine.closed, max_time=30)
    assert isinstance(final(client), SessionFailed) and "SHA-256" in final(client).reason
    assert final(master).failed and not final(master).verified


def test_a_passphrase_comes_from_a_files_first_line_or_the_terminal_without_echo(tmp_path, monkeypatch) -> None:
    import getpass

    from imgcast.engine.errors import UsageError
    from imgcast.engine.secure.kdf import read_passphrase

    (tmp_path / "p").write_bytes(b"first line\r\nsecond line\n")
    assert read_passphrase(str(tmp_path / "p")) == b"first line"
    asked = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "typed")
    assert read_passphrase("-") == b"typed" and asked == ["Passphrase: "]
    monkeypatch.setattr(getpass, "getpass", lambda prompt: "a" if prompt.startswith("Pass") else "b")
    with pytest.raises(UsageError, match="differ"):
        read_passphrase("-", confirm=True)
    for bad, message in ((tmp_path / "missing", "no such file"), (tmp_path, "folder")):
        with pytest.raises(UsageError, match=message):
            read_passphrase(str(bad))
    (tmp_path / "empty").write_bytes(b"\n")
    with pytest.raises(UsageError, match="empty"):
        read_passphrase(str(tmp_path / "empty"))


def test_a_forged_start_with_tiny_or_huge_blocks_is_refused_not_adopted() -> None:
    """A START whose block size this client's MTU does not allow is bogus (the master sizes for
    the least MTU, ours included); adopting block size 1 would have made the client's window
    millions of slices long, and a flood of forged blocks then filled the memory."""
    from fuzz_targets import MASTER, _transferring_client
    from fuzz_targets import SID as FUZZ_SID

    client = _transferring_client()
    before = client.params
    for block_size in (1, 65000):
        start = wire.build(wire.Kind.START, FUZZ_SID, MASTER, block_size=block_size, slice_blocks=255,
                           pass_no=1, clients=[client.sender], catching_up=[])
        client.receive_datagram(start, ("10.0.0.1", 9231), 0.5)
    assert client.params == before and not client.closed
    far = wire.build_block(wire.Kind.DATA, FUZZ_SID, MASTER, 4_000_000, 0, before.slice_blocks, 0,
                           bytes(before.block_size))
    client.receive_datagram(far, ("10.0.0.1", 9231), 0.6)
    assert len(client._slices) < 100


def test_a_forged_end_claiming_billions_of_slices_is_refused() -> None:
    from fuzz_targets import MASTER, _transferring_client
    from fuzz_targets import SID as FUZZ_SID

    client = _transferring_client()
    end = wire.build(wire.Kind.END, FUZZ_SID, MASTER, slices=4_000_000_000, stream_size=2**60, sha256=bytes(32), pass_no=1)
    client.receive_datagram(end, ("10.0.0.1", 9231), 0.5)
    assert len(client._slices) < 100 and client._total_slices is None


def record_a_run(seed: int, data: bytes):
    """A whole secured session, every datagram of it recorded (what a rogue could capture); its
    lobby lasts 6 s (a replay's announces pass the replay window once each: a lure lasts as long
    as the recording has announces)."""
    from rogue import Recorder

    net = SimNetwork(seed=seed, config=CONFIG)
    master = net.add_master("m", data, wanted=3, lobby_timeout=6.0, wrap=secured())
    clients = [net.add_client(f"c{i}", wrap=secured()) for i in range(2)]
    recorder = Recorder()
    net.add_node("recorder", recorder)
    net.run(lambda: all(n.machine.closed for n in [master, *clients]), max_time=60)
    assert final(master).all_verified
    kinds = {d[18] for _, d in recorder.heard}
    assert {wire.Kind.ANNOUNCE, wire.Kind.JOIN, wire.Kind.ACCEPT, wire.Kind.START, wire.Kind.DATA,
            wire.Kind.END, wire.Kind.DONE, wire.Kind.ACK} <= kinds
    return recorder.heard


def test_a_recorded_earlier_run_replayed_into_a_new_run_changes_nothing() -> None:
    from rogue import Replayer

    old = random.Random(20).randbytes(200_000)
    recording = record_a_run(21, old)
    data = random.Random(22).randbytes(300_000)
    net = SimNetwork(seed=23, config=CONFIG)  # same name and passphrase, a new run
    master = net.add_master("m", data, wanted=2, lobby_timeout=3.0, wrap=secured())
    client = net.add_client("c", wrap=secured())
    net.run(lambda: client.machine.bound is not None, max_time=5)
    # From now on the earlier run plays twice over: its lobby (announces, JOINs, ACCEPTs), START,
    # blocks, END, the old clients' reports and verdicts, the ACKs. The master's lobby waits 3 s
    # for a second client meanwhile, which only the replay could make up.
    replayer = Replayer(recording, start=net.now, times=2)
    net.add_node("replay", replayer)
    net.run(lambda: master.machine.closed and client.machine.closed and replayer.get_timer() is None, max_time=60)
    assert replayer.sent == 2 * len(recording)
    assert bytes(client.written) == data
    assert isinstance(final(client), SessionFinished)
    assert final(master).all_verified and len(final(master).verified) == 1
    assert len([e for e in master.events if isinstance(e, ClientJoined)]) == 1  # no phantom from the replay
    assert client.machine.opener.counts.stale > 100 and master.machine.opener.counts.stale > 100
    assert client.machine.opener.counts.failed == 0 and master.machine.opener.counts.failed == 0


def test_a_client_lured_by_a_replayed_run_says_why_and_joins_the_live_master() -> None:
    """The replay is heard first: the client tries to join it, gets no answer to its challenge,
    says so, ignores that run, and joins the live master that starts afterwards."""
    from rogue import Replayer

    recording = record_a_run(24, random.Random(25).randbytes(100_000))
    net = SimNetwork(seed=26, config=CONFIG)
    client = net.add_client("c", wrap=secured())
    net.add_node("replay", Replayer(recording, start=0.0, times=3))
    net.run(lambda: any(isinstance(e, MasterIgnored) for e in client.events), max_time=15)
    ignored = next(e for e in client.events if isinstance(e, MasterIgnored))
    assert ignored.reason == STALE_MASTER and not client.machine.closed
    assert not [e for e in client.events if isinstance(e, Joined | TransferStarted)]
    assert not client.written and client.machine.unproven > 0
    data = random.Random(27).randbytes(150_000)
    master = net.add_master("live", data, wanted=1, wrap=secured())
    net.run(lambda: client.machine.closed, max_time=60)
    assert isinstance(final(client), SessionFinished) and bytes(client.written) == data
    assert final(master).all_verified


@pytest.mark.parametrize(("master_pass", "listener_pass", "verdict"), [
    (PASS, b"not it", WRONG_PASSPHRASE), (PASS, None, NEEDS_PASSPHRASE), (None, PASS, NOT_SECURED)])
def test_the_own_disk_listener_gives_the_clients_verdicts(master_pass, listener_pass, verdict) -> None:
    from imgcast.engine.protocol.listener import MasterListener

    net = SimNetwork(seed=27, config=CONFIG)
    net.add_master("m", b"x" * 5000, wrap=secured(master_pass) if master_pass else None)
    listener = MasterListener(SID, 12345, config=CONFIG)
    node = net.add_node("listener", secured(listener_pass)(listener) if listener_pass else listener)
    net.run(lambda: node.machine.closed, max_time=4)
    assert listener.heard is None and listener.failed == verdict
    assert [e.reason for e in node.events if isinstance(e, SessionFailed)] == [verdict]


class _LowestNonce(random.Random):
    """A claimant whose nonce wins any contest (the lowest (nonce, sender) wins)."""

    def getrandbits(self, k: int) -> int:
        return 0


def _undecided(net: SimNetwork, name: str, rng: random.Random | None = None):
    from imgcast.engine.protocol.participant import Participant

    machine = Participant(SID, net.rng.getrandbits(32), now=net.now, host=name, can_master=True, config=CONFIG,
                          rng=rng or random.Random(name))
    return net.add_node(name, secured()(machine))


def _record_a_lobby_claim() -> list[tuple[float, bytes]]:
    """An earlier lobby of the same session and passphrase in which an operator pressed m, with
    the lowest nonce there can be: replayed, this CLAIM would beat every live one."""
    from rogue import Recorder

    net = SimNetwork(seed=30, config=CONFIG)
    claimant = _undecided(net, "old", rng=_LowestNonce())
    other = _undecided(net, "old2")
    recorder = Recorder()
    net.add_node("recorder", recorder)
    net.run_for(0.6)
    claimant.machine.claim(net.now)
    net.run(lambda: claimant.machine.closed and other.machine.closed, max_time=5)
    net.run_for(1.0)  # the claimant's CLAIMs go on while it waits (they are sent again each announce)
    assert other.machine.machine.master_id == claimant.machine.sender
    assert any(d[18] == wire.Kind.CLAIM for _, d in recorder.heard)
    return recorder.heard


def test_a_replayed_lobby_decides_nothing_for_undecided_participants() -> None:
    """The `m` key's contest in a secured session: an earlier lobby's CLAIM (the lowest nonce)
    and an earlier run's master announces, replayed, neither win the claim nor make anyone the
    client of a master that is not there; two operators pressing m still elect one master."""
    from rogue import Replayer

    claim = _record_a_lobby_claim()
    run = record_a_run(31, random.Random(32).randbytes(50_000))
    net = SimNetwork(seed=33, config=CONFIG)
    nodes = [_undecided(net, f"p{i}") for i in range(4)]
    net.add_node("replay-claim", Replayer(claim, start=0.0, times=8))
    net.add_node("replay-run", Replayer(run, start=0.0))
    net.run_for(3.0)
    assert not any(n.machine.closed for n in nodes)  # nobody followed the replayed master
    assert all(n.machine.unfresh > 0 for n in nodes)
    for node in nodes[:2]:  # two operators press m at the same moment
        assert node.machine.claim(net.now) is None
    net.run(lambda: all(n.machine.closed for n in nodes), max_time=10)
    roles = [n.machine.role for n in nodes]
    assert roles.count("master") == 1, roles
    winner = nodes[roles.index("master")]
    assert winner in nodes[:2]
    assert {n.machine.master_id for n in nodes} == {winner.machine.sender}
