"""``import mxnet`` answered by mxtorch: the import hook behind ``mxtorch run`` and ``mxtorch alias``.

The hook is a ``sys.meta_path`` finder. Asked for ``mxnet`` or any ``mxnet.<sub>`` module, it
imports ``mxtorch`` or ``mxtorch.<sub>`` and hands back that same module object, so
``import mxnet as mx``, ``from mxnet import gluon, nd`` and ``import mxnet.gluon.nn`` give mxtorch's
modules, in the program and in every module it imports (``mxnet.nd is mxtorch.nd``). Nothing is
copied or wrapped: classes keep their ``mxtorch`` names, so pickles and ``isinstance`` checks see
one set of classes whichever name imported them.

Two ways to use it:

``mxtorch run prog.py [args]`` (or ``python -m mxtorch run ...``)
    Runs one program as ``python prog.py args`` would (``sys.argv``, ``sys.path[0]``,
    ``__main__``, exit status and tracebacks are Python's), with the hook on for that process.
    ``mxtorch run -m package.module args`` runs a module as ``python -m`` does.

``mxtorch alias install`` / ``mxtorch alias uninstall`` / ``mxtorch alias status``
    Makes it permanent in one environment: ``install`` writes ``mxtorch-mxnet-alias.pth`` into
    that environment's site-packages (``--site-dir`` picks another site directory), so every
    Python started from the environment has the hook; ``uninstall`` deletes the file. A ``.pth``
    file is the interpreter's own per-environment start-up mechanism (editable installs and
    coverage use it): it is scoped to one virtual environment, needs no change to the programs,
    to ``PYTHONPATH`` or to shell profiles, survives new shells and subprocesses (which an
    environment variable set in one shell would not), and is undone by deleting one file. Its
    one line loads this file by path, without importing mxtorch or torch: start-up cost is a
    file stat and a few microseconds, and torch is imported only when a program imports
    ``mxnet``. Run ``mxtorch alias uninstall`` before ``pip uninstall mxtorch``; a line left
    behind does nothing once this file is gone. ``MXTORCH_MXNET_ALIAS=0`` in the environment
    turns the installed hook off for one process.

A real MXNet is never shadowed unless asked: ``mxtorch run`` and ``alias install`` refuse, saying
so, when ``import mxnet`` would find an MXNet installation, and go ahead with ``--force``. The
installed hook also sits behind Python's own path finder, so an MXNet installed after the alias
still answers ``import mxnet`` (``alias install --force`` puts the hook first instead).

Limits: processes started afresh (``multiprocessing``'s spawn method, ``subprocess`` running
``python``) have the hook only in the permanent mode; forked workers inherit it. ``mxtorch run``
imports mxtorch and torch before the program starts, so an environment variable that torch reads
once at import and that the program sets before ``import mxnet`` comes too late (CUDA's
``CUDA_VISIBLE_DEVICES`` is read later and still works).

GluonCV. GluonCV 0.10.5 (the last release) predates torch 2 and NumPy 1.24, and meets both here;
two shims, both active only while the hook is on and ``import mxnet`` gave mxtorch, let it load
unmodified. A second finder, put first on ``sys.meta_path`` with the hook, loads every module of
GluonCV's MXNet half (all of ``gluoncv`` but ``gluoncv.torch``) with Python's own loader, from
GluonCV's own files, and then:

* ``gluoncv.check``: GluonCV's ``__init__`` asks it for an MXNet in ``[1.4, 2.0)`` and,
  separately, for a torch in ``[1.4, 2.0)`` to back its optional ``gluoncv.torch`` half. A torch
  outside that range raises ``RuntimeError`` and fails the whole import, although the MXNet half
  never touches torch; with no torch at all the check raises ``ImportError`` and GluonCV goes on
  MXNet-only. Under mxtorch torch is always there (it is the engine) and is 2.x, so the check's
  ``_require_pytorch_version`` is wrapped: its refusal of a torch >= 2.0 reads as ``ImportError``
  ("GluonCV's torch half is unavailable"), the answer GluonCV gives when torch is missing. Every
  other outcome passes through; ``torch.__version__`` and every other module see the truth, and
  ``gluoncv.torch`` itself still needs a torch < 2.
* NumPy's removed aliases: GluonCV writes ``np.float``, ``np.int`` (Faster R-CNN's anchors, the
  COCO metric), names NumPy deprecated in 1.20 and removed in 1.24. In a GluonCV module whose
  ``np`` is NumPy, ``np`` is rebound to a view of NumPy (:class:`_NumPyWithAliases`) that answers
  every name from NumPy itself and the removed ones with Python's types, as NumPy 1.23 did.
  NumPy is not changed: other modules, GluonCV's arrays and ``isinstance`` checks see NumPy.

With a real MXNet answering ``import mxnet``, GluonCV behaves exactly as without the hook (the
wrapped check passes its refusal through, and ``np`` stays NumPy).

This file imports only the standard library and nothing relative, so the ``.pth`` line can load
it on its own at start-up.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Sequence   # not typing: its import would cost every start-up 6 ms

__all__ = ["ALIAS", "TARGET", "PTH_NAME", "ENV_SWITCH", "RealMXNetFound", "MXNetAlias", "enable",
           "disable", "is_enabled", "find_real_mxnet", "run_program", "install", "uninstall",
           "installed_pth", "default_site_dir", "pth_line"]

ALIAS = "mxnet"
TARGET = "mxtorch"
PTH_NAME = "mxtorch-mxnet-alias.pth"
ENV_SWITCH = "MXTORCH_MXNET_ALIAS"
_MARK = "_mxtorch_mxnet_alias"   # set on our finders, whichever copy of this file made them
_MARK_GLUONCV = "_mxtorch_gluoncv"   # set on the GluonCV finder likewise


class RealMXNetFound(RuntimeError):
    """``import mxnet`` would find an MXNet installation, and shadowing it was not asked for."""

    def __init__(self, location: str, action: str):
        self.location = location
        super().__init__(
            f"a real MXNet is installed ({location}); {action} would shadow it, so mxtorch refuses. "
            f"Use python itself to run on that MXNet, or pass --force to use mxtorch anyway.")


def _target_name(fullname: str) -> str | None:
    """``mxnet.gluon.nn`` -> ``mxtorch.gluon.nn``; None for names outside ``mxnet``."""
    if fullname == ALIAS or fullname.startswith(ALIAS + "."):
        return TARGET + fullname[len(ALIAS):]
    return None


GLUONCV_CHECK = "gluoncv.check"


def _relaxed_torch_check(original: object) -> object:
    """GluonCV's ``_require_pytorch_version`` with its torch >= 2 refusal given as ImportError."""

    def _require_pytorch_version(torch_version: str, max_torch_version: str = "2.0.0") -> None:
        try:
            original(torch_version, max_torch_version)
        except RuntimeError as err:
            if not _under_mxtorch() or not _at_least(
                    getattr(sys.modules.get("torch"), "__version__", ""), max_torch_version):
                raise
            raise ImportError(
                f"GluonCV's torch backend wants torch<{max_torch_version}; under mxtorch GluonCV "
                f"runs on its MXNet API only ({err})") from err

    _require_pytorch_version.__wrapped__ = original
    _require_pytorch_version.__doc__ = original.__doc__
    return _require_pytorch_version


