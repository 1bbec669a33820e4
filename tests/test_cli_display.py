"""What `img session` prints about slow and late clients: the master's per-client rows (pass,
own rate, catching up), the lines when a client falls behind or a catch-up pass starts, the
final table (drop reasons, who caught up and how long it took), the client's own line, and the
same events as --json lines."""

from __future__ import annotations

import io
import json

import pytest
from imgcast.engine import events as ev
from imgcast.engine.cli import cmd_session
from imgcast.engine.cli.display import JsonDisplay, make_display
from imgcast.engine.cli.main import main
from imgcast.engine.errors import SessionFailed as SessionFailedError

SIZE = 20_000_000_000
SLOW_REASON = "it took 12 MB/s while the others took 95 MB/s"
DROP_REASON = "it took the image at 1.2 MB/s, below the drop:5M limit"


def peer(n: int) -> ev.Peer:
    return ev.Peer(f"{n:016x}", f"h{n}", f"10.0.0.{n}", 1 << 40)


def human(role: str) -> tuple[object, io.StringIO]:
    from rich.console import Console

    display = make_display(False, role=role)
    out = io.StringIO()
    display.console = Console(file=out, width=140, color_system=None)
    display.log_every = None  # a terminal: bars, no timed lines
    return display, out


def lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


FINISHED = ev.SessionFinished(
    (peer(1), peer(2), peer(4)), (), (peer(3),), "ab" * 32, SIZE, 300.0, (DROP_REASON,),
    (ev.CaughtUp(peer(2).client_id, "h2", False, 2, 27.3), ev.CaughtUp(peer(4).client_id, "h4", True, 2, 41.0)))

MASTER_EVENTS = [
    ev.TransferStarted((peer(1), peer(2), peer(3)), SIZE),
    ev.Progress(8_000_000_000, SIZE, 95e6, 0, 0),
    ev.ClientProgress(peer(1).client_id, 8_000_000_000, 0, 0, rate=95e6),
    ev.ClientCatchingUp(peer(2), SLOW_REASON),
    ev.ClientProgress(peer(2).client_id, 3_000_000_000, 0, 0, rate=12e6, pass_no=0, catching_up=True),
    ev.ClientJoined(peer(4), 4, None, late=True),
    ev.ClientProgress(peer(3).client_id, 2_000_000_000, 0, 0, rate=1.2e6),
]


def test_the_master_rows_show_each_clients_pass_rate_and_catching_up():
    display, out = human("master")
    for event in MASTER_EVENTS:
        display.show(event)
    display.close()  # the rows are printed as they stand when the bar stops
    text = out.getvalue()
    (h1,) = lines_with(text, "  h1 ")
    assert "7.5/18.6 GiB" in h1 and "95.0 MB/s" in h1 and h1.rstrip().endswith("pass 1")
    (h2,) = lines_with(text, "  h2 ")
    assert "12.0 MB/s" in h2 and "catching up, waits for the next pass" in h2
    (h4,) = lines_with(text, "  h4 ")
    assert "late join, waits for the next pass" in h4
    (h3,) = lines_with(text, "  h3 ")
    assert "1.2 MB/s" in h3 and h3.rstrip().endswith("pass 1")


def test_the_master_says_who_falls_behind_who_joins_late_and_when_a_pass_starts():
    display, out = human("master")
    for event in [*MASTER_EVENTS, ev.PassStarted(2, (peer(2), peer(4)), 230),
                  ev.ClientProgress(peer(4).client_id, 1_000_000_000, 0, 0, rate=40e6, pass_no=2, catching_up=True)]:
        display.show(event)
    display.close()
    text = out.getvalue()
    assert f"h2 is catching up ({SLOW_REASON}): it gets the rest in a further pass." in text
    assert "Client h4 (10.0.0.4) joined late (4 in the session); it gets what it missed in a catch-up pass." in text
    assert "Pass 2: 2 clients (h2, h4), 230 slices." in text
    (h4,) = lines_with(text, "  h4 ")
    assert "40.0 MB/s" in h4 and "late join, pass 2" in h4
    (h2,) = lines_with(text, "  h2 ")
    assert "catching up, pass 2" in h2


