"""Sizes, rates and durations as people read them."""

from __future__ import annotations


def human_size(size: int | float | None) -> str:
    """1536 -> '1.5 KiB'; binary units because disks and images are sized that way."""
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def human_rate(rate: float) -> str:
    """1.5e6 -> '1.5 MB/s': decimal units, as network rates are counted, and as the engine's
    messages ("it took 11.2 MB/s"), the CLI's rate column and --rate / drop:RATE count them."""
    value = float(rate)
    for unit in ("B/s", "kB/s", "MB/s", "GB/s"):
        if abs(value) < 1000 or unit == "GB/s":
            return f"{value:.0f} {unit}" if unit == "B/s" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB/s"


def human_duration(seconds: float | None) -> str:
    """65 -> '1:05', 3725 -> '1:02:05'."""
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "—"
    whole = max(0, int(round(seconds)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
