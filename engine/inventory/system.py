"""The computer itself: maker, model, serial, firmware and boot mode (Linux's DMI tables and
/sys/firmware), CPUs (/proc/cpuinfo for the model name, psutil for counts and frequency) and memory."""

from __future__ import annotations

import platform
import socket

import psutil

from .model import CpuInfo, MemoryInfo, SystemInfo
from .tables import Tables

# Firmware writes these when the maker left a field empty; they mean "unknown".
_PLACEHOLDERS = {"to be filled by o.e.m.", "default string", "system serial number", "not specified",
                 "none", "n/a", "0", "system product name", "system manufacturer", "o.e.m."}


def _dmi(tables: Tables, key: str) -> str | None:
    value = tables.text(f"sys/class/dmi/id/{key}")
    return None if value is None or value.lower() in _PLACEHOLDERS else value


def system_info(tables: Tables) -> SystemInfo:
    if tables.exists("sys/firmware/efi"):
        boot_mode = "uefi"
    elif tables.exists("sys/firmware"):
        boot_mode = "legacy"  # Linux shows /sys/firmware/efi exactly when booted through UEFI
    else:
        boot_mode = "unknown"
    return SystemInfo(
        vendor=_dmi(tables, "sys_vendor"),
        model=_dmi(tables, "product_name"),
        serial=_dmi(tables, "product_serial"),
        firmware_vendor=_dmi(tables, "bios_vendor"),
        firmware_version=_dmi(tables, "bios_version"),
        firmware_date=_dmi(tables, "bios_date"),
        boot_mode=boot_mode,
        hostname=tables.text("proc/sys/kernel/hostname") or (socket.gethostname() if tables.is_live else None),
        os=f"{platform.system()} {platform.release()}".strip() if tables.is_live else None,
    )


def cpu_info(tables: Tables) -> CpuInfo:
    model = None
    for line in tables.lines("proc/cpuinfo"):
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "Hardware", "cpu model") and value.strip():
            model = value.strip()
            break
    if model is None and tables.is_live:
        model = platform.processor() or None
    threads = cores = None
    frequency = None
    if tables.is_live:
        threads = psutil.cpu_count(logical=True)
        cores = psutil.cpu_count(logical=False)
        try:
            freq = psutil.cpu_freq()
        except (OSError, RuntimeError, NotImplementedError):
            freq = None
        if freq is not None:
            frequency = round(freq.current or freq.max, 1) or None
    else:
        threads = sum(1 for line in tables.lines("proc/cpuinfo") if line.startswith("processor")) or None
    return CpuInfo(model=model, cores=cores, threads=threads, frequency_mhz=frequency)


def memory_info(tables: Tables) -> MemoryInfo:
    if tables.is_live:
        return MemoryInfo(total=psutil.virtual_memory().total, swap=psutil.swap_memory().total)
    values = {}
    for line in tables.lines("proc/meminfo"):
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key] = int(parts[0]) * 1024
    return MemoryInfo(total=values.get("MemTotal"), swap=values.get("SwapTotal"))
