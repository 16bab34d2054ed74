from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.databases import filesystem_of

_MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid 0 0
tmpfs /tmp tmpfs rw,nosuid 0 0
/dev/vdb /tmp/scratch\\040space xfs rw 0 0
overlay /srv overlay rw 0 0
tmpfs /srv tmpfs rw 0 0
"""


@pytest.fixture
def mounts(tmp_path: Path) -> Path:
    table = tmp_path / "mounts"
    table.write_text(_MOUNTS)
    return table


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "ext4"),
        ("/home/someone/rolodex.db", "ext4"),
        ("/tmp", "tmpfs"),
        ("/tmp/bench/rolodex.db", "tmpfs"),
        ("/tmp/scratch space/rolodex.db", "xfs"),  # \040 in the table is a space
        ("/tmp/scratch", "tmpfs"),  # a name's prefix is not its directory
        ("/srv/data", "tmpfs"),  # mounted over the overlay: the last one mounted
    ],
)
def test_the_deepest_mount_holding_a_path_names_its_file_system(
    mounts: Path, path: str, expected: str
) -> None:
    assert filesystem_of(Path(path), mounts) == expected


def test_this_machines_file_system_is_named_as_the_kernel_knows_it(tmp_path: Path) -> None:
    """Not ``stat -f``'s ``ext2/ext3``, which it prints for ext4 too: a type the kernel
    lists among its file systems."""
    known = {line.split()[-1] for line in Path("/proc/filesystems").read_text().splitlines()}
    assert filesystem_of(tmp_path) in known
