"""GluonCV imported through mxtorch's ``mxnet`` hook, and the two shims that allow it.

The shims' tests use a stand-in ``gluoncv`` package written here (GluonCV's check has the shape
these files give it: a torch outside ``[min, max)`` raises RuntimeError, no torch raises
ImportError, and the package goes on MXNet-only after an ImportError; its anchors are built with
``np.float``, as GluonCV's Faster R-CNN builds them), so they run whether or not GluonCV is
installed; the last test imports the real GluonCV 0.10.5 and skips without it.
"""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import mxtorch
from mxtorch import _mxnet_alias as alias

FAKE_CHECK = """\
def _require_pytorch_version(torch_version, max_torch_version="2.0.0"):
    try:
        import torch
    except ImportError as err:
        raise ImportError("no torch") from err
    major = int(torch.__version__.split(".")[0])
    if major >= int(max_torch_version.split(".")[0]):
        raise RuntimeError("Legacy torch==" + torch.__version__ + " detected")
"""

FAKE_ANCHORS = """\
import numpy as np


def base_anchor(size):
    return np.array([0, 0, size, size], dtype=np.float) - 1
"""

FAKE_INIT = """\
from .check import _require_pytorch_version
found_torch = True
try:
    _require_pytorch_version("1.4.0", "2.0.0")
except ImportError as err:
    found_torch = False
    why = str(err)
"""

PROGRAM = """\
import json
import sys
import warnings
warnings.simplefilter("error", FutureWarning)   # NumPy 2 warns when asked for np.object
import mxnet
import torch
import gluoncv
import gluoncv.check
import gluoncv.anchors
import numpy
anchor = gluoncv.anchors.base_anchor(4)
print(json.dumps({"found_torch": gluoncv.found_torch, "torch": torch.__version__,
                  "mxnet_is_mxtorch": sys.modules["mxnet"].__name__ == "mxtorch",
                  "wrapped": hasattr(gluoncv.check._require_pytorch_version, "__wrapped__"),
                  "anchor": [anchor.tolist(), str(anchor.dtype)],
                  "numpy_untouched": not hasattr(numpy, "float") and "float" not in dir(numpy),
                  "np_view": [gluoncv.anchors.np.ndarray is numpy.ndarray,
                              gluoncv.anchors.np.float is float]}))
"""


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", alias.ENV_SWITCH)}


def _mxtorch_run(program: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mxtorch", "run", str(program)], cwd=program.parent,
                          env=_env(), capture_output=True, text=True, timeout=120)


@pytest.fixture
def fake_gluoncv(tmp_path: pathlib.Path) -> pathlib.Path:
    """A program folder holding a stand-in ``gluoncv`` package and a program importing it."""
    package = tmp_path / "gluoncv"
    package.mkdir()
    (package / "__init__.py").write_text(FAKE_INIT)
    (package / "check.py").write_text(FAKE_CHECK)
    (package / "anchors.py").write_text(FAKE_ANCHORS)
    (tmp_path / "prog.py").write_text(PROGRAM)
    return tmp_path / "prog.py"


def test_gluoncv_loads_with_both_shims_under_mxtorch_run(fake_gluoncv: pathlib.Path) -> None:
    import torch

    done = _mxtorch_run(fake_gluoncv)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"found_torch": False, "torch": torch.__version__, "mxnet_is_mxtorch": True,
                    "wrapped": True, "anchor": [[-1.0, -1.0, 3.0, 3.0], "float64"],
                    "numpy_untouched": True, "np_view": [True, True]}


def test_without_the_hook_gluoncv_loads_as_python_loads_it(fake_gluoncv: pathlib.Path) -> None:
    code = ("import numpy, gluoncv.anchors as a, gluoncv.check as c; assert a.np is numpy; "
            "c._require_pytorch_version('1.4.0', '2.0.0')")
    done = subprocess.run([sys.executable, "-c", code], cwd=fake_gluoncv.parent, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "RuntimeError: Legacy torch" in done.stderr


def _check_module(folder: pathlib.Path) -> object:
    spec = importlib.util.spec_from_file_location("fake_check", folder / "gluoncv" / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_wrapper_passes_the_refusal_through_when_mxnet_is_not_mxtorch(
        fake_gluoncv: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    relaxed = alias._relaxed_torch_check(_check_module(fake_gluoncv.parent)._require_pytorch_version)
    monkeypatch.setitem(sys.modules, "mxnet", type(sys)("mxnet"))   # a real MXNet, say
    with pytest.raises(RuntimeError, match="Legacy torch"):
        relaxed("1.4.0", "2.0.0")
    monkeypatch.setitem(sys.modules, "mxnet", mxtorch)
    with pytest.raises(ImportError, match="torch<2.0.0"):
        relaxed("1.4.0", "2.0.0")
    relaxed("1.4.0", "99.0.0")   # a torch GluonCV accepts: no error either way


def test_at_least() -> None:
    assert alias._at_least("2.13.0+cpu", "2.0.0")
    assert alias._at_least("2.0.0", "2.0.0")
    assert not alias._at_least("1.13.1", "2.0.0")
    assert not alias._at_least("", "2.0.0")


def test_disable_takes_both_finders_off() -> None:
    before = list(sys.meta_path)
    try:
        alias.enable(force=True)
        assert sum(isinstance(f, alias._GluonCVFinder) for f in sys.meta_path) == 1
        alias.enable(force=True)   # once only
        assert sum(isinstance(f, alias._GluonCVFinder) for f in sys.meta_path) == 1
    finally:
        alias.disable()
        sys.meta_path[:] = before
    assert not any(isinstance(f, alias._GluonCVFinder) for f in sys.meta_path)


@pytest.mark.skipif(importlib.util.find_spec("gluoncv") is None, reason="GluonCV is not installed")
def test_real_gluoncv_imports_on_its_mxnet_half(tmp_path: pathlib.Path) -> None:
    program = tmp_path / "prog.py"
    program.write_text(textwrap.dedent("""\
        import json
        import gluoncv
        import mxnet
        from gluoncv import data, loss, model_zoo, nn, utils
        print(json.dumps([gluoncv._found_mxnet, gluoncv._found_pytorch, mxnet.__version__,
                          gluoncv.model_zoo.get_model.__module__]))
        """))
    done = _mxtorch_run(program)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [True, False, "1.9.1",
                                                                "gluoncv.model_zoo.model_zoo"]


def test_gluoncv_loads_with_both_shims_under_the_installed_alias(fake_gluoncv: pathlib.Path) -> None:
    # the .pth hook sits behind Python's path finder; the GluonCV finder still goes first
    site_dir = fake_gluoncv.parent / "site-packages"
    alias.install(str(site_dir))
    code = (f"import site, sys; site.addsitedir({str(site_dir)!r}); sys.path.insert(0, '.'); "
            f"exec(open({str(fake_gluoncv)!r}).read())")
    done = subprocess.run([sys.executable, "-c", code], cwd=fake_gluoncv.parent, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert (seen["found_torch"], seen["wrapped"], seen["np_view"]) == (False, True, [True, True])
