"""The `img` command line: the seed's syntax, and one-line usage errors with exit status 2."""

import subprocess
import sys

import pytest
from imgcast.engine.cli.cmd_session import parse_rate, settings_from_words
from imgcast.engine.cli.main import main
from imgcast.engine.errors import UsageError
from imgcast.engine.naming import session_address


def test_the_seeds_own_syntax_parses():
    s = settings_from_words("doug", [])
    assert (s.name, s.role, s.clients, s.timeout_minutes) == ("doug", None, None, None)
    s = settings_from_words("doug", ["master", "clients=5", "t=15"])
    assert (s.role, s.clients, s.timeout_minutes) == ("master", 5, 15.0)
    s = settings_from_words("doug", ["client"])
    assert s.role == "client"
    s = settings_from_words("doug", ["master", "clients=2", "t=0.5", "from=/tmp/x"])
    assert (s.timeout_minutes, s.source) == (0.5, "/tmp/x")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["session", "doug", "master", "clients=five", "from=x"], "clients='five'"),
        (["session", "doug", "master", "clients=0", "from=x"], "clients=0"),
        (["session", "doug", "master", "clients=5", "t=soon", "from=x"], "t='soon'"),
        (["session", "doug", "master", "clients=5", "t=-1", "from=x"], "t=-1"),
        (["session", "doug", "boss"], "'boss'"),
        (["session", "doug", "master", "clients=2", "from=x", "--rate", "fast"], "'fast'"),
        (["session", "doug", "master", "clients=2", "from=x", "--interface", "eth0"], "--interface"),
        (["session", "", "master", "from=x"], "empty"),
        (["session", "doug", "master", "from=x", "--slow-clients", "sometimes"], "--slow-clients 'sometimes'"),
        (["session", "doug", "master", "from=x", "--slow-clients", "drop:fast"], "'fast' is not a rate"),
        (["session", "doug", "master", "from=x", "--slow-clients", "drop:0"], "more than 0"),
        (["address", "x" * 80], "at most 64"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("img: ") and words in err


def test_address_prints_the_group_and_explains_it(capsys):
    assert main(["address", "doug"]) == 0
    assert capsys.readouterr().out.strip() == session_address("doug").group
    assert main(["address", "Doug", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "'doug'" in out and session_address("doug").digest.hex() in out


def test_rates_accept_units():
    assert parse_rate("50M") == 50e6
    assert parse_rate("1g") == 1e9
    assert parse_rate("1500") == 1500


def test_settings_refuse_words_that_belong_to_the_other_role():
    with pytest.raises(UsageError):
        settings_from_words("doug", ["client", "from=/x", "to=/y"])
    with pytest.raises(UsageError):
        settings_from_words("doug", ["master", "to=/y"])


def test_the_installed_img_command_runs():
    out = subprocess.run([sys.executable, "-m", "imgcast.engine.cli.main", "--version"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("imgcast ")
