"""The operator functions' Python signatures are MXNet 1.9.1's (golden: gen_signatures.py).

``inspect.signature(mx.nd.Convolution)``, ``help()`` and editors show each operator's real
parameters, in MXNet's order: inputs, attributes, then ``out``/``name`` (``name``/``attr``/``out``
for ``sym``), as the table's ``OpDef.signature`` makes them.
"""
import inspect
import json

import pytest

import mxtorch as mx
from tests.conformance.conftest import GOLDEN

SIGNATURES = json.loads((GOLDEN / "signatures.json").read_text())

# "nd.X" -> why mxtorch's signature deliberately differs from MXNet 1.9.1's
_AUX_APART = ("MXNet's legacy registry lists this operator's auxiliary states apart from its inputs, "
              "so its generated nd function cannot take them and fails on every call; the table "
              "declares them as inputs after the others (role aux), so nd.X takes them by name and "
              "sym.X creates their variables when left out")
DIFFERENCES: dict = {f"{front}.{name}": _AUX_APART for front in ("nd", "sym")
                     for name in ("BatchNorm_v1", "IdentityAttachKLSparseReg")}


def _function(qualified: str):
    top, *path = qualified.split(".")
    value = {"nd": mx.nd, "sym": mx.sym}[top]
    for part in path:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _params(function) -> list:
    marks = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [marks.get(p.kind, "") + p.name for p in inspect.signature(function).parameters.values()]


PRESENT = sorted(name for name in SIGNATURES if _function(name) is not None)


def test_most_operator_functions_are_checked():
    assert len(PRESENT) > 400  # the walk below covers what exists; test_exports covers the rest


@pytest.mark.parametrize("name", PRESENT)
def test_signature_is_mxnets(name):
    if name in DIFFERENCES:
        pytest.skip(DIFFERENCES[name])
    assert _params(_function(name)) == SIGNATURES[name]


def test_convolution_shows_its_parameters_and_defaults():
    signature = inspect.signature(mx.nd.Convolution)
    assert list(signature.parameters)[:5] == ["data", "weight", "bias", "kernel", "stride"]
    assert signature.parameters["num_group"].default == 1
    assert repr(signature.parameters["kernel"].default) == "REQUIRED"
    assert "num_filter" in str(inspect.signature(mx.sym.Convolution))
