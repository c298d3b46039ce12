"""Hostile symbol JSON: every input is read with bounded work and refused with an MXNetError that
names the node and the limit or expectation it broke (DESIGN.md, principle 7).

Each test guards the code under a SIGALRM deadline, so an input that hangs today fails its test in
seconds instead of hanging the suite.
"""
import json

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import gluon
from mxtorch.base import MXNetError
from mxtorch.symbol import limits
from tests.fuzz.harness import deadline

DEADLINE_S = 3.0
CONV_INPUTS = ("data", "weight", "bias")


def variable(name: str, attrs: dict = None) -> dict:
    node = {"op": "null", "name": name, "inputs": []}
    if attrs:
        node["attrs"] = attrs
    return node


def one_op(op: str, attrs: dict, inputs=("data",), data_attrs: dict = None) -> str:
    """A graph of one operator ``n`` reading fresh variables named ``inputs``."""
    nodes = [variable(name, data_attrs if name == "data" else None) for name in inputs]
    nodes.append({"op": op, "name": "n", "attrs": attrs, "inputs": [[i, 0, 0] for i in range(len(inputs))]})
    return json.dumps({"nodes": nodes, "arg_nodes": list(range(len(inputs))),
                       "heads": [[len(inputs), 0, 0]]})


def use(sym: mx.sym.Symbol) -> None:
    """What a reader does with a loaded symbol: the listings, shape inference and a resave."""
    sym.list_arguments()
    sym.list_outputs()
    sym.get_internals().list_outputs()
    shapes = {"data": (2, 3, 8, 8)} if "data" in sym.list_arguments() else {}
    sym.infer_shape_partial(**shapes)
    sym.tojson()


def refused(text: str, *expected: str) -> str:
    """Load and use ``text`` under the deadline; it must be refused with all of ``expected`` in the
    message. Returns the message."""
    with deadline(DEADLINE_S), pytest.raises(MXNetError) as err:
        use(mx.sym.load_json(text))
    message = str(err.value)
    for part in expected:
        assert part in message, message
    assert len(message) < 2000, "the message must not echo a huge value"
    return message


# -- output counts ------------------------------------------------------------------------------
def test_huge_output_count_is_refused_at_load():
    text = one_op("SliceChannel", {"num_outputs": "1000000000"})
    assert len(text) < 300
    with deadline(DEADLINE_S), pytest.raises(MXNetError) as err:
        mx.sym.load_json(text)
    message = str(err.value)
    assert "'n'" in message and str(limits.MAX_NODE_OUTPUTS) in message


def test_output_counts_a_real_network_uses_still_load():
    text = one_op("SliceChannel", {"num_outputs": "64", "axis": "1"})
    with deadline(DEADLINE_S):
        sym = mx.sym.load_json(text)
        assert len(sym.list_outputs()) == 1
        assert len(sym.get_internals().list_outputs()) == 65


def test_variadic_count_must_match_the_inputs():
    refused(one_op("Concat", {"num_args": "1000000000"}), "'n'", "num_args", "1 input")


# -- attribute values ---------------------------------------------------------------------------
def test_long_tuple_attribute_is_refused():
    refused(one_op("sum", {"axis": "(" + "0, " * 100000 + ")"}), "'n'", "axis",
            str(limits.MAX_ATTR_CHARS))
    refused(one_op("sum", {"axis": "(" + "0, " * 100 + ")"}), "'n'", "axis",
            str(limits.MAX_TUPLE_LEN))


@pytest.mark.parametrize("value", ["10000000000000000000000", "9" * 4299, "-9223372036854775809"])
def test_int_beyond_int64_is_refused(value):
    refused(one_op("FullyConnected", {"num_hidden": value}, CONV_INPUTS), "'n'", "num_hidden")


def test_int_past_pythons_digit_limit_is_refused():
    refused(one_op("FullyConnected", {"num_hidden": "1" * 5000}, CONV_INPUTS), "'n'", "num_hidden")


@pytest.mark.parametrize("op, attrs, inputs", [
    ("Dropout", {"p": "1e999"}, ("data",)),
    ("LeakyReLU", {"slope": "-1e999"}, ("data",)),
    ("_arange", {"start": "0", "stop": "1e999"}, ()),
    ("FullyConnected", {"num_hidden": "1e999"}, CONV_INPUTS),
])
def test_overflowing_numbers_are_refused(op, attrs, inputs):
    refused(one_op(op, attrs, inputs), "'n'", "out of range")


