"""Which bytes an image carries, checked against a byte-by-byte model of the same rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from imgcast.engine.image.plan import merge, plan_regions, safe_area_is_free, subtract
from imgcast.engine.safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET

ranges = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60)), max_size=8)


def as_set(rs) -> set[int]:
    return {i for start, length in rs for i in range(start, start + length)}


@settings(max_examples=200, deadline=None)
@given(ranges, ranges)
def test_subtract_and_merge_match_set_arithmetic(a, b) -> None:
    result = subtract(a, b)
    assert as_set(result) == as_set(a) - as_set(b)
    assert result == merge(result)  # sorted, disjoint, not touching, no empties
    assert all(length > 0 for _, length in result)


@settings(max_examples=200, deadline=None)
@given(
    partitions=st.lists(st.tuples(st.integers(0, 150), st.integers(1, 50), ranges), max_size=3),
    disk_size=st.integers(1, 260),
    edge=st.integers(0, 8),
)
def test_plan_carries_unmapped_bytes_whole_and_mapped_partitions_where_used_and_at_their_edges(
        partitions, disk_size, edge) -> None:
    mapped = [((start, size), used) for start, size, used in partitions]
    plan = as_set(plan_regions(disk_size, mapped, skip_safe_area=False, edge=edge))
    disk = set(range(disk_size))
    in_partitions = as_set(partition for partition, _ in mapped)
    used_inside = set().union(*(as_set([p]) & as_set(used) for p, used in mapped)) if mapped else set()
    edges = set()
    for (start, size), _ in mapped:
        inside = sorted(set(range(start, start + size)) & disk)
        edges |= set(inside[:edge]) | set(inside[-edge:] if edge else [])
    assert plan == (disk - in_partitions) | (used_inside & disk) | edges


def test_the_safe_area_is_left_out_only_where_no_partition_covers_it() -> None:
    disk = 64 << 20
    aligned = [(1 << 20, 8 << 20)]
    legacy = [(63 * 512, 8 << 20)]  # a DOS-era partition starting at sector 63 covers the area
    assert safe_area_is_free(aligned, disk, partitioned=True)
    assert not safe_area_is_free(legacy, disk, partitioned=True)
    assert not safe_area_is_free([], disk, partitioned=False)
    plan = as_set(plan_regions(2 << 20, [], skip_safe_area=True))
    assert plan == set(range(2 << 20)) - set(range(SAFE_AREA_OFFSET, SAFE_AREA_END))
