"""Symbols built by mxtorch match those MXNet 1.9.1 built from the same programs (goldens from
tests/conformance/gen_symbol.py): names, JSON, attributes, inferred shapes and types."""
import json

import numpy as np
import pytest

import mxtorch as mx
from tests.conftest import GOLDEN
from tests.symbol.symbol_cases import CASES

GOLD = json.loads((GOLDEN / "symbol" / "cases.json").read_text())


def build(code: str):
    scope = {"mx": mx}
    with mx.name.NameManager():
        exec(code, scope)  # noqa: S102 - trusted test programs
    return scope["out"]


def _shapes(result):
    return [None if r is None else [list(s) for s in r] for r in result]


@pytest.mark.parametrize("case", sorted(CASES))
def test_structure_matches_mxnet(case):
    sym, gold = build(CASES[case]["code"]), GOLD[case]
    assert sym.list_arguments() == gold["arguments"]
    assert sym.list_outputs() == gold["outputs"]
    assert sym.list_auxiliary_states() == gold["aux"]
    assert sym.list_inputs() == gold["inputs"]
    assert sym.get_internals().list_outputs() == gold["internals"]
    children = sym.get_children()
    assert (None if children is None else children.list_outputs()) == gold["children"]
    assert sym.name == gold["name"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_attributes_match_mxnet(case):
    sym, gold = build(CASES[case]["code"]), GOLD[case]
    assert sym.attr_dict() == gold["attr_dict"]
    assert sym.list_attr() == gold["list_attr"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_json_matches_mxnet(case):
    """Byte for byte, node_row_ptr's count of MXNet's hidden outputs and dmlc's layout included."""
    sym, gold = build(CASES[case]["code"]), GOLD[case]
    assert sym.tojson() == gold["tojson"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_mxnet_json_loads(case):
    gold = GOLD[case]
    sym = mx.sym.load_json(gold["tojson"])
    assert sym.list_arguments() == gold["arguments"]
    assert sym.list_auxiliary_states() == gold["aux"]
    assert sym.list_outputs() == gold["outputs"]
    assert sym.attr_dict() == gold["attr_dict"]
    assert sym.tojson() == gold["tojson"]


@pytest.mark.parametrize("case", sorted(c for c in CASES if "shapes" in CASES[c]))
def test_infer_shape_matches_mxnet(case):
    sym, spec = build(CASES[case]["code"]), CASES[case]
    got = sym.infer_shape(**{k: tuple(v) for k, v in spec["shapes"].items()})
    assert _shapes(got) == GOLD[case]["infer_shape"]


@pytest.mark.parametrize("case", sorted(c for c in CASES if "partial" in CASES[c]))
def test_infer_shape_partial_matches_mxnet(case):
    sym, spec = build(CASES[case]["code"]), CASES[case]
    got = sym.infer_shape_partial(**{k: tuple(v) for k, v in spec["partial"].items()})
    assert _shapes(got) == GOLD[case]["infer_shape_partial"]


@pytest.mark.parametrize("case", sorted(c for c in CASES if "types" in CASES[c]))
def test_infer_type_matches_mxnet(case):
    sym, spec = build(CASES[case]["code"]), CASES[case]
    got = sym.infer_type(**spec["types"])
    assert [None if r is None else [np.dtype(t).name for t in r] for r in got] == \
        GOLD[case]["infer_type"]


MXT_WRITTEN = json.loads((GOLDEN / "symbol" / "mxt_cases.json").read_text())
MXNET_READ = json.loads((GOLDEN / "symbol" / "mxt_cases_mxnet.json").read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_mxnet_reads_what_mxtorch_writes(case):
    """mxt_cases.json holds the JSON mxtorch wrote for each case; MXNet 1.9.1 read it
    (mxt_cases_mxnet.json) into the same symbol it builds itself from the same program."""
    assert build(CASES[case]["code"]).tojson() == MXT_WRITTEN[case]
    read, own = MXNET_READ[case], GOLD[case]
    for key in ("arguments", "outputs", "aux", "attr_dict"):
        assert read[key] == own[key], key
    assert read["resaved"] == own["json"]
