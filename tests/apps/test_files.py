"""The apps' atomic writes: all or nothing, and the umask's permissions (not mkstemp's 0600)."""
import json
import os
import stat

import pytest

from mxtorch.apps.digits.model import ModelCard
from mxtorch.apps.files import atomic_output, sha256_of


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
