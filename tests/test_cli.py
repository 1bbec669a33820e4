"""The `img` command line: the seed's syntax, and one-line usage errors with exit status 2."""

import subprocess
import sys
from pathlib import Path

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


# --- what the newcomer's review found ---------------------------------------------------------


@pytest.fixture
def sessions_run(monkeypatch):
    """`img session` up to the point where it would open a socket: the settings it would run."""
    from imgcast.engine import events as ev
    from imgcast.engine.cli import cmd_session

    seen = []

    async def fake_run(settings, display, ask=None):
        seen.append(settings)
        return ev.SessionFinished((ev.Peer("1", "h1", "10.0.0.1", None),), (), (), "ab" * 32, 1, 1.0)

    monkeypatch.setattr(cmd_session, "_run", fake_run)
    return seen


def test_options_may_come_before_the_words_as_zenworks_users_type_them(sessions_run, tmp_path):
    source = tmp_path / "disk.raw"
    source.write_bytes(bytes(512))
    assert main(["session", "doug", "master", "--interface", "127.0.0.1", "--ttl", "0", "t=0.05",
                 "clients=1", f"from={source}", "--json"]) == 0
    assert main(["session", "--json", "doug", "--port", "20001", "master", "clients=2", "--ttl", "0",
                 f"from={source}"]) == 0
    first, second = sessions_run
    assert (first.role, first.clients, first.timeout_minutes, first.source, first.ttl) == (
        "master", 1, 0.05, str(source), 0)
    assert (second.role, second.clients, second.port, second.ttl) == ("master", 2, 20001, 0)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--port", "0"], "--port 0"),
        (["--port", "70000"], "--port 70000"),
        (["--ttl", "-1"], "--ttl -1"),
        (["--ttl", "300"], "--ttl 300"),
        (["--interface", "1.2.3.4"], "--interface 1.2.3.4: not an address of this computer"),
    ],
)
def test_a_bad_option_value_is_the_first_error_before_any_disk_is_chosen(sessions_run, options, words, capsys):
    assert main(["session", "doug", "master", *options]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err, err
    assert sessions_run == []


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["master", "clients=2", "clients=3", "from=x"], "clients= is given twice ('clients=2' and 'clients=3')"),
        (["master", "from=a", "from=b"], "from= is given twice"),
        (["client", "to=a", "to=b"], "to= is given twice"),
        (["client", "clients=2"], "'clients=2' applies to the master only"),
        (["client", "from=x"], "'from=x' applies to the master only"),
        (["client", "--rate", "5M"], "--rate applies to the master only"),
        (["client", "--slow-clients", "wait"], "--slow-clients applies to the master only"),
        (["client", "--no-late-join"], "--no-late-join applies to the master only"),
        (["client", "--raw"], "--raw applies to the master only"),
        (["master", "t=0"], "t=MINUTES needs clients=N"),
    ],
)
def test_input_that_would_be_ignored_is_a_usage_error_naming_it(sessions_run, argv, words, capsys):
    assert main(["session", "doug", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err, err
    assert "seed" not in err
    assert sessions_run == []


def test_a_client_may_still_give_its_mtu(sessions_run, tmp_path):
    """--mtu is not master-only: a client tells the master its MTU when it joins."""
    assert main(["session", "doug", "client", f"to={tmp_path / 'x.raw'}", "--mtu", "1400", "--json"]) == 0
    assert sessions_run[0].mtu == 1400


def test_session_help_explains_the_words_and_their_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["session", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "clients=N (master): start once N clients have joined (default: no count" in text
    assert "since the last client joined; while nobody has joined it waits on (default: no time limit)" in text
    assert "first operator to press m becomes the master" in text


def test_a_command_without_its_action_lists_the_actions(capsys):
    assert main(["zisd"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "set, clear, save or load" in err


def test_a_bad_client_target_is_refused_before_it_joins(tmp_path):
    """Without the early check the client waits for a master, joins and fails only once the
    transfer has begun; here nothing listens for it, so it would wait until killed."""
    from loopback_cli import img, loopback_options

    for target, words in ((tmp_path / "no" / "such" / "x.bin", "the folder it would be in does not exist"),
                          (tmp_path, "is a directory"),
                          (Path("/dev/imgcast-no-such-disk"), "no such disk")):  # not a file made in /dev
        client = img("session", "doug", "client", f"to={target}", *loopback_options())
        try:
            out, err = client.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            client.kill()
            client.communicate()
            pytest.fail(f"to={target}: the client waited for a master instead of refusing the target")
        assert client.returncode == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and words in err, err


def test_the_early_target_check_changes_nothing(tmp_path):
    from imgcast.engine.disk.target import check_target_early

    existing = tmp_path / "disk.raw"
    existing.write_bytes(b"keep me")
    check_target_early(existing)
    assert existing.read_bytes() == b"keep me"
    check_target_early(tmp_path / "new.raw")
    assert not (tmp_path / "new.raw").exists()


def test_sigterm_on_the_master_says_a_signal_stopped_it(tmp_path):
    import json
    import signal

    from loopback_cli import finish, img, loopback_options, wait_for_event

    source = tmp_path / "disk.raw"
    source.write_bytes(bytes(1 << 20))
    master = img("session", "doug", "master", "clients=1", f"from={source}", *loopback_options())
    wait_for_event(master, "lobby_opened")
    master.send_signal(signal.SIGTERM)
    ((status, out, err),) = finish([master], seconds=30)
    notes = [e["message"] for e in map(json.loads, out.splitlines()) if e["event"] == "note"]
    assert status == 1 and notes == ["Stopped by a signal (SIGTERM): cancelling the session."], (out, err)
    final = json.loads(out.splitlines()[-1])
    assert final["event"] == "session_failed" and "signal (SIGTERM)" in final["reason"], final  # not "the operator"