def test_written_infinities_still_load():
    """MXNet writes ``clip(a_max=inf)`` as ``"inf"`` and reads it back; so does mxtorch."""
    with deadline(DEADLINE_S):
        sym = mx.sym.load_json(one_op("clip", {"a_min": "-inf", "a_max": "inf"}))
        assert json.loads(sym.tojson())["nodes"][1]["attrs"] == {"a_max": "inf", "a_min": "-inf"}


def test_deeply_nested_attribute_is_refused():
    refused(one_op("sum", {"axis": "[" * 5000 + "]" * 5000}), "'n'", "axis")
    refused(one_op("sum", {"axis": "-" * 5000 + "1"}), "'n'", "axis")


# -- the JSON document --------------------------------------------------------------------------
def test_deep_json_nesting_is_refused():
    text = '{"nodes": ' + "[" * 100000 + "]" * 100000 + ', "arg_nodes": [], "heads": [[0, 0, 0]]}'
    with deadline(DEADLINE_S), pytest.raises(MXNetError, match="nest"):
        mx.sym.load_json(text)


def test_node_count_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_NODES", 10)
    nodes = [variable("data")] + [{"op": "relu", "name": f"r{i}", "inputs": [[i, 0, 0]]} for i in range(10)]
    text = json.dumps({"nodes": nodes, "arg_nodes": [0], "heads": [[10, 0, 0]]})
    with deadline(DEADLINE_S), pytest.raises(MXNetError, match="11 nodes.*10"):
        mx.sym.load_json(text)


def test_head_count_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_NODES", 10)
    text = json.dumps({"nodes": [variable("data")], "arg_nodes": [0], "heads": [[0, 0, 0]] * 11})
    with deadline(DEADLINE_S), pytest.raises(MXNetError, match="11 heads"):
        mx.sym.load_json(text)


def test_limits_are_generous_for_real_networks():
    assert limits.MAX_NODES >= 100_000
    assert limits.MAX_NODE_OUTPUTS >= 1000
    assert limits.MAX_TUPLE_LEN >= 2 * limits.MAX_NDIM >= 64


def test_unencodable_names_are_refused():
    text = json.dumps({"nodes": [variable("data\ud800")], "arg_nodes": [0], "heads": [[0, 0, 0]]})
    with deadline(DEADLINE_S), pytest.raises(MXNetError, match="node 0.*UTF-8"):
        mx.sym.load_json(text)


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "net-symbol.json"
    path.write_bytes(b'{"nodes": [{"op": "null", "name": "d\xff\xfe", "inputs": []}], '
                     b'"arg_nodes": [0], "heads": [[0, 0, 0]]}')
    with deadline(DEADLINE_S), pytest.raises(MXNetError, match="UTF-8"):
        mx.sym.load(str(path))
    with deadline(DEADLINE_S), pytest.raises(MXNetError, match="UTF-8"):
        gluon.SymbolBlock.imports(str(path), ["data"])


# -- shapes -------------------------------------------------------------------------------------
FC = ("FullyConnected", {"num_hidden": "10"}, CONV_INPUTS)


@pytest.mark.parametrize("shape, expected", [
    ("(-5, 3)", "negative"),
    ("((1,), (2,))", "tuple of ints"),
    ("(1e999, 3)", "tuple of ints"),
    ("'abc'", "tuple of ints"),
    ("(1.5, 2)", "tuple of ints"),
    ("(" + "1, " * 40 + ")", str(limits.MAX_NDIM)),
    ("(100000000000, 100000000000, 10000000000)", "elements"),
])
def test_bad_variable_shape_is_refused(shape, expected):
    op, attrs, inputs = FC
    with deadline(DEADLINE_S), pytest.raises(MXNetError) as err:
        sym = mx.sym.load_json(one_op(op, attrs, inputs, {"__shape__": shape}))
        sym.infer_shape_partial()
    assert "data" in str(err.value) and expected in str(err.value), str(err.value)


@pytest.mark.parametrize("op, attrs, inputs", [
    ("FullyConnected", {"num_hidden": "-5"}, CONV_INPUTS),
    ("Convolution", {"kernel": "(3, 3)", "num_filter": "-1"}, CONV_INPUTS),
    ("_zeros", {"shape": "(-1, 5)"}, ()),
])
def test_impossible_inferred_shape_is_refused(op, attrs, inputs):
    refused(one_op(op, attrs, inputs), "operator n", "negative dimension")