def _at_least(version: str, bound: str) -> bool:
    """``version >= bound`` on their leading dotted integers (``'2.13.0+cpu' >= '2.0.0'``)."""

    def numbers(text: str) -> tuple:
        out = []
        for part in text.split("+")[0].split("."):
            digits = ""
            for ch in part:
                if not ch.isdigit():
                    break
                digits += ch
            if not digits:
                break
            out.append(int(digits))
        return tuple(out)

    found = numbers(version)
    return bool(found) and found >= numbers(bound)


# NumPy 1.24 removed these aliases of Python's own types; GluonCV 0.10 still writes np.float & co.
_REMOVED_NUMPY_ALIASES = {"float": float, "int": int, "bool": bool, "object": object,
                          "complex": complex, "str": str}


class _NumPyWithAliases(types.ModuleType):
    """NumPy as one GluonCV module sees it: every name is NumPy's own, and the aliases NumPy 1.24
    removed (``np.float`` is Python's ``float``, ...) answer again, as they did in NumPy 1.23."""

    def __init__(self, numpy: types.ModuleType) -> None:
        super().__init__(numpy.__name__, numpy.__doc__)
        self.__dict__["_numpy"] = numpy
        for name, value in _REMOVED_NUMPY_ALIASES.items():
            if name not in vars(numpy):   # not hasattr: NumPy 2 warns when asked for np.object
                self.__dict__[name] = value

    def __getattr__(self, name: str) -> object:
        return getattr(self._numpy, name)

    def __dir__(self) -> list:
        return sorted(set(dir(self._numpy)) | set(self.__dict__))


