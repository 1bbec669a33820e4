"""Where the image-safe data (zisd) lives on a disk, so imaging code can step around it.

The record sits in the 4 KiB just below 1 MiB: outside every partition on any disk
partitioned with the usual 1 MiB alignment, after the GPT header and entries (which end at
16.5 KiB with 512-byte sectors, 24 KiB with 4 KiB sectors), and far past the first 64 KiB
where GRUB embeds its core image in the MBR gap. The zisd module checks a disk's partition
table before writing here; imaging never writes this range.
"""

SAFE_AREA_OFFSET = 1024 * 1024 - 4096
SAFE_AREA_SIZE = 4096
SAFE_AREA_END = SAFE_AREA_OFFSET + SAFE_AREA_SIZE
