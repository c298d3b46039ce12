"""Symbol files holding control flow (foreach, while_loop, cond): MXNet 1.9.1's files load in
mxtorch, run with MXNet's numbers and are written back byte for byte; mxtorch's files for the same
graphs load back in mxtorch and, when the reference venv is present, in MXNet with the same
numbers; exported hybridized blocks round-trip through SymbolBlock.imports; malformed subgraphs are
refused with an MXNetError naming what is wrong.

Goldens: tests/conformance/gen_control_flow_json.py (graphs in control_flow_programs.py)."""
from __future__ import annotations

import json
import pathlib
import re
import subprocess

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import gluon, nd
from mxtorch.base import MXNetError
from mxtorch.symbol import limits
from tests.conformance.conftest import GOLDEN
from tests.conformance.control_flow_programs import (CASES, UNRECORDED_GRADS, WHILE_STEPS, build,
                                                    recurrent_block)
from tests.fuzz.harness import deadline

FILES = GOLDEN / "control_flow_json"
V = np.load(FILES / "values.npz")
ROOT = pathlib.Path(__file__).resolve().parents[2]
REF_PYTHON = ROOT / ".ref" / "bin" / "python"
GENERATOR = ROOT / "tests" / "conformance" / "gen_control_flow_json.py"
needs_ref = pytest.mark.skipif(not REF_PYTHON.exists(),
                               reason="the MXNet 1.9.1 reference venv (.ref) is absent")


def _inputs(case: str) -> dict:
    prefix = f"{case}:in:"
    return {k[len(prefix):]: V[k] for k in V.files if k.startswith(prefix)}


def _run(symbol, case: str) -> tuple:
    """Bind and run as the generator does: training forward and all-ones backward when the case
    has gradients, inference otherwise."""
    values = {k: nd.array(v) for k, v in _inputs(case).items()}
    grad_names = CASES[case][2]
    args = {k: values[k] for k in symbol.list_arguments()}
    aux = {k: values[k] for k in symbol.list_auxiliary_states()}
    grads = {k: nd.zeros(args[k].shape) for k in grad_names}
    req = {k: ("write" if k in grads else "null") for k in args}
    ex = symbol.bind(mx.cpu(), args, args_grad=grads, grad_req=req, aux_states=aux)
    outs = ex.forward(is_train=bool(grads))
    if grads:
        ex.backward([nd.ones(o.shape) for o in outs])
    return [o.asnumpy() for o in outs], {k: g.asnumpy() for k, g in grads.items()}


def _check(case: str, outs: list, grads: dict) -> None:
    for j, out in enumerate(outs):
        out = np.asarray(out, np.float32)
        if case == "while" and j == 0:
            out = out[:WHILE_STEPS]
        np.testing.assert_allclose(out, V[f"{case}:out:{j}"], rtol=1e-5, atol=1e-5, err_msg=f"output {j}")
    assert len(outs) == len([k for k in V.files if k.startswith(f"{case}:out:")])
    for k, g in grads.items():
        if k in UNRECORDED_GRADS.get(case, ()):
            continue
        np.testing.assert_allclose(np.asarray(g, np.float32), V[f"{case}:grad:{k}"], rtol=1e-5, atol=1e-5,
                                   err_msg=f"gradient of {k}")


def _file(case: str) -> pathlib.Path:
    return FILES / f"{CASES[case][3]}-symbol.json"


@pytest.mark.parametrize("case", list(CASES))
def test_mxnet_file_runs_with_mxnets_numbers(case):
    symbol = mx.sym.load(str(_file(case)))
    _check(case, *_run(symbol, case))


@pytest.mark.parametrize("case", sorted({c for c in CASES if not c.startswith("cond_")} | {"cond_pos"}))
def test_mxnet_file_is_written_back_byte_for_byte(case):
    text = _file(case).read_text()
    assert mx.sym.load_json(text).tojson() == text


@pytest.mark.parametrize("case", list(CASES))
def test_mxtorch_file_loads_back_with_the_same_numbers(case, tmp_path):
    path = tmp_path / "graph-symbol.json"
    built = build(mx.sym, case)
    built.save(str(path))
    loaded = mx.sym.load(str(path))
    assert loaded.list_arguments() == built.list_arguments()
    assert loaded.list_outputs() == built.list_outputs()
    assert loaded.tojson() == path.read_text()
    _check(case, *_run(built, case))
    _check(case, *_run(loaded, case))


def _numbered_apart(text: str) -> str:
    """Symbol JSON with the subgraph names blanked: MXNet and mxtorch number them (foreach0, ...)
    by how many this process built before, so they differ between two runs of either."""
    return re.sub(r'"__subgraph_name__": "[^"]*"', '"__subgraph_name__": ""', text)