def _under_mxtorch() -> bool:
    """True when ``import mxnet`` has given mxtorch in this process."""
    return getattr(sys.modules.get(ALIAS), "__name__", None) == TARGET


class _GluonCVLoader:
    """Loads a GluonCV module with its own loader, then applies the two shims (see the module
    docstring): the torch check in ``gluoncv.check``, the NumPy aliases where ``np`` is NumPy."""

    def __init__(self, loader: object) -> None:
        self.loader = loader

    def create_module(self, spec: object) -> object:
        return self.loader.create_module(spec)

    def exec_module(self, module: object) -> None:
        self.loader.exec_module(module)
        if module.__name__ == GLUONCV_CHECK:
            original = getattr(module, "_require_pytorch_version", None)
            if callable(original):
                module._require_pytorch_version = _relaxed_torch_check(original)
        numpy = sys.modules.get("numpy")
        if (numpy is not None and module.__dict__.get("np") is numpy and _under_mxtorch()
                and any(name not in vars(numpy) for name in _REMOVED_NUMPY_ALIASES)):
            module.np = _NumPyWithAliases(numpy)

    def __getattr__(self, name: str) -> object:   # get_source, get_filename, ... as the real loader
        return getattr(self.loader, name)


def _gluoncv_module(fullname: str) -> bool:
    """GluonCV's MXNet half: ``gluoncv`` and its modules but ``gluoncv.torch[.*]``."""
    if fullname != "gluoncv" and not fullname.startswith("gluoncv."):
        return False
    return fullname != "gluoncv.torch" and not fullname.startswith("gluoncv.torch.")


class _GluonCVFinder:
    """A ``sys.meta_path`` finder for GluonCV's modules: the other finders' spec, its loader
    wrapped in :class:`_GluonCVLoader`. It goes first on ``sys.meta_path`` whichever place the
    ``mxnet`` hook takes (the installed hook goes last, behind the path finder that would otherwise
    load GluonCV's files)."""

    def __init__(self) -> None:
        setattr(self, _MARK_GLUONCV, True)

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if not _gluoncv_module(fullname):
            return None
        for finder in sys.meta_path:
            if _ours(finder) or _ours_gluoncv(finder) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _GluonCVLoader(spec.loader)
                return spec
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: GluonCV's torch check and NumPy aliases under mxtorch>"


def _ours_gluoncv(finder: object) -> bool:
    return getattr(finder, _MARK_GLUONCV, False) is True


class MXNetAlias:
    """A ``sys.meta_path`` finder and loader resolving ``mxnet[.<sub>]`` to ``mxtorch[.<sub>]``.

    (It has the protocols' methods without subclassing ``importlib.abc``, whose import would cost
    every interpreter start-up 15 ms in the permanent mode.)

    The loader returns mxtorch's own module object; the import system records it under the
    ``mxnet`` name as well. The module's ``__spec__`` (which the import system overwrites) is put
    back, so mxtorch's relative imports and ``importlib.reload`` keep working.
    """

    def __init__(self) -> None:
        setattr(self, _MARK, True)

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if _target_name(fullname) is None:
            return None
        # Not a package in the spec: the real module keeps its own __path__, and plain modules
        # must not be given one.
        return importlib.machinery.ModuleSpec(fullname, self, is_package=False)

    def create_module(self, spec: object) -> object:
        real_name = _target_name(spec.name)
        try:
            module = importlib.import_module(real_name)
        except ModuleNotFoundError as err:
            if err.name != real_name:
                raise
            raise ModuleNotFoundError(
                f"No module named {spec.name!r} (mxtorch answers `import {ALIAS}` here and has no "
                f"module {real_name!r})", name=spec.name) from None
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module: object) -> None:
        original = getattr(module.__spec__, "loader_state", None)
        if original is not None:
            module.__spec__ = original

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: import {ALIAS} -> {TARGET}>"


