"""Where the image-safe data (zisd) lives on a disk, so imaging code can step around it.

The record sits in the 4 KiB just below 1 MiB: outside every partition on any disk
partitioned with the usual 1 MiB alignment, after the GPT header and entries (which end at
16.5 KiB with 512-byte sectors, 24 KiB with 4 KiB sectors), and far past the first 64 KiB
where GRUB embeds its core image in the MBR gap. The zisd module checks a disk's partition
table before writing here (engine/zisd/placement.py); imaging never writes this range.
"""

SAFE_AREA_OFFSET = 1024 * 1024 - 4096
SAFE_AREA_SIZE = 4096
SAFE_AREA_END = SAFE_AREA_OFFSET + SAFE_AREA_SIZE
BOOT_LOADER_AREA_END = 64 * 1024  # the MBR gap a BIOS boot loader (GRUB core.img) usually fills

assert SAFE_AREA_OFFSET >= BOOT_LOADER_AREA_END, "the safe area must stay clear of the boot loader"


def overlaps_safe_area(start: int, end: int) -> bool:
    """Does the byte range [start, end) touch the safe area?"""
    return start < SAFE_AREA_END and end > SAFE_AREA_OFFSET
