"""Shared fixtures. tests/ is on sys.path so tests can import simnet."""

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # tests never need a real display
# "This computer's own disk" (no from=/to=) is looked for only among IMGCAST_DISKS; by default the
# tests name no device at all, so no test can ever pick a real disk of this machine. Tests that
# need one set it to their own loop devices (tests/loop_devices.py: only_disks).
os.environ.setdefault("IMGCAST_DISKS", "/dev/imgcast-tests-name-no-disk")


@pytest.fixture
def session_name() -> str:
    """A session name no other test (or other process on this host) uses."""
    return f"test-{uuid.uuid4().hex[:12]}"