def _ours(finder: object) -> bool:
    return getattr(finder, _MARK, False) is True


def is_enabled() -> bool:
    """True when this process has the hook on ``sys.meta_path``."""
    return any(_ours(f) for f in sys.meta_path)


def find_real_mxnet(extra_paths: Sequence[str] = ()) -> str | None:
    """Where ``import mxnet`` would find a real MXNet, ignoring the hook; None when nowhere.

    Looks in ``sys.modules`` (an MXNet already imported), through the other import finders, and
    in ``extra_paths`` (a site directory about to be given the hook).
    """
    loaded = sys.modules.get(ALIAS)
    if loaded is not None and getattr(loaded, "__name__", None) != TARGET:
        return _describe(getattr(loaded, "__spec__", None)) or repr(loaded)
    spec = None
    if extra_paths:
        spec = importlib.machinery.PathFinder.find_spec(ALIAS, list(extra_paths))
    for finder in sys.meta_path:
        if spec is not None:
            break
        if _ours(finder) or not hasattr(finder, "find_spec"):
            continue
        try:
            spec = finder.find_spec(ALIAS, None)
        except Exception:   # a third-party finder's failure is not an MXNet installation
            spec = None
    return _describe(spec) if spec is not None else None


def _describe(spec: object) -> str | None:
    if spec is None:
        return None
    where = spec.origin
    if spec.submodule_search_locations:
        where = list(spec.submodule_search_locations)[0]
    return f"mxnet at {where}" if where else "mxnet"


def enable(force: bool = False, first: bool = True) -> MXNetAlias:
    """Put the hook on ``sys.meta_path`` (once) and return it.

    Parameters
    ----------
    force : bool
        Go ahead even when a real MXNet is installed (the hook then answers ``import mxnet``).
    first : bool
        Put the hook before the other finders (needed to shadow a real MXNet); with False it goes
        last, where a real MXNet, found first by Python's path finder, keeps answering.

    Raises
    ------
    RealMXNetFound
        A real MXNet is installed and ``force`` is False.
    """
    if first and not force:
        location = find_real_mxnet()
        if location is not None:
            raise RealMXNetFound(location, "`mxtorch run`")
    if not any(_ours_gluoncv(f) for f in sys.meta_path):
        sys.meta_path.insert(0, _GluonCVFinder())
    finder = next((f for f in sys.meta_path if _ours(f)), None)
    if finder is None:
        finder = MXNetAlias()
    elif not first or sys.meta_path[0] is finder:
        return finder
    else:   # installed last by the .pth file; this run asks for it first
        sys.meta_path.remove(finder)
    if first:
        sys.meta_path.insert(0, finder)
    else:
        sys.meta_path.append(finder)
    return finder


def disable() -> None:
    """Take the hook off ``sys.meta_path`` and forget the ``mxnet`` names it answered."""
    sys.meta_path[:] = [f for f in sys.meta_path if not (_ours(f) or _ours_gluoncv(f))]
    for name in [n for n in sys.modules if _target_name(n) is not None]:
        module = sys.modules[name]
        if getattr(module, "__name__", "").startswith(TARGET):
            del sys.modules[name]


def _enable_at_startup(force: bool) -> None:
    """What the installed ``.pth`` line calls: the hook, last unless installed with --force."""
    if os.environ.get(ENV_SWITCH, "1").strip().lower() in ("0", "false", "no", "off"):
        return
    enable(force=True, first=force)


# ---------------------------------------------------------------------------------------------
# mxtorch run

_RUNNER_MODULES = frozenset({"runpy", __name__, "mxtorch.cli", "mxtorch._mxnet_alias"})


