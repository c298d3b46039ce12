"""``mxtorch run`` and ``mxtorch alias``: unmodified MXNet programs, the import hook, the .pth file.

The runs are subprocesses (each imports torch: about 2 s); the hook's own behaviour is also
checked in-process, with the hook taken off again afterwards.
"""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import mxtorch
from mxtorch import _mxnet_alias as alias
from mxtorch.cli import main

HELPER = """\
import mxnet as mx
from mxnet import gluon, nd
import mxnet.gluon.nn as nn


def forward():
    net = nn.Dense(2, in_units=3)
    net.initialize(mx.init.One())
    return net(nd.ones((1, 3))).asnumpy().tolist()
"""

PROGRAM = """\
import json
import os
import sys

import helper
import mxnet
import mxnet.gluon.nn
import mxtorch

if len(sys.argv) > 1 and sys.argv[1] == "fail":
    helper.nd.array([1]).reshape((5, 7))
if len(sys.argv) > 1 and sys.argv[1] == "exit":
    sys.exit(int(sys.argv[2]))
print(json.dumps({
    "argv": [os.path.basename(sys.argv[0])] + sys.argv[1:],
    "name": __name__,
    "file": __file__,
    "path0": sys.path[0],
    "same": [mxnet is mxtorch, mxnet.nd is mxtorch.nd, helper.nd is mxtorch.nd,
             helper.gluon is mxtorch.gluon, sys.modules["mxnet.gluon.nn"] is mxtorch.gluon.nn],
    "main_is_program": sys.modules["__main__"].__dict__.get("PROGRAM_MARK") == 1,
    "version": mxnet.__version__,
    "forward": helper.forward(),
}))
"""


@pytest.fixture
def program(tmp_path: pathlib.Path) -> pathlib.Path:
    """An unmodified MXNet program in its own folder, importing a helper that imports mxnet."""
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "helper.py").write_text(HELPER)
    (folder / "train.py").write_text("PROGRAM_MARK = 1\n" + PROGRAM)
    return folder / "train.py"


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", alias.ENV_SWITCH)}
    env.update(extra)
    return env


def _run(args: list, cwd: pathlib.Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=120)


def _console_script() -> list:
    script = pathlib.Path(sys.executable).with_name("mxtorch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mxtorch"]


