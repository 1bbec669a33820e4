"""Shared fixtures. tests/ is on sys.path so tests can import simnet."""

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # tests never need a real display


@pytest.fixture
def session_name() -> str:
    """A session name no other test (or other process on this host) uses."""
    return f"test-{uuid.uuid4().hex[:12]}"
