"""Every parser of untrusted input under hypothesis, bounded: a few hundred inputs per target
and a wall-clock budget each (see tests/fuzz_targets.py; tests/fuzz_atheris.py runs longer)."""

from __future__ import annotations

import time

import pytest
from fuzz_targets import TARGETS, cleanup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = {"machines": 150, "sealed": 150, "inventory": 60}
BUDGET = 6.0  # seconds per target at most, whatever the machine's speed
RATES: dict[str, float] = {}


class _OutOfTime(Exception):
    pass


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_untrusted_bytes_raise_only_the_parsers_own_errors(name: str) -> None:
    target, runs, start = TARGETS[name], [0], time.monotonic()

    @settings(max_examples=EXAMPLES.get(name, 400), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=3000))
    def fuzz(data: bytes) -> None:
        if time.monotonic() - start > BUDGET:
            return  # out of budget: the remaining examples pass at once
        target(data)
        runs[0] += 1

    try:
        fuzz()
    finally:
        if name == "inventory":
            cleanup()
    RATES[name] = runs[0] / max(1e-9, time.monotonic() - start)
    assert runs[0] >= 20


def test_fuzz_targets_reach_the_middle_of_a_session() -> None:
    """The machine targets fuzz a client and a master that are transferring, not just waiting."""
    from fuzz_targets import _transferring_client, _transferring_master

    assert _transferring_client().state.value == "transfer"
    assert _transferring_master().phase.value == "transfer"


@pytest.mark.parametrize("name", sorted(set(TARGETS) - {"inventory"}))
def test_length_fields_are_checked_before_memory_is_taken(name: str) -> None:
    """All-ones bytes put every length and count field at its maximum: what the parsers allocate
    stays small (they check a length against the bytes there before believing it)."""
    import tracemalloc

    TARGETS[name](b"")  # first-use setup (keys, sample images) outside the measurement
    tracemalloc.start()
    try:
        for data in (b"\xff" * 64, b"\xff" * 3000, b"\x00" + b"\xff" * 3000, b"\x02" + b"\xff" * 3000):
            TARGETS[name](data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{name}: {peak:,} bytes at peak"


def test_report_rates() -> None:
    """IMGCAST_FUZZ_RATES=1 pytest -s tests/test_fuzz.py: executions per second of each target."""
    import os

    if os.environ.get("IMGCAST_FUZZ_RATES") and RATES:
        for name, rate in sorted(RATES.items()):
            print(f"fuzz {name:14s} {rate:10.0f} executions/s")
