"""The interface a session uses when none is given: the kernel's route to the group, and on a
LAN with no route off its subnet (an imaging room's own switch, no gateway) the one network
card that has an address. Before, such a LAN failed every session that lacked --interface with
"cannot join ... (No such device)"."""

from __future__ import annotations

from pathlib import Path

import pytest
from imgcast.engine.errors import UsageError
from imgcast.engine.net.sockets import choose_card

from .rig import HostSpec, Rig, rig_unavailable
from .test_rig_faults import MiB, Session, random_file


def test_one_card_is_chosen_and_its_first_address_used() -> None:
    assert choose_card([("eth0", "10.1.2.3")]) == "10.1.2.3"
    assert choose_card([("eth0", "10.1.2.3"), ("eth0", "169.254.7.7")]) == "10.1.2.3"


def test_several_cards_or_none_are_one_line_that_says_what_to_give() -> None:
    with pytest.raises(UsageError, match=r"several network cards \(eth0 10.1.2.3, wlan0 192.168.9.4\).*--interface"):
        choose_card([("eth0", "10.1.2.3"), ("wlan0", "192.168.9.4")])
    with pytest.raises(UsageError, match="no network card .* IPv4 address") as error:
        choose_card([])
    assert "\n" not in str(error.value)


@pytest.mark.skipif(rig_unavailable() is not None, reason=rig_unavailable() or "")
@pytest.mark.timeout(120)
def test_a_session_without_interface_works_on_a_lan_without_any_route(tmp_path: Path) -> None:
    specs = [HostSpec(name, rate=None, multicast_route=False) for name in ("master", "h1", "h2")]
    with Rig(specs) as lan:
        source = random_file(tmp_path / "source.raw", 4 * MiB)
        session = Session(lan, tmp_path, source, ["h1", "h2"], interface=False)
        session.complete(60)  # every process exits 0, every copy bit-exact
        finished = session.master.final()
        assert {c["address"] for c in finished["verified"]} == {lan.hosts["h1"].address, lan.hosts["h2"].address}