def test_the_final_table_says_why_a_client_was_dropped_and_how_the_others_caught_up():
    display, out = human("master")
    for event in [*MASTER_EVENTS, ev.ClientVerified(peer(1)), ev.ClientDropped(peer(3), DROP_REASON), FINISHED]:
        display.show(event)
    display.close()
    text = out.getvalue()
    table = text[text.index("Session finished"):]
    (h2,) = lines_with(table, " h2 ")
    assert "verified" in h2 and "caught up in pass 2, 27.3 s after it fell behind" in h2
    (h4,) = lines_with(table, " h4 ")
    assert "caught up in pass 2, 41.0 s after it joined late" in h4
    (h3,) = lines_with(table, " h3 ")
    assert "dropped" in h3 and DROP_REASON in h3
    (row,) = lines_with(text[:text.index("Session finished")], "  h3 ")
    assert row.rstrip().endswith("dropped") and "1.2 MB/s" not in row


def test_a_plain_session_keeps_the_three_column_table():
    display, out = human("master")
    display.show(ev.SessionFinished((peer(1),), (), (), "ab" * 32, SIZE, 10.0))
    display.close()
    header = next(line for line in out.getvalue().splitlines() if "client" in line and "result" in line)
    assert "how" not in header


def test_a_client_says_why_it_catches_up_once_per_change():
    display, out = human("client")
    waiting = ev.CatchingUp(0, "too slow for the others")
    for event in (waiting, waiting, waiting, ev.CatchingUp(2, "too slow for the others"),
                  ev.CatchingUp(2, "too slow for the others")):
        display.show(event)
    display.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "Catching up (too slow for the others): waiting while the others finish; nothing received is lost.",
        "Catching up (too slow for the others): now in catch-up pass 2; nothing received is lost.",
    ]


def test_a_client_says_it_ignores_a_master_that_never_answers():
    from imgcast.engine.secure.machine import STALE_MASTER

    display, out = human("client")
    display.show(ev.MasterIgnored("teacher", "10.0.0.9", STALE_MASTER))
    display.close()
    assert out.getvalue().splitlines()[0].startswith("Ignoring the master teacher (10.0.0.9): it announces this session")
    assert out.getvalue().rstrip().endswith("waiting on.")


def test_json_lines_carry_the_new_events_and_fields(capsys):
    display = JsonDisplay()
    for event in (ev.ClientJoined(peer(4), 4, None, late=True),
                  ev.ClientProgress(peer(2).client_id, 3, 0, 0, rate=12e6, pass_no=0, catching_up=True),
                  ev.ClientCatchingUp(peer(2), SLOW_REASON), ev.PassStarted(2, (peer(2), peer(4)), 230),
                  ev.CatchingUp(0, "joined late"), FINISHED):
        display.show(event)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    joined, progress, catching, started, client, finished = records
    assert (joined["event"], joined["late"], joined["client"]["host"]) == ("client_joined", True, "h4")
    assert (progress["event"], progress["rate"], progress["pass_no"], progress["catching_up"]) == (
        "client_progress", 12e6, 0, True)
    assert (catching["event"], catching["client"]["client_id"], catching["reason"]) == (
        "client_catching_up", peer(2).client_id, SLOW_REASON)
    assert (started["event"], started["pass_no"], started["slices"]) == ("pass_started", 2, 230)
    assert [c["host"] for c in started["clients"]] == ["h2", "h4"]
    assert client == {"event": "catching_up", "pass_no": 0, "reason": "joined late"}
    assert finished["drop_reasons"] == [DROP_REASON]
    assert finished["caught_up"] == [
        {"client_id": peer(2).client_id, "host": "h2", "late": False, "passes": 2, "seconds": 27.3},
        {"client_id": peer(4).client_id, "host": "h4", "late": True, "passes": 2, "seconds": 41.0}]


def test_the_failure_line_names_each_dropped_client_with_its_reason():
    with pytest.raises(SessionFailedError) as failure:
        cmd_session.finish(FINISHED, JsonDisplay())
    assert str(failure.value) == f"3 verified, h3: dropped ({DROP_REASON})"


def test_slow_clients_and_late_join_reach_the_session_settings(monkeypatch, tmp_path):
    seen = []

    async def fake_run(settings, display, ask=None):
        seen.append(settings)
        return ev.SessionFinished((peer(1),), (), (), "ab" * 32, 1, 1.0)

    monkeypatch.setattr(cmd_session, "_run", fake_run)
    source = tmp_path / "disk.raw"
    source.write_bytes(b"\0" * 512)
    assert main(["session", "doug", "master", f"from={source}", "--json"]) == 0
    assert main(["session", "doug", "master", f"from={source}", "--json",
                 "--slow-clients", "drop:5M", "--no-late-join"]) == 0
    assert [(s.slow_clients, s.late_join) for s in seen] == [("catch-up", True), ("drop:5M", False)]