def test_run_runs_an_unmodified_program_with_its_arguments(program, tmp_path):
    import json

    done = _run([*_console_script(), "run", str(program), "a", "--lr", "0.1", "--", "-x"],
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["argv"] == ["train.py", "a", "--lr", "0.1", "--", "-x"]
    assert out["name"] == "__main__" and out["main_is_program"]
    assert out["file"] == str(program)
    assert out["path0"] == str(program.parent)      # the script's folder, not the current one
    assert out["same"] == [True] * 5
    assert out["version"] == "1.9.1"
    assert out["forward"] == [[3.0, 3.0]]


def test_python_m_mxtorch_run_passes_the_programs_failure_through(program):
    done = _run([sys.executable, "-m", "mxtorch", "run", program.name, "fail"], cwd=program.parent)
    assert done.returncode == 1
    # Python's traceback, from the program's own frames: none of the runner's
    lines = done.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert f'File "{program}"' in lines[1]
    assert "runpy" not in done.stderr and "_mxnet_alias" not in done.stderr
    assert "helper.nd.array([1]).reshape((5, 7))" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("mxtorch.base.MXNetError")
    exited = _run([sys.executable, "-m", "mxtorch", "run", str(program), "exit", "7"],
                  cwd=program.parent)
    assert (exited.returncode, exited.stdout, exited.stderr) == (7, "", "")


def test_run_m_runs_a_module_as_python_m(program):
    done = _run([*_console_script(), "run", "-m", "train", "b"], cwd=program.parent)
    assert done.returncode == 0, done.stderr
    assert '"argv": ["train.py", "b"]' in done.stdout and '"same": [true, true, true, true, true]' \
        in done.stdout


def test_run_refuses_to_shadow_a_real_mxnet_unless_forced(program, tmp_path):
    real = tmp_path / "real"
    (real / "mxnet").mkdir(parents=True)
    (real / "mxnet" / "__init__.py").write_text("raise SystemExit('the real MXNet was imported')\n")
    refused = _run([sys.executable, "-m", "mxtorch", "run", str(program)], cwd=tmp_path,
                   PYTHONPATH=str(real))
    assert refused.returncode == 2 and refused.stdout == ""
    assert "a real MXNet is installed" in refused.stderr and str(real / "mxnet") in refused.stderr
    assert "--force" in refused.stderr
    forced = _run([sys.executable, "-m", "mxtorch", "run", "--force", str(program)], cwd=tmp_path,
                  PYTHONPATH=str(real))
    assert forced.returncode == 0, forced.stderr
    assert '"same": [true, true, true, true, true]' in forced.stdout


def test_run_reports_a_missing_program(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nothere.py")]) == 2
    assert "can't open file" in capsys.readouterr().err
    assert not alias.is_enabled()


def test_an_mxnet_beside_the_program_counts_as_real(program):
    (program.parent / "mxnet.py").write_text("")
    refused = _run([*_console_script(), "run", str(program)], cwd=program.parent.parent)
    assert refused.returncode == 2 and f"mxnet at {program.parent / 'mxnet.py'}" in refused.stderr


def test_alias_install_and_uninstall_in_a_site_directory(tmp_path, capsys):
    site_dir = tmp_path / "site-packages"
    assert main(["alias", "install", "--site-dir", str(site_dir)]) == 0
    pth = site_dir / alias.PTH_NAME
    assert pth.is_file() and str(pth) in capsys.readouterr().out
    assert len(pth.read_text().splitlines()) == 1 and pth.read_text().startswith("import ")
    assert main(["alias", "status", "--site-dir", str(site_dir)]) == 0
    assert "installed" in capsys.readouterr().out

    check = textwrap.dedent(f"""\
        import site, sys
        site.addsitedir({str(site_dir)!r})          # what the interpreter does at start-up
        assert "torch" not in sys.modules             # the .pth line imports no torch
        import mxnet, mxtorch
        from mxnet.gluon import nn
        assert mxnet is mxtorch and nn is mxtorch.gluon.nn
        print("aliased")
        """)
    done = _run([sys.executable, "-c", check], cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "aliased\n"), done.stderr

    assert main(["alias", "uninstall", "--site-dir", str(site_dir)]) == 0
    assert not pth.exists() and "removed" in capsys.readouterr().out
    gone = _run([sys.executable, "-c", f"import site; site.addsitedir({str(site_dir)!r}); "
                 "import mxnet"], cwd=tmp_path)
    assert gone.returncode == 1 and "No module named 'mxnet'" in gone.stderr
    assert main(["alias", "uninstall", "--site-dir", str(site_dir)]) == 0
    assert "no mxtorch alias installed" in capsys.readouterr().out


def test_alias_install_refuses_a_site_with_a_real_mxnet(tmp_path, capsys):
    (tmp_path / "mxnet").mkdir()
    (tmp_path / "mxnet" / "__init__.py").write_text("")
    assert main(["alias", "install", "--site-dir", str(tmp_path)]) == 2
    assert "a real MXNet is installed" in capsys.readouterr().err
    assert not (tmp_path / alias.PTH_NAME).exists()
    assert main(["alias", "install", "--force", "--site-dir", str(tmp_path)]) == 0
    assert "_enable_at_startup(True)" in (tmp_path / alias.PTH_NAME).read_text()


@pytest.fixture
def hook():
    """The hook on for one test, then off with the mxnet names it answered."""
    assert not alias.is_enabled()
    yield alias.enable()
    alias.disable()
    assert not alias.is_enabled() and "mxnet" not in sys.modules


def test_the_hook_answers_mxnet_with_mxtorchs_own_modules(hook):
    import mxnet
    import mxnet.gluon.model_zoo.vision as vision
    from mxnet import autograd, nd
    from mxnet.gluon import nn

    assert mxnet is mxtorch and nd is mxtorch.nd and autograd is mxtorch.autograd
    assert nn is mxtorch.gluon.nn and vision is mxtorch.gluon.model_zoo.vision
    # the modules keep their own identity: names, specs, relative imports
    assert mxtorch.gluon.nn.__name__ == "mxtorch.gluon.nn"
    assert mxtorch.gluon.nn.__spec__.name == "mxtorch.gluon.nn"
    assert type(nd.ones((1,))).__module__.startswith("mxtorch.")
    with pytest.raises(ModuleNotFoundError, match="mxnet.no_such_module") as err:
        import mxnet.no_such_module  # noqa: F401
    assert err.value.name == "mxnet.no_such_module"
    assert alias.enable() is hook and sys.meta_path[0] is hook    # enabling twice: one hook


def test_the_hook_finds_a_real_mxnet(tmp_path):
    assert alias.find_real_mxnet([str(tmp_path)]) is None
    (tmp_path / "mxnet.py").write_text("")
    assert alias.find_real_mxnet([str(tmp_path)]) == f"mxnet at {tmp_path / 'mxnet.py'}"
