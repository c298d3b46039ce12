"""The apps' files get the umask's permissions (not mkstemp's 0600); the writer itself is tested in
tests/test_fileio.py."""
import json
import os
import stat

import pytest

from mxtorch.apps.digits.model import ModelCard


@pytest.fixture(params=[0o022, 0o077])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_model_card_gets_the_umask_mode(tmp_path, umask):
    path = tmp_path / "lenet.json"
    ModelCard(name="lenet", sha256="0" * 64).write(path)
    assert json.loads(path.read_text())["name"] == "lenet"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    assert sorted(os.listdir(tmp_path)) == ["lenet.json"]