# --- what the newcomer's review found ---------------------------------------------------------

GiB = 1 << 30
MiB = 1 << 20


def lobby_line(wanted: int | None, minutes: float | None) -> str:
    display, out = human("master")
    display.wanted, display.timeout_minutes = wanted, minutes
    display.show(ev.LobbyOpened("231.1.2.3", 9231, "00" * 8, None, 64 * GiB))
    display.close()
    return " ".join(out.getvalue().split())  # as one line, wherever the test console wrapped it


def test_the_lobby_line_says_how_many_clients_and_what_starts_it():
    assert "Waiting for 5 clients: it starts when 5 have joined, or 15 minutes after the last join " \
        "if fewer come; while nobody has joined it waits (press s or Enter" in lobby_line(5, 15)
    assert "Waiting for 1 client: it starts when 1 has joined (press s or Enter to start now" in lobby_line(1, None)
    assert "or 30 seconds after the last join" in lobby_line(3, 0.5)
    assert "t=0 starts it as soon as the first one joins" in lobby_line(3, 0)
    assert "Waiting for clients: it starts when you press s or Enter" in lobby_line(None, None)


def test_counts_of_clients_are_plural_only_when_more_than_one():
    display, out = human("master")
    display.show(ev.TransferStarted((peer(1),), SIZE))
    display.close()
    assert "Transfer started to 1 client." in out.getvalue()
    display, out = human("master")
    display.show(ev.TransferStarted((peer(1), peer(2)), SIZE))
    display.close()
    assert "Transfer started to 2 clients." in out.getvalue()


def test_output_to_a_pipe_or_log_is_not_wrapped_mid_sentence(capsys):
    display = make_display(False, role="master")  # stdout is capsys's buffer: not a terminal
    display.show(ev.LobbyOpened("231.1.2.3", 9231, "00" * 8, None, 64 * GiB))
    display.close()
    (line,) = capsys.readouterr().out.splitlines()
    assert ev.NOT_SECURED in line and line.endswith("(q cancels).")


def test_sizes_are_binary_in_the_bar_as_in_the_summary_and_the_end_is_complete():
    display, out = human("master")
    for event in (ev.TransferStarted((peer(1),), None), ev.Progress(60 * MiB, None, 30e6, 0, 0),
                  ev.ClientProgress(peer(1).client_id, 60 * MiB, 0, 0, rate=30e6), ev.ClientVerified(peer(1)),
                  ev.SessionFinished((peer(1),), (), (), "ab" * 32, 64 * MiB, 2.0)):
        display.show(event)
    display.close()
    text = out.getvalue()
    (sending,) = lines_with(text, "sending")
    assert "64.0/64.0 MiB" in sending and "100%" in sending
    assert "33.6 MB/s" in sending and "?" not in sending  # the session's average: 64 MiB in 2 s
    (h1,) = lines_with(text, "  h1 ")
    assert "64.0/64.0 MiB" in h1 and "100%" in h1 and "verified" in h1
    assert " MB " not in text and "GB" not in text


def test_a_client_verified_before_the_end_shows_a_full_row():
    display, out = human("master")
    for event in (ev.TransferStarted((peer(1), peer(2)), None),
                  ev.ClientProgress(peer(1).client_id, 60 * MiB, 0, 0, rate=30e6), ev.ClientVerified(peer(1))):
        display.show(event)
    display.close()
    (h1,) = lines_with(out.getvalue(), "  h1 ")
    assert "60.0/60.0 MiB" in h1 and "100%" in h1


def test_a_disk_sent_as_it_is_read_shows_how_far_through_the_disk_it_is():
    display, out = human("master")
    for event in (ev.TransferStarted((peer(1), peer(2)), None),
                  ev.Progress(5 * GiB, None, 95e6, 0, 0, position=32 * GiB, span=64 * GiB),
                  ev.ClientProgress(peer(1).client_id, 5 * GiB, 0, 0, rate=90e6, position=16 * GiB),
                  ev.ClientProgress(peer(2).client_id, 5 * GiB, 0, 0, rate=90e6)):
        display.show(event)
    overall = display.progress.tasks[0]
    assert (overall.completed, overall.total) == (32 * GiB, 64 * GiB)  # rich's time left follows
    display.close()
    text = out.getvalue()
    (sending,) = lines_with(text, "sending")
    assert "50%" in sending and "32.0/64.0 GiB" in sending and "95.0 MB/s" in sending
    (h1,) = lines_with(text, "  h1 ")
    assert "25%" in h1 and "16.0/64.0 GiB" in h1
    (h2,) = lines_with(text, "  h2 ")  # no position from this one yet: as before, bytes of an unknown total
    assert "5.0/? GiB" in h2 and "%" not in h2


