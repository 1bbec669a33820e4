"""Image-safe data on disk files: round trips, corruption, safe room, validation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imgcast.engine.errors import UsageError
from imgcast.engine.safe_area import SAFE_AREA_OFFSET, SAFE_AREA_SIZE
from imgcast.engine.zisd import (
    ImageSafeData,
    NoSafeRoom,
    PartitionTableDamaged,
    RecordCorrupted,
    RecordTooNew,
    apply_settings,
    clear_zisd,
    from_json,
    read_zisd,
    record_base_image,
    write_zisd,
)
from imgcast.engine.zisd.fields import make_last_base_image
from zisd_disks import (
    ESP_GUID,
    LINUX_FS_GUID,
    MiB,
    area_bytes,
    file_digest,
    make_gpt_disk,
    make_mbr_disk,
)

SHA = "0123456789abcdef" * 4
EVERY_FIELD = ImageSafeData(
    dhcp=False,
    ip_address="10.20.30.40",
    subnet_mask="255.255.252.0",
    gateway="10.20.28.1",
    dns_servers=("10.20.0.53", "10.20.0.54", "9.9.9.9"),
    dns_suffix="lab.example.org",
    dns_host_name="lab-pc-017",
    computer_name="LAB-PC-017",
    workgroup=None,
    domain="corp.example.org",
    last_base_image=make_last_base_image("win11-base-2026.imgcast", SHA, "doug", datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)),
)


@pytest.fixture
def gpt_disk(tmp_path: Path) -> Path:
    return make_gpt_disk(tmp_path / "gpt.img", 8 * MiB, [(2048, 8191, ESP_GUID), (8192, 16000, LINUX_FS_GUID)])


@pytest.fixture
def mbr_disk(tmp_path: Path) -> Path:
    return make_mbr_disk(tmp_path / "mbr.img", 8 * MiB, [(2048, 4096, 0x07), (6144, 8192, 0x83)])


@pytest.mark.parametrize("disk", ["gpt_disk", "mbr_disk"])
def test_every_field_round_trips_through_the_disk(disk: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(disk)
    before = file_digest(path)
    write_zisd(path, EVERY_FIELD)
    assert read_zisd(path) == EVERY_FIELD
    assert file_digest(path) != before
    # Only the safe area changed: everything else on the disk is as it was.
    with open(path, "r+b") as f:
        f.seek(SAFE_AREA_OFFSET)
        f.write(bytes(SAFE_AREA_SIZE))
    assert file_digest(path) == before


def test_workgroup_and_static_fields_round_trip(mbr_disk: Path) -> None:
    data = ImageSafeData(dhcp=True, computer_name="KIOSK3", workgroup="IMAGING", dns_host_name="kiosk3")
    write_zisd(mbr_disk, data)
    assert read_zisd(mbr_disk) == data


@settings(max_examples=60, deadline=None)
@given(
    ip=st.integers(min_value=0x0A000001, max_value=0x0AFFFFFE),
    prefix=st.integers(min_value=8, max_value=30),
    dns=st.lists(st.integers(min_value=0x01000001, max_value=0xDFFFFFFE), max_size=8),
    name=st.from_regex(r"\A[A-Z][A-Z0-9-]{0,13}[A-Z0-9]\Z"),
)
def test_any_valid_identity_round_trips(tmp_path_factory: pytest.TempPathFactory, ip: int, prefix: int,
                                        dns: list[int], name: str) -> None:
    import ipaddress

    network = ipaddress.IPv4Network((ip, prefix), strict=False)
    host = ipaddress.IPv4Address(ip)
    if host in (network.network_address, network.broadcast_address):
        return
    path = make_mbr_disk(tmp_path_factory.mktemp("h") / "d.img", 2 * MiB, [(2048, 1024, 0x83)])
    data = ImageSafeData(dhcp=False, ip_address=str(host), subnet_mask=str(network.netmask),
                         dns_servers=tuple(str(ipaddress.IPv4Address(d)) for d in dns), computer_name=name)
    write_zisd(path, data)
    assert read_zisd(path) == data


def test_a_disk_without_a_record_says_none(gpt_disk: Path, tmp_path: Path) -> None:
    assert read_zisd(gpt_disk) is None
    small = tmp_path / "small.img"
    small.write_bytes(bytes(4096))
    assert read_zisd(small) is None


@pytest.mark.parametrize("where", [10, 40, 120, 200, 4000])
def test_a_corrupted_record_is_reported_as_corrupted(gpt_disk: Path, where: int) -> None:
    write_zisd(gpt_disk, EVERY_FIELD)
    with open(gpt_disk, "r+b") as f:
        f.seek(SAFE_AREA_OFFSET + where)
        byte = f.read(1)
        f.seek(SAFE_AREA_OFFSET + where)
        f.write(bytes([byte[0] ^ 0x5A]))
    if where >= 200:  # past the record's end: the zero padding is not part of it
        assert read_zisd(gpt_disk) == EVERY_FIELD
    else:
        with pytest.raises(RecordCorrupted, match="corrupted"):
            read_zisd(gpt_disk)


def test_a_record_cut_short_is_corrupted_not_empty(gpt_disk: Path) -> None:
    write_zisd(gpt_disk, EVERY_FIELD)
    with open(gpt_disk, "r+b") as f:
        f.seek(SAFE_AREA_OFFSET + 30)
        f.write(bytes(SAFE_AREA_SIZE - 30))
    with pytest.raises(RecordCorrupted):
        read_zisd(gpt_disk)


def test_a_newer_record_is_left_alone(gpt_disk: Path) -> None:
    import hashlib

    write_zisd(gpt_disk, EVERY_FIELD)
    with open(gpt_disk, "r+b") as f:
        f.seek(SAFE_AREA_OFFSET + 8)
        f.write(b"\x00\x02")  # version 2, checksum recomputed so only the version differs
        f.seek(SAFE_AREA_OFFSET + 8)
        head = f.read(4)
        length = int.from_bytes(head[2:4], "big")
        f.seek(SAFE_AREA_OFFSET + 8)
        signed = f.read(4 + length)
        f.write(hashlib.sha256(signed).digest())
    with pytest.raises(RecordTooNew, match="newer imgcast"):
        read_zisd(gpt_disk)
    with pytest.raises(RecordTooNew):
        record_base_image(gpt_disk, "x", SHA, None)


def test_first_partition_right_after_the_gpt_is_refused(tmp_path: Path) -> None:
    disk = make_gpt_disk(tmp_path / "tight.img", 8 * MiB, [(34, 16000, LINUX_FS_GUID)])
    before = file_digest(disk)
    with pytest.raises(NoSafeRoom, match=r"^no safe room: the first partition starts at sector 34\b"):
        write_zisd(disk, EVERY_FIELD)
    with pytest.raises(NoSafeRoom):
        record_base_image(disk, "x", SHA, None)
    with pytest.raises(NoSafeRoom):
        clear_zisd(disk)
    assert file_digest(disk) == before


def test_first_partition_right_after_the_mbr_is_refused(tmp_path: Path) -> None:
    disk = make_mbr_disk(tmp_path / "dos.img", 8 * MiB, [(63, 16000, 0x07)])
    before = file_digest(disk)
    with pytest.raises(NoSafeRoom, match=r"^no safe room: the first partition starts at sector 63\b"):
        write_zisd(disk, EVERY_FIELD)
    assert file_digest(disk) == before


def test_a_later_partition_over_the_area_is_refused(tmp_path: Path) -> None:
    disk = make_mbr_disk(tmp_path / "odd.img", 8 * MiB, [(40, 24, 0xef), (1000, 1100, 0x0c)])
    with pytest.raises(NoSafeRoom, match="partition 2 starts at sector 1000"):
        write_zisd(disk, EVERY_FIELD)


def test_gpt_entries_reaching_the_area_are_refused(tmp_path: Path) -> None:
    from imgcast.engine.zisd.placement import check_safe_room
    from imgcast.engine.zisd.table import PartitionTable

    table = PartitionTable("gpt", 512, (), (("the GPT partition entries", 1024, 1024 * 1024),))
    with pytest.raises(NoSafeRoom, match="the GPT partition entries reach sector 2047"):
        check_safe_room(table, 8 * MiB)


def test_a_disk_smaller_than_the_area_is_refused(tmp_path: Path) -> None:
    disk = tmp_path / "tiny.img"
    disk.write_bytes(bytes(512 * 1024))
    with pytest.raises(NoSafeRoom, match="needs the first 1 MiB"):
        write_zisd(disk, EVERY_FIELD)
    assert disk.stat().st_size == 512 * 1024


def test_4k_sector_gpt_with_aligned_partitions_has_room(tmp_path: Path) -> None:
    disk = make_gpt_disk(tmp_path / "4kn.img", 16 * MiB, [(256, 1000, ESP_GUID)], sector=4096)
    write_zisd(disk, EVERY_FIELD)
    assert read_zisd(disk) == EVERY_FIELD


def test_a_damaged_gpt_header_refuses_writing(gpt_disk: Path) -> None:
    with open(gpt_disk, "r+b") as f:
        f.seek(512 + 40)
        f.write(b"\x01")
    before = file_digest(gpt_disk)
    with pytest.raises(PartitionTableDamaged, match="the GPT is damaged"):
        write_zisd(gpt_disk, EVERY_FIELD)
    assert file_digest(gpt_disk) == before


def test_a_blank_disk_has_room(tmp_path: Path) -> None:
    disk = tmp_path / "blank.img"
    disk.write_bytes(bytes(2 * MiB))
    write_zisd(disk, EVERY_FIELD)
    assert read_zisd(disk) == EVERY_FIELD


def test_record_base_image_keeps_the_identity(mbr_disk: Path) -> None:
    identity = ImageSafeData(dhcp=True, computer_name="ROOM12-04", workgroup="ROOM12")
    write_zisd(mbr_disk, identity)
    when = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    record_base_image(mbr_disk, "base.imgcast", SHA.upper(), "mcast01", when=when)
    data = read_zisd(mbr_disk)
    assert data is not None
    assert data.computer_name == "ROOM12-04" and data.workgroup == "ROOM12"
    assert data.last_base_image is not None
    assert (data.last_base_image.name, data.last_base_image.sha256) == ("base.imgcast", SHA)
    assert data.last_base_image.time == when and data.last_base_image.session_name == "mcast01"
    record_base_image(mbr_disk, "next.imgcast", "f" * 64, None)
    again = read_zisd(mbr_disk)
    assert again is not None and again.last_base_image is not None
    assert again.last_base_image.name == "next.imgcast" and again.last_base_image.session_name is None
    assert again.computer_name == "ROOM12-04"


def test_record_base_image_on_a_fresh_disk_creates_a_record(gpt_disk: Path) -> None:
    record_base_image(gpt_disk, "base", SHA, "doug")
    data = read_zisd(gpt_disk)
    assert data is not None and data.dhcp and data.computer_name is None
    assert data.last_base_image is not None and data.last_base_image.session_name == "doug"


def test_record_base_image_refuses_to_replace_a_corrupted_record(gpt_disk: Path) -> None:
    write_zisd(gpt_disk, EVERY_FIELD)
    with open(gpt_disk, "r+b") as f:
        f.seek(SAFE_AREA_OFFSET + 20)
        f.write(b"\xff")
    damaged = area_bytes(gpt_disk)
    with pytest.raises(RecordCorrupted):
        record_base_image(gpt_disk, "base", SHA, None)
    assert area_bytes(gpt_disk) == damaged


def test_clear_removes_the_record(gpt_disk: Path) -> None:
    write_zisd(gpt_disk, EVERY_FIELD)
    clear_zisd(gpt_disk)
    assert read_zisd(gpt_disk) is None
    assert area_bytes(gpt_disk) == bytes(SAFE_AREA_SIZE)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (["ip=10.0.0.300", "mask=255.255.255.0"], "ip_address: '10.0.0.300' is not an IPv4 address"),
        (["ip=10.0.0.5", "mask=255.0.255.0"], "subnet_mask: 255.0.255.0 is not a subnet mask"),
        (["ip=10.0.0.5", "mask=banana"], "subnet_mask: 'banana' is not a subnet mask"),
        (["ip=10.0.0.5", "mask=0.0.0.0"], "not a subnet mask"),
        (["ip=10.0.0.0", "mask=255.255.255.0"], "network's own or broadcast"),
        (["ip=10.0.0.5", "mask=255.255.255.0", "gateway=10.0.1.1"], "gateway: 10.0.1.1 is not in"),
        (["dhcp=no"], "a static address needs"),
        (["dhcp=maybe"], "dhcp: 'maybe' must be yes or no"),
        (["hostname=-lab"], "dns_host_name: '-lab' is not a host name"),
        (["hostname=lab_pc"], "is not a host name"),
        (["hostname=" + "a" * 64], "is not a host name"),
        (["dns-suffix=corp..example"], "dns_suffix: 'corp..example' is not a DNS name"),
        (["computer-name=THIS-NAME-IS-TOO-LONG"], "must be 1 to 15 characters"),
        (["computer-name=LAB PC"], "may not contain"),
        (["computer-name=12345"], "digits only"),
        (["workgroup=A.B"], "may not contain ."),
        (["domain=corp_example"], "domain: 'corp_example' is not a DNS name"),
        (["dns=10.0.0.1,224.0.0.1"], "dns_servers: 224.0.0.1 cannot be a host's address"),
        (["colour=blue"], "unknown key 'colour'"),
        (["ip"], "expected KEY=VALUE"),
        (["ip=10.0.0.5", "ip=10.0.0.6"], "given twice"),
    ],
)
def test_bad_settings_are_refused_with_one_line(setting: list[str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        apply_settings(ImageSafeData(), setting)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_settings_apply_as_an_admin_means_them() -> None:
    data = apply_settings(ImageSafeData(workgroup="OLD"), ["ip=192.168.1.20", "mask=255.255.255.0",
                                                         "gateway=192.168.1.1", "dns=192.168.1.2, 192.168.1.3",
                                                         "domain=corp.example", "name=PC-20"])
    assert data.dhcp is False  # an address given means static
    assert data.dns_servers == ("192.168.1.2", "192.168.1.3")
    assert data.domain == "corp.example" and data.workgroup is None
    assert data.computer_name == "PC-20"
    back = apply_settings(data, ["dhcp=yes", "gateway=none"])
    assert back.dhcp and back.gateway is None and back.ip_address == "192.168.1.20"


def test_json_round_trip_keeps_every_field() -> None:
    import json

    document = json.loads(json.dumps(EVERY_FIELD.to_json()))
    assert from_json(document) == EVERY_FIELD
    assert from_json(json.loads(json.dumps(EVERY_FIELD.identity_json())), keep=EVERY_FIELD.last_base_image) == EVERY_FIELD


def test_json_with_bad_values_is_refused() -> None:
    with pytest.raises(UsageError, match="dhcp: must be true or false"):
        from_json({"dhcp": "yes"})
    with pytest.raises(UsageError, match="unknown key 'ipaddress'"):
        from_json({"ipaddress": "10.0.0.1"})
    with pytest.raises(UsageError, match="one JSON object"):
        from_json([1, 2])


def test_a_disk_without_a_table_but_with_data_is_refused(tmp_path: Path) -> None:
    disk = tmp_path / "whole-disk-fs.img"
    disk.write_bytes(bytes(1024) + b"\x53\xef" + bytes(2 * MiB))  # like ext4's superblock magic
    before = file_digest(disk)
    with pytest.raises(NoSafeRoom, match="no partition table but holds data"):
        write_zisd(disk, EVERY_FIELD)
    assert file_digest(disk) == before


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=400), st.integers(min_value=0, max_value=300))
def test_any_bytes_after_the_magic_are_a_record_or_corrupted(tail: bytes, length: int) -> None:
    """Untrusted bytes never raise anything but the module's own errors, and never parse half-way."""
    from imgcast.engine.zisd.layout import MAGIC
    from imgcast.engine.zisd.record import decode_area

    area = (MAGIC + b"\x00\x01" + length.to_bytes(2, "big") + tail).ljust(SAFE_AREA_SIZE, b"\0")
    try:
        decode_area(area)
    except (RecordCorrupted, RecordTooNew):
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=512, max_size=4096), st.sampled_from([0x00, 0x07, 0xEE]))
def test_any_first_sectors_give_a_table_or_a_damage_report(head: bytes, kind: int) -> None:
    from imgcast.engine.zisd.table import PartitionTable, read_table_from_bytes

    data = bytearray(head)
    data[446 + 4] = kind
    data[510:512] = b"\x55\xaa"
    try:
        table = read_table_from_bytes(bytes(data))
    except PartitionTableDamaged:
        return
    assert isinstance(table, PartitionTable)
