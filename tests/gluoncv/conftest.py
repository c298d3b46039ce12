"""Fixtures for the GluonCV tests: GluonCV itself, imported through mxtorch's ``mxnet`` hook."""
import importlib.util

import pytest

from mxtorch import _mxnet_alias as alias


@pytest.fixture(scope="module")
def gluoncv():
    """GluonCV 0.10.5 with ``import mxnet`` giving mxtorch, as ``mxtorch run`` gives it.

    The hook is put on for one test module and taken off after it (other tests expect it off);
    GluonCV's modules stay loaded, bound to mxtorch's. Skips when GluonCV is not installed.
    """
    if importlib.util.find_spec("gluoncv") is None:
        pytest.skip("GluonCV is not installed (make setup installs gluoncv==0.10.5 --no-deps)")
    was_on = alias.is_enabled()
    alias.enable(force=True)
    try:
        import gluoncv as module
        import gluoncv.model_zoo  # noqa: F401  (the package's own import hides a failure here)
        yield module
    finally:
        if not was_on:
            alias.disable()
