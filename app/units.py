"""Sizes, rates and durations as people read them."""

from __future__ import annotations


def human_size(size: int | float | None) -> str:
    """1536 -> '1.5 KiB'; binary units because disks and images are sized that way."""
    if size is None:
        return "—"
    return _scaled(float(size), 1024, ("B", "KiB", "MiB", "GiB", "TiB"))


def human_rate(rate: float) -> str:
    """1.5e6 -> '1.5 MB/s': decimal units, as network rates are counted, and as the engine's
    messages ("it took 11.2 MB/s"), the CLI's rate column and --rate / drop:RATE count them."""
    return _scaled(float(rate), 1000, ("B/s", "kB/s", "MB/s", "GB/s"))


def _scaled(value: float, base: int, units: tuple[str, ...]) -> str:
    """`value` in the largest unit that keeps it below `base` (whole bytes, else one decimal)."""
    step = 0
    while abs(value) >= base and step < len(units) - 1:
        value /= base
        step += 1
    return f"{value:.0f} {units[0]}" if step == 0 else f"{value:.1f} {units[step]}"


def human_duration(seconds: float | None) -> str:
    """65 -> '1:05', 3725 -> '1:02:05'."""
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "—"
    whole = max(0, int(round(seconds)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