@pytest.mark.parametrize("case", sorted({c for c in CASES if not c.startswith("cond_")} | {"cond_pos"}))
def test_mxtorch_file_is_mxnets(case):
    """The builders cut, name and lay out the subgraphs as MXNet does: an outer computation (the
    cond's predicate) becomes a variable named after its output, outputs computed outside a
    subgraph pass through an identity node, placeholders are named ``<input>-<output index>``."""
    with mx.name.NameManager():
        text = build(mx.sym, case).tojson()
    assert _numbered_apart(text) == _numbered_apart(_file(case).read_text())


def test_an_outer_computation_is_cut_out_of_the_body():
    """What the body reads but did not build is computed once, before the loop: the node takes it
    as an input and the body reads a variable named after it."""
    x, w = mx.sym.var("x"), mx.sym.var("w")
    doubled = w * 2
    out, _ = mx.sym.contrib.foreach(lambda d, s: (d * doubled, [s[0] + d]), x, [mx.sym.var("s")])
    graph = json.loads(out.tojson())
    node = graph["nodes"][-1]
    assert [graph["nodes"][i]["name"] for i, _, _ in node["inputs"]] == ["x", "s", doubled.name]
    body = [n["name"] for n in node["subgraphs"][0]["nodes"]]
    assert f"{doubled.name}_output" in body and "w" not in body
    xs, ws = np.arange(6, dtype=np.float32).reshape(3, 2), np.array([0.5, -1], np.float32)
    got = out.bind(mx.cpu(), {"x": nd.array(xs), "w": nd.array(ws), "s": nd.zeros(2)}).forward()[0]
    np.testing.assert_allclose(got.asnumpy(), xs * ws * 2)


