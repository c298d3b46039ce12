"""Symbol JSON: old layouts read as MXNet 1.9.1 reads them, malformed files rejected with errors that
name the node and the problem, files round-trip."""
import json
import pickle

import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

LEGACY = json.loads((GOLDEN / "symbol" / "legacy.json").read_text())


def without_versions(graph: dict) -> dict:
    nodes = [{"op": n["op"], "name": n["name"], "attrs": n.get("attrs"),
              "inputs": [e[:2] for e in n["inputs"]]} for n in graph["nodes"]]
    return {"nodes": nodes, "arg_nodes": graph["arg_nodes"],
            "heads": [e[:2] for e in graph["heads"]]}


@pytest.mark.parametrize("case", sorted(LEGACY["legacy"]))
def test_legacy_layout_reads_as_mxnet(case):
    gold = LEGACY["legacy"][case]
    sym = mx.sym.load_json(json.dumps(gold["source"]))
    assert sym.list_arguments() == gold["arguments"]
    assert sym.list_auxiliary_states() == gold["aux"]
    assert sym.list_outputs() == gold["outputs"]
    assert sym.attr_dict() == gold["attr_dict"]
    assert without_versions(json.loads(sym.tojson())) == without_versions(gold["resaved"])


# Which part of the message names the problem (and the node, where there is one).
EXPECTED = {
    "missing_nodes": "missing the required key 'nodes'",
    "missing_heads": "missing the required key 'heads'",
    "missing_arg_nodes": "missing the required key 'arg_nodes'",
    "node_missing_op": "node 1 'act' is missing the required key 'op'",
    "node_missing_name": "node 1 is missing the required key 'name'",
    "node_missing_inputs": "node 1 'act' is missing the required key 'inputs'",
    "unknown_operator": "node 1 'act': unknown operator 'NoSuchOp'",
    "cycle_self": "node 1 'act' inputs: entry [1, 0, 0] refers to node 1, which does not come before",
    "forward_reference": "node 0 'x' inputs: entry [1, 0, 0] refers to node 1",
    "bad_attribute_value": "node 1 'act': Activation: invalid value 'nonsense' for attribute 'act_type'",
    "unknown_attribute": "node 1 'act': Activation: unknown attribute(s) ['bogus']",
    "missing_required_attribute": "node 1 'act': Activation: required attribute 'act_type' is missing",
    "bad_input_index": "asks for output 3 of node 'x', which has 1 output(s)",
    "head_out_of_range": "heads: entry [5, 0, 0] refers to node 5",
    "not_json": "not valid JSON",
}


@pytest.mark.parametrize("case", sorted(LEGACY["malformed"]))
def test_malformed_json_raises_naming_node_and_problem(case):
    with pytest.raises(MXNetError) as info:
        mx.sym.load_json(LEGACY["malformed"][case]["source"])
    assert EXPECTED[case] in str(info.value)


def test_malformed_cases_are_covered():
    assert set(EXPECTED) == set(LEGACY["malformed"])


def test_wrong_input_count_is_rejected():
    graph = {"nodes": [{"op": "null", "name": "x", "inputs": []},
                       {"op": "elemwise_add", "name": "add", "inputs": [[0, 0, 0]]}],
             "arg_nodes": [0], "heads": [[1, 0, 0]]}
    with pytest.raises(MXNetError, match=r"node 1 'add': operator elemwise_add is missing input"):
        mx.sym.load_json(json.dumps(graph))


def test_save_load_round_trip(tmp_path):
    data = mx.sym.Variable("data", shape=(1, 3), lr_mult=0.5)
    net = mx.sym.BatchNorm(mx.sym.FullyConnected(data, num_hidden=4, name="fc"), name="bn")
    fname = str(tmp_path / "net-symbol.json")
    net.save(fname)
    back = mx.sym.load(fname)
    assert back.tojson() == net.tojson()
    assert back.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net-symbol.json"]  # no temporary left
    assert (tmp_path / "net-symbol.json").stat().st_mode & 0o044  # readable as open() creates


def test_load_reports_the_file(tmp_path):
    bad = tmp_path / "bad-symbol.json"
    bad.write_text('{"nodes": []}')
    with pytest.raises(MXNetError, match="bad-symbol.json: symbol JSON is missing the required key"):
        mx.sym.load(str(bad))
    with pytest.raises(MXNetError, match="cannot read symbol file"):
        mx.sym.load(str(tmp_path / "absent.json"))


def test_pickle_and_copy_keep_graph():
    import copy
    a = mx.sym.Variable("a")
    s = mx.sym.FullyConnected(a, num_hidden=2, name="fc")
    assert pickle.loads(pickle.dumps(s)).tojson() == s.tojson()
    c = copy.deepcopy(s)
    c._set_attr(lr_mult="3")
    assert s.attr("lr_mult") is None and c.attr("lr_mult") == "3"


def test_mxnet_checkpoint_json_resaves_byte_for_byte():
    """A -symbol.json MXNet wrote (max pooling and its hidden workspace output included) comes back
    out of load/tojson unchanged."""
    text = (GOLDEN / "symbol" / "mx_lenet-symbol.json").read_text()
    assert mx.sym.load_json(text).tojson() == text
