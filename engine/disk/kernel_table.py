"""After a put-down: make the kernel's partitions of the disk match the table just written.

BLKRRPART asks the kernel to parse the table itself. That is not enough everywhere: a kernel
built without a parser for that table kind (minimal VM and container kernels have none at all)
"re-reads" successfully and ends with no partitions, so /dev/sdb1 never appears and the operator
sees an empty disk. So after BLKRRPART the partitions imgcast reads itself are compared with
what sysfs lists, and any missing one is added with BLKPG, the call `partx -a` makes. Nothing
here can harm the data just written: these calls only change the kernel's view of the disk.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
from pathlib import Path

from ..errors import ImgcastError
from .partitions import PartitionTable, read_partition_table

BLKRRPART = 0x125F  # _IO(0x12, 95): re-read the partition table
BLKPG = 0x1269  # _IO(0x12, 105): add or delete one partition
BLKPG_ADD_PARTITION = 1
EXTENDED_TYPES = {"0x5", "0x05", "0xf", "0x0f", "0x85"}  # MBR containers: not file systems


class _BlkpgPartition(ctypes.Structure):
    _fields_ = [("start", ctypes.c_longlong), ("length", ctypes.c_longlong), ("pno", ctypes.c_int),
                ("devname", ctypes.c_char * 64), ("volname", ctypes.c_char * 64)]


class _BlkpgArg(ctypes.Structure):
    _fields_ = [("op", ctypes.c_int), ("flags", ctypes.c_int), ("datalen", ctypes.c_int),
                ("data", ctypes.c_void_p)]


def kernel_partitions(fd: int) -> set[int]:
    """Partition numbers the kernel lists for this disk (sysfs), empty when it lists none."""
    rdev = os.fstat(fd).st_rdev
    folder = Path(f"/sys/dev/block/{os.major(rdev)}:{os.minor(rdev)}")
    numbers: set[int] = set()
    try:
        for child in folder.iterdir():
            try:
                numbers.add(int((child / "partition").read_text()))
            except (OSError, ValueError):
                continue
    except OSError:
        pass
    return numbers


def _add_partition(fd: int, number: int, start: int, length: int) -> bool:
    part = _BlkpgPartition(start=start, length=length, pno=number)
    arg = _BlkpgArg(op=BLKPG_ADD_PARTITION, flags=0, datalen=ctypes.sizeof(part),
                    data=ctypes.cast(ctypes.pointer(part), ctypes.c_void_p))
    try:
        fcntl.ioctl(fd, BLKPG, arg)
    except OSError:
        return False
    return True


def tell_kernel(fd: int, disk_size: int, sector_size: int) -> bool:
    """Re-read the partition table (BLKRRPART), then add by BLKPG what the kernel did not find.

    True when the kernel ends up listing every partition of the table on the disk. False on a
    disk that cannot hold partitions (a loop device attached without --partscan) or whose
    partitions are in use: the new table is then read at the next attach or boot."""
    try:
        fcntl.ioctl(fd, BLKRRPART)
    except OSError:
        return False
    try:  # our descriptor is write-only: the table is read through a second one
        reader = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        table: PartitionTable = read_partition_table(lambda offset, n: os.pread(reader, n, offset),
                                                     disk_size, sector_size)
    except (OSError, ImgcastError):
        return False
    finally:
        os.close(reader)
    wanted = [p for p in table.partitions if p.type.lower() not in EXTENDED_TYPES]
    present = kernel_partitions(fd)
    for partition in wanted:
        if partition.number not in present:
            _add_partition(fd, partition.number, partition.start, partition.size)
    return {p.number for p in wanted} <= kernel_partitions(fd)