def _in_mxnet(*args: str) -> dict:
    done = subprocess.run([str(REF_PYTHON), str(GENERATOR), *args], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_ref
@pytest.mark.parametrize("case", list(CASES))
def test_mxtorch_file_runs_in_mxnet(case, tmp_path):
    path = tmp_path / "graph-symbol.json"
    build(mx.sym, case).save(str(path))
    result = _in_mxnet("check", str(path), str(FILES / "values.npz"), case)
    _check(case, result["outputs"], result["grads"])


def _block_inputs() -> tuple:
    return nd.array(V["block:in:data0"]), nd.array(V["block:in:data1"])


def test_mxnet_exported_block_imports_and_runs():
    net = gluon.SymbolBlock.imports(str(FILES / "block-symbol.json"), ["data0", "data1"],
                                    str(FILES / "block-0000.params"))
    out, last = net(*_block_inputs())
    np.testing.assert_allclose(out.asnumpy(), V["block:out:0"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(last.asnumpy(), V["block:out:1"], rtol=1e-5, atol=1e-6)


def _exported_block(tmp_path) -> tuple:
    """mxtorch's hybridized block, with MXNet's weights, run once and exported."""
    net = recurrent_block(gluon)(prefix="rec_")
    net.initialize()
    net.hybridize()
    net.collect_params().load(str(FILES / "block-0000.params"))
    out, last = net(*_block_inputs())
    prefix = str(tmp_path / "rec")
    net.export(prefix)
    return prefix, out.asnumpy(), last.asnumpy()


def test_hybridized_block_exports_and_imports(tmp_path):
    prefix, out, last = _exported_block(tmp_path)
    np.testing.assert_allclose(out, V["block:out:0"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(last, V["block:out:1"], rtol=1e-5, atol=1e-6)
    assert (_numbered_apart(pathlib.Path(prefix + "-symbol.json").read_text())
            == _numbered_apart((FILES / "block-symbol.json").read_text()))
    again = gluon.SymbolBlock.imports(prefix + "-symbol.json", ["data0", "data1"], prefix + "-0000.params")
    got_out, got_last = again(*_block_inputs())
    np.testing.assert_allclose(got_out.asnumpy(), out, rtol=1e-6)
    np.testing.assert_allclose(got_last.asnumpy(), last, rtol=1e-6)


@needs_ref
def test_hybridized_block_export_imports_in_mxnet(tmp_path):
    prefix, _, _ = _exported_block(tmp_path)
    result = _in_mxnet("check-block", prefix + "-symbol.json", prefix + "-0000.params",
                       str(FILES / "values.npz"))
    np.testing.assert_allclose(np.asarray(result["outputs"][0], np.float32), V["block:out:0"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(np.asarray(result["outputs"][1], np.float32), V["block:out:1"], rtol=1e-5,
                               atol=1e-6)


# -- malformed files ------------------------------------------------------------------------------
def _foreach_json() -> dict:
    return json.loads((FILES / "foreach-symbol.json").read_text())


def _foreach_node(graph: dict) -> dict:
    return next(n for n in graph["nodes"] if n["op"] == "_foreach")


def _refused(graph: dict, match: str) -> None:
    with deadline(3.0), pytest.raises(MXNetError, match=match):
        mx.sym.load_json(json.dumps(graph))


def _edit(change) -> dict:
    graph = _foreach_json()
    change(_foreach_node(graph))
    return graph


@pytest.mark.parametrize("change, match", [
    (lambda n: n.pop("subgraphs"), "needs a 'subgraphs' list of 1"),
    (lambda n: n.update(subgraphs=[]), "needs a 'subgraphs' list of 1"),
    (lambda n: n.update(subgraphs=n["subgraphs"] * 2), "needs a 'subgraphs' list of 1"),
    (lambda n: n.update(subgraphs=["body"]), "subgraph 0: a subgraph must be an object"),
    (lambda n: n["subgraphs"][0].pop("heads"), "subgraph 0: a subgraph is missing the required key 'heads'"),
    (lambda n: n["subgraphs"][0]["nodes"][2].update(op="no_such_op"), "subgraph 0: .*unknown operator"),
    (lambda n: n["attrs"].update(num_args="3"), "num_args must be 4"),
    (lambda n: n["attrs"].update(remain_locs="[7]"), "distinct input of the body"),
    (lambda n: n["attrs"].update(in_state_locs="[0]"), "distinct input of the body"),
    (lambda n: n["attrs"].update(num_out_data="5"), "num_out_data=5"),
    (lambda n: n["subgraphs"][0]["heads"].pop(), "gives 1 output.*expected 2"),
])
def test_malformed_subgraphs_are_refused(change, match):
    _refused(_edit(change), match)


def test_subgraphs_on_an_ordinary_operator_are_refused():
    graph = _foreach_json()
    body = _foreach_node(graph)["subgraphs"][0]
    graph["nodes"][0:0] = []
    graph["nodes"].append({"op": "relu", "name": "r", "inputs": [[0, 0, 0]], "subgraphs": [body]})
    graph["heads"] = [[len(graph["nodes"]) - 1, 0, 0]]
    _refused(graph, "operator relu takes no subgraphs")


def test_while_and_cond_locations_are_checked():
    graph = json.loads((FILES / "while-symbol.json").read_text())
    graph["nodes"][-1]["attrs"]["func_input_locs"] = "[1, 0, 9]"
    _refused(graph, "func_input_locs .* outside the 3 node inputs")
    graph = json.loads((FILES / "cond-symbol.json").read_text())
    node = next(n for n in graph["nodes"] if n["op"] == "_cond")
    node["attrs"]["then_input_locs"] = "[1]"
    _refused(graph, "then_input_locs has 1 entries, but subgraph 1 has 2 inputs")


def _nested_foreach(depth: int) -> dict:
    """A file of ``depth`` foreach nodes, each the body of the one outside it."""
    graph = {"nodes": [{"op": "null", "name": "x", "inputs": []},
                       {"op": "relu", "name": "r", "inputs": [[0, 0, 0]]}],
             "arg_nodes": [0], "heads": [[1, 0, 0]]}
    for _ in range(depth):
        node = {"op": "_foreach", "name": "f",
                "attrs": {"num_args": "2", "num_outputs": "1", "num_out_data": "1",
                          "in_data_locs": "[0]", "in_state_locs": "[]", "remain_locs": "[]"},
                "inputs": [[0, 0, 0]], "subgraphs": [graph]}
        graph = {"nodes": [{"op": "null", "name": "x", "inputs": []}, node], "arg_nodes": [0],
                 "heads": [[1, 0, 0]]}
    return graph


def test_subgraph_nesting_is_bounded():
    symbol = mx.sym.load_json(json.dumps(_nested_foreach(3)))
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10
    out = symbol.bind(mx.cpu(), {"x": nd.array(x)}).forward()[0]
    # as in MXNet, the innermost loop slices a vector into (1,)-shaped rows, which adds an axis
    np.testing.assert_allclose(out.asnumpy(), np.maximum(x, 0)[..., None])
    _refused(_nested_foreach(limits.MAX_SUBGRAPH_DEPTH + 1), "nest more than")
    assert mx.sym.load_json(json.dumps(_nested_foreach(limits.MAX_SUBGRAPH_DEPTH))) is not None