@pytest.mark.parametrize("op, attrs, inputs", [
    ("_zeros", {"shape": "(4611686018427387904, 4611686018427387904)"}, ()),
    ("_zeros", {"shape": "(1000000000000, 1000000000000)"}, ()),
    ("Convolution", {"kernel": "(1, 1)", "num_filter": "100000000000000000"}, CONV_INPUTS),
])
def test_overflowing_inferred_shape_is_refused(op, attrs, inputs):
    refused(one_op(op, attrs, inputs), "operator n", f"more than {limits.MAX_ELEMENTS} elements")


@pytest.mark.parametrize("attrs, expected", [
    ({"kernel": "(1000000000000, 1000000000000)"}, "kernel size exceed input"),
    ({"kernel": "(9, 9)"}, "kernel size exceed input"),
    ({"kernel": "(3, 3)", "dilate": "(5, 5)"}, "kernel size exceed input"),
    ({"kernel": "(-3, -3)"}, "incorrect kernel size"),
    ({"kernel": "(3, 3)", "dilate": "(0, 0)"}, "incorrect dilate size"),
    ({"kernel": "(3, 3)", "stride": "(0, 1)"}, "incorrect stride size"),
])
def test_convolution_geometry_is_checked_at_shape_inference(attrs, expected):
    # MXNet's shape inference refuses these; passing them on made the forward fail in torch
    refused(one_op("Convolution", {"num_filter": "4", **attrs}, CONV_INPUTS), "operator n", expected)


# -- bounded traversal --------------------------------------------------------------------------
def test_shape_inference_settles_in_linear_time():
    """A shape that reaches each operator only after the one listed after it once took a whole
    pass per operator: quadratic work (seconds for 1,500 operators, hours for 100,000)."""
    n = 1500
    nodes = [variable("v0", {"__shape__": "(2, 3)"})] + [variable(f"v{i}") for i in range(1, n + 1)]
    heads = []
    for i in reversed(range(n)):   # a(n-1) first: each pass completes only one more variable
        nodes.append({"op": "elemwise_add", "name": f"a{i}", "inputs": [[i, 0, 0], [i + 1, 0, 0]]})
        heads.append([len(nodes) - 1, 0, 0])
    text = json.dumps({"nodes": nodes, "arg_nodes": list(range(n + 1)), "heads": heads})
    with deadline(1.5):
        sym = mx.sym.load_json(text)
        args, outs, _ = sym.infer_shape()
        types = sym.infer_type(v0="float32")[0]
    assert args == [(2, 3)] * (n + 1) and outs == [(2, 3)] * n
    assert len(types) == n + 1 and all(np.dtype(t) == np.float32 for t in types)


def test_shared_subgraph_diamonds_stay_linear():
    nodes = [variable("data")]
    for i in range(200):
        nodes.append({"op": "elemwise_add", "name": f"a{i}", "inputs": [[i, 0, 0], [i, 0, 0]]})
    text = json.dumps({"nodes": nodes, "arg_nodes": [0], "heads": [[200, 0, 0]]})
    with deadline(DEADLINE_S):
        sym = mx.sym.load_json(text)
        use(sym)
        assert sym.infer_shape(data=(2, 3))[1] == [(2, 3)]
        assert mx.sym.load_json(sym.tojson()).tojson() == sym.tojson()


def test_imports_refuses_a_graph_symbolblock_cannot_hold(tmp_path):
    path = tmp_path / "net-symbol.json"
    path.write_text(one_op("FullyConnected", {"num_hidden": "3"}, CONV_INPUTS)
                    .replace('"name": "bias"', '"name": "bias", "attrs": {"__storage_type__": "1"}'))
    with deadline(DEADLINE_S), pytest.raises(MXNetError, match="net-symbol.json.*row_sparse"):
        gluon.SymbolBlock.imports(str(path), ["data"])


@pytest.mark.parametrize("shape, expected", [("(2, 0)", (2, 0)), ("[2, 3]", (2, 3)), ("(2, -1)", (2, 0))])
def test_variable_shapes_mxnet_writes_still_load(shape, expected):
    """``__shape__`` as MXNet writes it: 0 (and, in numpy-shape files, -1) is an unknown dimension."""
    with deadline(DEADLINE_S):
        sym = mx.sym.load_json(json.dumps({"nodes": [variable("data", {"__shape__": shape})],
                                           "arg_nodes": [0], "heads": [[0, 0, 0]]}))
        assert sym.infer_shape_partial()[0] == [expected]