def run_program(target: str, args: Sequence[str], as_module: bool = False,
                force: bool = False) -> int:
    """Run a program as ``python target args`` (``python -m target args``) would; the exit status.

    Puts the hook on first (see :func:`enable`; ``force`` shadows a real MXNet), once
    ``sys.path`` is the program's, so an ``mxnet`` beside the program counts as a real one.
    ``SystemExit`` from the program propagates (Python's exit status rules apply); an uncaught
    exception is printed by ``sys.excepthook`` with the runner's own frames left out, and gives
    status 1, as in Python.

    Raises
    ------
    RealMXNetFound
        ``import mxnet`` would find a real MXNet and ``force`` is False.
    """
    import runpy

    if not as_module and not os.path.exists(target):
        print(f"mxtorch run: can't open file {os.path.abspath(target)!r}: "
              f"[Errno 2] No such file or directory", file=sys.stderr)
        return 2
    sys.argv = [target, *args]
    if not getattr(sys.flags, "safe_path", False):
        # python prog.py puts the script's folder first on sys.path (python -m, the current
        # folder); the runner's own entry (the console script's bin folder, or the current
        # folder for python -m mxtorch) is replaced by it.
        if as_module:
            first = os.getcwd()
        elif os.path.isfile(target):
            first = os.path.dirname(os.path.realpath(target))
        else:
            first = None   # a folder or zip with __main__.py: runpy puts it on sys.path itself
        if first is None:
            del sys.path[0]
        else:
            sys.path[0] = first
    if as_module:
        try:
            found = importlib.util.find_spec(target)
        except (ImportError, ValueError):
            found = None
        if found is None:
            print(f"mxtorch run: No module named {target}", file=sys.stderr)
            return 1
    enable(force=force)
    try:
        if as_module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            # An absolute path, as Python 3.9+ gives __main__.__file__ and tracebacks (runpy
            # also puts it in sys.argv[0] while the program runs, where Python keeps the path as
            # typed: basename(sys.argv[0]), which argparse shows, is the same).
            runpy.run_path(os.path.abspath(target), run_name="__main__")
    except SystemExit:
        raise
    except BaseException as err:   # an uncaught exception: report it as the interpreter would
        tb = err.__traceback__
        while tb is not None and tb.tb_frame.f_globals.get("__name__") in _RUNNER_MODULES:
            tb = tb.tb_next
        sys.excepthook(type(err), err.with_traceback(tb), tb)
        return 130 if isinstance(err, KeyboardInterrupt) else 1
    return 0


# ---------------------------------------------------------------------------------------------
# mxtorch alias install / uninstall / status

def default_site_dir() -> str:
    """The running environment's site-packages (where ``alias install`` writes by default)."""
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def pth_line(force: bool = False, source: str | None = None) -> str:
    """The one line of the ``.pth`` file: load this file by path and enable the hook."""
    source = os.path.abspath(source or __file__)
    return (f"import os, importlib.util as u; p = {source!r}; "
            f"s = os.path.isfile(p) and u.spec_from_file_location({_MARK!r}, p); "
            f"m = s and u.module_from_spec(s); "
            f"s and (s.loader.exec_module(m), m._enable_at_startup({bool(force)!r}))\n")


def installed_pth(site_dir: str | None = None) -> str | None:
    """The path of the installed ``.pth`` file in ``site_dir``, or None."""
    path = os.path.join(site_dir or default_site_dir(), PTH_NAME)
    return path if os.path.isfile(path) else None


def install(site_dir: str | None = None, force: bool = False) -> str:
    """Write the ``.pth`` file into ``site_dir``; returns its path.

    Raises
    ------
    RealMXNetFound
        ``import mxnet`` finds a real MXNet (here or in ``site_dir``) and ``force`` is False.
    """
    site_dir = site_dir or default_site_dir()
    if not force:
        location = find_real_mxnet([site_dir])
        if location is not None:
            raise RealMXNetFound(location, "`mxtorch alias install`")
    os.makedirs(site_dir, exist_ok=True)
    path = os.path.join(site_dir, PTH_NAME)
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(pth_line(force))
    os.replace(partial, path)
    return path


def uninstall(site_dir: str | None = None) -> str | None:
    """Delete the ``.pth`` file from ``site_dir``; returns its path, or None when there was none."""
    path = installed_pth(site_dir)
    if path is not None:
        os.remove(path)
    return path