def test_without_position_the_bar_counts_stream_bytes_of_an_unknown_total():
    display, out = human("client")
    display.show(ev.TransferStarted((), None))
    display.show(ev.Progress(10 * MiB, None, 5e6, 0, 0))
    display.close()
    (receiving,) = lines_with(out.getvalue(), "receiving")
    assert "10.0/? MiB" in receiving and "%" not in receiving


def test_a_verified_copy_fills_its_bar_in_the_units_it_counted():
    """The last progress a client hears comes before its last write; the master's end, from a
    disk imaged as it was sent, counts disk bytes of the span (not the stream's size)."""
    client, out = human("client")
    for event in (ev.TransferStarted((), None), ev.Progress(6 * MiB, None, 5e6, 0, 0, position=6 * GiB, span=8 * GiB),
                  ev.TargetVerified("ab" * 32, 3 * MiB)):
        client.show(event)
    client.close()
    (receiving,) = lines_with(out.getvalue(), "receiving")
    assert "100%" in receiving and "8.0/8.0 GiB" in receiving, receiving
    master, out = human("master")
    for event in (ev.TransferStarted((peer(1),), None), ev.Progress(2 * MiB, None, 5e6, 0, 0, position=6 * GiB, span=8 * GiB),
                  ev.SessionFinished((peer(1),), (), (), "ab" * 32, 3 * MiB, 2.0)):
        master.show(event)
    master.close()
    (sending,) = lines_with(out.getvalue(), "sending")
    assert "100%" in sending and "8.0/8.0 GiB" in sending, sending


def test_the_master_bar_in_a_catch_up_pass_counts_that_pass():
    display, out = human("master")
    for event in (ev.TransferStarted((peer(1), peer(2)), None), ev.Progress(64 * MiB, 64 * MiB, 95e6, 0, 0),
                  ev.PassStarted(2, (peer(2),), 160),
                  ev.Progress(10 * MiB, 40 * MiB, 2.5e6, 0, 0, pass_no=2)):
        display.show(event)
    display.close()
    (bar,) = lines_with(out.getvalue(), "pass 2 ")
    assert "25%" in bar and "10.0/40.0 MiB" in bar and "2.5 MB/s" in bar, bar


def test_a_log_gets_timed_progress_lines_and_tables_that_do_not_wrap(monkeypatch):
    """Output to a log file draws no bars: a line every LOG_EVERY seconds says where it is."""
    from rich.console import Console

    display = make_display(False, role="master")
    assert display.log_every is not None and display.console.width >= 200  # pytest's stdout is no terminal
    out = io.StringIO()
    display.console = Console(file=out, width=200, color_system=None, soft_wrap=True)
    clock = iter([1000.0, 1001.0, 1011.0])
    monkeypatch.setattr("imgcast.engine.cli.display.time.monotonic", lambda: next(clock))
    display.show(ev.TransferStarted((peer(1),), 64 * MiB))
    for done in (8, 16, 48):
        display.show(ev.Progress(done * MiB, 64 * MiB, 40e6, 0, 0))
    display.show(ev.SessionFinished((peer(1),), (), (peer(3),), "ab" * 32, 64 * MiB, 2.0, (DROP_REASON,)))
    display.close()
    timed = [line for line in out.getvalue().splitlines() if " sending " in line and " of " in line]
    assert len(timed) == 2, timed  # at 1000 s and 1011 s; not at 1001 s
    assert timed[0].endswith("sending 12% 8.0 MiB of 64.0 MiB, 40.0 MB/s") and timed[1].split()[2] == "75%", timed
    (dropped,) = lines_with(out.getvalue(), "h3")
    assert DROP_REASON in dropped  # the table's row on one line


def test_the_client_that_sets_everyones_pace_is_named():
    display, out = human("master")
    display.show(ev.TransferStarted((peer(1), peer(3)), 64 * MiB))
    display.show(ev.PaceSetBy(peer(3), 2.4e6, 5, 6))
    display.close()
    (line,) = lines_with(out.getvalue(), "pace")
    assert "h3's pace (10.0.0.3; 2.4 MB/s now)" in line and "5 of 6 slow-downs" in line, line
