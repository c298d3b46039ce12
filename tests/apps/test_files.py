"""The apps' atomic writes: all or nothing, the umask's permissions (not mkstemp's 0600), leftovers."""
import json
import os
import stat
import subprocess
import sys

import pytest

from mxtorch.apps.digits.model import ModelCard
from mxtorch.apps.files import atomic_output, sha256_of, stale_temporaries


@pytest.fixture(params=[0o022, 0o002, 0o077])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_output_gives_the_umask_mode(tmp_path, umask):
    path = tmp_path / "out.txt"
    with atomic_output(path) as tmp:
        with open(tmp, "w") as f:  # opening an existing file keeps its mode
            f.write("data")
    assert path.read_text() == "data"
    assert _mode(path) == 0o666 & ~umask


def test_model_card_gets_the_umask_mode(tmp_path, umask):
    path = tmp_path / "lenet.json"
    ModelCard(name="lenet", sha256="0" * 64).write(path)
    assert json.loads(path.read_text())["name"] == "lenet"
    assert _mode(path) == 0o666 & ~umask


def test_atomic_output_leaves_the_old_file_on_error(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(path) as tmp:
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_sha256_of(tmp_path):
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names open files by /proc/self/fd")
def test_atomic_output_syncs_the_file_and_its_folder(tmp_path, monkeypatch):
    synced, fsync = [], os.fsync

    def recorded(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recorded)
    with atomic_output(tmp_path / "out.txt") as tmp:
        with open(tmp, "w") as f:
            f.write("data")
    assert synced[-1] == str(tmp_path)  # after the rename: the folder entry is durable too
    assert synced[-2].startswith(str(tmp_path / ".out.txt."))


def test_stale_temporaries_are_those_of_dead_writers(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead, alive = int(gone.stdout), os.getpid()
    names = {f".out.params.{dead}.0123abcd.tmp": "out.params",  # atomic_output's
             f"..out.params.{dead}.0123abcd.tmp.{dead}.89abcdef.tmp": "out.params",  # mx.nd.save's inside it
             f".out.json.{alive}.0123abcd.tmp": None,  # this process: a write in progress
             ".notes.tmp": None, f"out.params.{dead}.0123abcd.tmp": None, "out.params": None}
    for name in names:
        (tmp_path / name).write_text("x")
    found = {path.name: target for path, target in stale_temporaries(tmp_path)}
    assert found == {name: target for name, target in names.items() if target}
    assert list(stale_temporaries(tmp_path / "missing")) == []
