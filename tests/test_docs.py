"""The API reference covers the public API: every operator and every public class and function of
the namespaces MXNet documents has an entry in the built site's index (``objects.inv``).

The site is built by ``make docs`` (``make test`` builds it first and passes its place in
``MXTORCH_DOCS_SITE``, so there, and wherever ``CI`` is set, a missing site fails the test). A local
run without a built site, or with one older than the sources, skips: ``make docs`` builds it.
"""
from __future__ import annotations

import html
import importlib
import inspect
import os
import pathlib
import re
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = pathlib.Path(os.environ.get("MXTORCH_DOCS_SITE", ROOT / "build" / "site"))
REQUIRED = "MXTORCH_DOCS_SITE" in os.environ or bool(os.environ.get("CI"))

# The namespaces of the reference (mx.nd, mx.sym, mx.gluon, mx.autograd, mx.io, mx.mod,
# mx.optimizer, mx.init, mx.metric, mx.kv, mx.image, mx.viz, mx.onnx) and the sub-namespaces MXNet
# documents under them. Implementation modules (mxtorch.ndarray.ndarray, gluon.nn.conv_layers...)
# are not listed: what they define is public through these.
NAMESPACES = (
    "mxtorch.ndarray", "mxtorch.ndarray.random", "mxtorch.ndarray.image", "mxtorch.ndarray.contrib",
    "mxtorch.ndarray.linalg",
    "mxtorch.symbol", "mxtorch.symbol.random", "mxtorch.symbol.image", "mxtorch.symbol.contrib",
    "mxtorch.symbol.linalg",
    "mxtorch.gluon", "mxtorch.gluon.nn", "mxtorch.gluon.rnn", "mxtorch.gluon.loss", "mxtorch.gluon.data",
    "mxtorch.gluon.data.vision", "mxtorch.gluon.data.vision.transforms", "mxtorch.gluon.model_zoo.vision",
    "mxtorch.gluon.utils", "mxtorch.gluon.contrib.nn", "mxtorch.gluon.contrib.rnn",
    "mxtorch.gluon.contrib.estimator",
    "mxtorch.autograd", "mxtorch.io", "mxtorch.module", "mxtorch.optimizer", "mxtorch.optimizer.contrib",
    "mxtorch.lr_scheduler", "mxtorch.initializer", "mxtorch.metric", "mxtorch.kvstore", "mxtorch.image",
    "mxtorch.viz",
    "mxtorch.onnx", "mxtorch.contrib.onnx",  # ONNX export and import
)


def _sources_newer_than(path: pathlib.Path) -> list[str]:
    built = path.stat().st_mtime
    sources = [ROOT / "mkdocs.yml", *(ROOT / "docs").rglob("*"), *(ROOT / "src" / "mxtorch").rglob("*.py")]
    return [str(p.relative_to(ROOT)) for p in sources if p.is_file() and p.stat().st_mtime > built]


@pytest.fixture(scope="module")
def inventory() -> dict:
    path = SITE / "objects.inv"
    if not path.is_file():
        if REQUIRED:
            pytest.fail(f"the documentation site is not built: {path} is missing (make docs builds it)")
        pytest.skip(f"the documentation site is not built ({path} is missing): make docs")
    if not REQUIRED:
        newer = _sources_newer_than(path)
        if newer:
            pytest.skip(f"the documentation site is older than {len(newer)} source files "
                        f"({', '.join(newer[:3])}...): make docs")
    from mkdocstrings import Inventory  # the docs tools are in requirements.txt, as `make docs` needs

    with open(path, "rb") as stream:
        return Inventory.parse_sphinx(stream)


def _namespaces() -> list[types.ModuleType]:
    return [importlib.import_module(name) for name in NAMESPACES]


def public_api(module: types.ModuleType) -> dict[str, object]:
    """The public classes and functions of a namespace: those its ``__all__`` lists, or without one,
    those not named with an underscore that mxtorch defines (not typing's, numpy's...)."""
    listed = getattr(module, "__all__", None)
    if listed is not None:
        candidates = {name: getattr(module, name) for name in listed}
    else:
        candidates = {name: value for name, value in vars(module).items() if not name.startswith("_")
                      and getattr(value, "__module__", "").startswith("mxtorch")}
    return {name: value for name, value in candidates.items()
            if not isinstance(value, types.ModuleType) and (inspect.isclass(value) or callable(value))}


