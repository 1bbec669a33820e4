"""Image-safe data (zisd): a workstation's identity kept on its disk outside every partition,
which imaging never overwrites, plus the last base image put down (ZENworks' `img info zisd`).

layout.py declares the bytes, fields.py the rules, record.py converts, table.py adds to
engine/disk's partition table what the area needs, placement.py decides whether the area is
free, store.py reads and writes a disk, keep.py makes a put-down keep the data and record the
new base image.
"""

from .fields import EDITABLE_KEYS, ImageSafeData, LastBaseImage, apply_settings, from_json
from .keep import KeepImageSafeData
from .layout import RecordCorrupted, RecordTooNew
from .placement import NoSafeRoom, check_safe_room
from .store import clear_zisd, disk_table, read_zisd, record_base_image, write_zisd
from .table import PartitionTable, PartitionTableDamaged, TablePartition, read_table

__all__ = [
    "EDITABLE_KEYS",
    "ImageSafeData",
    "KeepImageSafeData",
    "LastBaseImage",
    "NoSafeRoom",
    "PartitionTable",
    "PartitionTableDamaged",
    "RecordCorrupted",
    "RecordTooNew",
    "TablePartition",
    "apply_settings",
    "check_safe_room",
    "clear_zisd",
    "disk_table",
    "from_json",
    "read_table",
    "read_zisd",
    "record_base_image",
    "write_zisd",
]
