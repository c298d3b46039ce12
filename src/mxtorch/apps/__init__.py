"""Applications built on mxtorch's public API: the digit web app and the training command.

The web app's packages (FastAPI, uvicorn, python-multipart) are not dependencies of mxtorch itself;
they come with ``pip install 'mxtorch[apps]'``. Training and ``mxtorch predict`` need none of them.
"""
from __future__ import annotations

from mxtorch.base import MXNetError

__all__ = ["AppsDependencyError", "APPS_EXTRA"]

APPS_EXTRA = "pip install 'mxtorch[apps]'"


class AppsDependencyError(ModuleNotFoundError, MXNetError):
    """A package the web app needs is not installed.

    An ``ImportError`` (what a missing package is in Python) and an ``MXNetError`` (so that the
    ``mxtorch`` command reports it in one line).

    Parameters
    ----------
    package : str
        The missing package, as ``pip`` names it.
    module : str
        The module that could not be imported.
    """

    def __init__(self, package: str, module: str):
        super().__init__(f"the digit web app needs {package}, which is not installed; install the "
                         f"apps' packages with: {APPS_EXTRA}", name=module)
        self.package = package