def _documented(inventory: dict, module: types.ModuleType, name: str, value: object) -> bool:
    # An object appears under the namespace that exposes it (mxtorch.ndarray.Convolution) or
    # where it is defined (mxtorch.gluon.block.Block for mx.gluon.Block).
    defined = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    return f"{module.__name__}.{name}" in inventory or defined in inventory


def test_every_public_name_has_an_entry(inventory: dict) -> None:
    missing = [f"{module.__name__}.{name}" for module in _namespaces()
               for name, value in public_api(module).items()
               if not _documented(inventory, module, name, value)]
    assert not missing, f"{len(missing)} public names have no entry in the API reference: {missing[:40]}"


def test_every_table_operator_is_in_the_reference(inventory: dict) -> None:
    # nd and sym are generated from the operator table: each of its functions, under nd and sym
    # and their sub-namespaces, must be there (a namespace whose __all__ forgot one fails here).
    import mxtorch as mx

    missing = []
    for module in (mx.nd, mx.nd.random, mx.nd.image, mx.nd.contrib, mx.nd.linalg,
                   mx.sym, mx.sym.random, mx.sym.image, mx.sym.contrib, mx.sym.linalg):
        for name, value in vars(module).items():
            if (not name.startswith("_") and callable(value) and not inspect.isclass(value)
                    and getattr(value, "__module__", "") == module.__name__
                    and f"{module.__name__}.{name}" not in inventory):
                missing.append(f"{module.__name__}.{name}")
    assert not missing, f"operators missing from the API reference: {missing[:40]}"


def _section(page: str, anchor: str) -> str:
    """The HTML of one entry: from its heading to the next heading of the same page."""
    start = page.index(f'id="{anchor}"')
    following = re.search(r'<h[1-6] id="', page[start + len(anchor):])
    return page[start:start + len(anchor) + following.start()] if following else page[start:]


@pytest.mark.parametrize("namespace, page", [("ndarray", "nd"), ("symbol", "sym")])
def test_operator_entries_show_mxnet_parameters(inventory: dict, namespace: str, page: str) -> None:
    # The entry of Convolution lists MXNet's parameters (from the table, not *args, **kwargs), with
    # defaults, and the operator's docstring.
    import mxtorch as mx

    module = getattr(mx, {"ndarray": "nd", "symbol": "sym"}[namespace])
    raw = (SITE / "api" / page / "index.html").read_text("utf-8")
    entry = html.unescape(re.sub(r"<[^>]+>", "", _section(raw, f"mxtorch.{namespace}.Convolution")))
    signature = inspect.signature(module.Convolution)
    for parameter in ("data", "weight", "bias", "kernel", "stride", "dilate", "pad", "num_filter",
                      "num_group", "workspace", "no_bias", "cudnn_tune", "cudnn_off", "layout", "name"):
        assert parameter in signature.parameters
        assert re.search(rf"\b{parameter}\b", entry), f"{parameter} missing from the Convolution entry"
    assert "workspace=1024" in entry.replace(" ", "")
    first_line = inspect.getdoc(module.Convolution).splitlines()[0]
    assert " ".join(first_line.split()[:4]) in " ".join(entry.split()), "the docstring is not shown"
    assert "*args" not in entry, "the entry shows a variadic signature, not MXNet's parameters"


def test_operator_docstring_keeps_a_literal_blocks_indentation() -> None:
    # multi_lars's description is one sentence and a formula indented under it: the formula stays
    # indented (a code block in the reference), not flattened into the sentence's paragraph
    import mxtorch as mx

    for function in (mx.nd.multi_lars, mx.sym.multi_lars, mx.nd.ftml_update):
        lines = inspect.getdoc(function).splitlines()
        assert lines[0].endswith("::") and lines[1] == "" and lines[2].startswith("    ") and lines[2].strip()
