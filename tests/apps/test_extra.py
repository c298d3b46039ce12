"""The web app's packages are the ``mxtorch[apps]`` extra: importing mxtorch loads none of them, and
``mxtorch digits`` without them says how to install them."""
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

WEB = ("fastapi", "uvicorn", "starlette", "multipart", "python_multipart")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_importing_mxtorch_loads_no_web_framework():
    done = _run(f"""
import json, sys
loaded = {{}}
for module in ("mxtorch", "mxtorch.gluon", "mxtorch.cli", "mxtorch.apps.train"):
    __import__(module)
    loaded[module] = sorted(m for m in sys.modules if m.split(".")[0] in {WEB!r})
print(json.dumps(loaded))
""")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"mxtorch": [], "mxtorch.gluon": [], "mxtorch.cli": [],
                                       "mxtorch.apps.train": []}


@pytest.mark.parametrize("missing, package", [
    (("fastapi",), "fastapi"),
    (("uvicorn",), "uvicorn"),
    (("python_multipart", "multipart"), "python-multipart"),
])
def test_digits_without_the_extra_says_how_to_install_it(missing, package):
    # a None in sys.modules makes the import fail as if the package were not installed
    done = _run(f"""
import sys
for name in {missing!r}:
    sys.modules[name] = None
from mxtorch.cli import main
sys.exit(main(["digits", "--port", "1"]))
""")
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (f"mxtorch: error: the digit web app needs {package}, which is not "
                                   "installed; install the apps' packages with: pip install 'mxtorch[apps]'")


def test_the_missing_package_is_an_import_error():
    done = _run("""
import sys
sys.modules["fastapi"] = None
try:
    import mxtorch.apps.digits.server
except ImportError as err:
    print(type(err).__name__, err.name)
""")
    assert done.stdout.split() == ["AppsDependencyError", "fastapi"], done.stderr
