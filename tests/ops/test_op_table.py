"""The conformance walk: every operator of the table checked against MXNet 1.9.1 (PyTorch's OpInfo).

Driven by ``mxtorch.ops.all_ops()``; for each operator it checks that
1. it has samples (``Sample`` entries in ``tests/ops/samples_*.py``) or a reason in ``NO_SAMPLE``;
2. its names, aliases, inputs, attribute names, order and defaults are MXNet's, as the reference
   registry recorded them in ``tests/conformance/golden/op_signatures.json`` (deliberate differences
   are listed in ``SIGNATURE_DIFFERENCES``);
3. each sample's outputs, input gradients and in-place updates match what MXNet computed
   (``tests/conformance/golden/ops/<id>.npz``; shapes and dtypes only for ``random=True`` samples);
4. its shape rule gives each sample's output shapes without drawing random numbers;
5. each differentiable sample's float64 gradients match central finite differences.

Adding an operator:
- append ``Sample("<name>", {input: shape or array}, {attr: value}, id="<unique id>")`` to the list of
  its family in ``tests/ops/samples_<family>.py`` (fields in ``tests/ops/sample.py``: ``grad=()`` when
  no output is differentiable, ``fd=False`` when MXNet's gradient is not the derivative, ``random=True``
  for random draws); a new family file goes into ``sample.all_samples``;
- write its golden in the reference venv and commit it:
  ``.ref/bin/python tests/conformance/gen_op_goldens.py --only <id>``;
- if the operator is new to ``op_signatures.json``, regenerate that file with
  ``.ref/bin/python tests/conformance/gen_op_signatures.py``;
- when no sample can be written, say why in ``NO_SAMPLE``; when a difference from MXNet is deliberate,
  say why in ``SIGNATURE_DIFFERENCES``. Both tables are reviewed like code.
"""
from __future__ import annotations

import ast
import json

import numpy as np
import pytest
import torch

from mxtorch import autograd, nd
from mxtorch.ndarray.ndarray import NDArray
from mxtorch.ops import all_ops, get_op
from mxtorch.ops.registry import REQUIRED
from tests.conformance.conftest import GOLDEN, GOLDEN_OPS
from tests.ops.sample import all_samples

MXNET_OPS = json.loads((GOLDEN / "op_signatures.json").read_text())
OPS = all_ops()
CANONICAL = sorted({e.name for e in OPS.values()})
SAMPLES = all_samples()
_IDS = [s.id for s in SAMPLES]

# operator -> why it has no sample (the walk fails for a stale entry as for a missing one)
NO_SAMPLE: dict = {
    **{name: "a control-flow node: its subgraphs come from the Python functions given to "
             "sym.contrib.foreach/while_loop/cond (tests/symbol/test_control_flow.py runs them against "
             "MXNet's goldens)" for name in ("_foreach", "_while_loop", "_cond")},
    "Custom": "its operators are user code registered at run time; tests/test_custom_op.py runs two (a "
              "softmax, a two-output op with an aux state) against MXNet's goldens"}

# operator -> why its signature deliberately differs from MXNet 1.9.1's
SIGNATURE_DIFFERENCES: dict = {
    "Custom": "MXNet declares one variable-length input 'data'; the table names Custom's inputs from the "
              "registered prop (list_arguments, list_auxiliary_states)"}

# operator -> a known mismatch with MXNet 1.9.1 still to fix in src/ (strict: passing again fails)
SIGNATURE_BUGS: dict = {}

# legacy operators whose registry lists their auxiliary states apart from their inputs (MXNet's
# list_auxiliary_states); the table declares them as inputs after those, with the role aux
AUX_LISTED_APART = {"BatchNorm_v1", "IdentityAttachKLSparseReg"}

# sample id -> a known mismatch with MXNet 1.9.1's golden still to fix (strict: passing again fails)
SAMPLE_BUGS: dict = {
    **dict.fromkeys(("contrib_allclose", "contrib_allclose_nan", "contrib_allclose_rtol"),
                    "MXNet 1.9.1 gives allclose a 0-d result (shape ()); nd arrays are at least 1-d in "
                    "mxtorch (ndarray.owned), so it is (1,) here: tests/ops/test_contrib_ops.py checks "
                    "the values")}

# samples whose gradient deliberately differs from MXNet 1.9.1's: the operator's entry states why
# (OpDef.grad_note), the finite-difference walk checks ours, and this walk checks that it differs
GRADIENT_DIFFERENCES = {"image_flip_left_right_grad", "image_flip_top_bottom_grad"}

# operator -> why its output shape depends on the input's values (its shape rule answers None there,
# as MXNet's infer_shape does; the walk checks that it does)
DYNAMIC_SHAPES: dict = {
    "_contrib_boolean_mask": "its length is the count of non-zero entries of the index"}

# (sample id, input) whose shape is one of the other shapes MXNet accepts for that input: the shape
# rule, given the data alone, fills in the default one
_ALTERNATE_SHAPES = {("prelu_shared", "gamma"), ("softmaxoutput_prob_label", "label"),
                     ("softmaxoutput_multi", "label")}


# -- 1. every operator has samples ---------------------------------------------------------------
def test_every_operator_has_a_sample_or_a_stated_reason():
    sampled = {OPS[s.op].name for s in SAMPLES}
    missing = [n for n in CANONICAL if n not in sampled and n not in NO_SAMPLE]
    assert not missing, (
        f"operators without samples: {missing}. Add a Sample for each to tests/ops/samples_<family>.py "
        "and write its golden (.ref/bin/python tests/conformance/gen_op_goldens.py --only <id>), or "
        "state why it cannot have one in NO_SAMPLE in tests/ops/test_op_table.py")
    stale = sorted(n for n in NO_SAMPLE if n not in CANONICAL or n in sampled)
    assert not stale, f"NO_SAMPLE entries that are not operators or do have samples: {stale}"


def test_sample_ids_name_their_goldens_once():
    assert len(set(_IDS)) == len(_IDS)
    unused = sorted(p.stem for p in GOLDEN_OPS.glob("*.npz") if p.stem not in set(_IDS))
    assert not unused, f"goldens of no sample (delete them): {unused}"


# -- 2. signatures against MXNet's registry --------------------------------------------------------
_UNSTATED = object()


def _mxnet_default(text: str):
    """The default in MXNet's description of an attribute ('boolean, optional, default=0');
    ``_UNSTATED`` when the description says neither (smooth_l1's scalar reads just 'float')."""
    if "default=" not in text:
        return REQUIRED if "required" in text else _UNSTATED
    value = text.split("default=", 1)[1].strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1]
    if value == "None":
        return None
    if text.startswith("boolean"):
        return value in ("1", "True", "true")
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
    return tuple(parsed) if isinstance(parsed, (list, tuple)) else parsed


def _same_default(ours, theirs) -> bool:
    if isinstance(ours, (tuple, list)) and isinstance(theirs, tuple):
        return len(ours) == len(theirs) and all(map(_same_default, ours, theirs))
    numbers = (int, float)
    if isinstance(ours, numbers) and isinstance(theirs, numbers) and not isinstance(ours, bool):
        return ours == pytest.approx(theirs, rel=1e-6)
    return ours == theirs


@pytest.mark.parametrize("name", sorted(OPS))
def test_name_is_an_mxnet_name_of_the_same_operator(name):
    assert name in MXNET_OPS, f"{name} is not an MXNet 1.9.1 operator name"
    assert MXNET_OPS[OPS[name].name]["real"] == MXNET_OPS[name]["real"]


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=SIGNATURE_BUGS[n]))
    if n in SIGNATURE_BUGS else n for n in CANONICAL])
def test_signature_is_mxnets(name):
    if name in SIGNATURE_DIFFERENCES:
        pytest.skip(SIGNATURE_DIFFERENCES[name])
    entry, info = get_op(name), MXNET_OPS[name]
    aliases = {n for n, v in MXNET_OPS.items() if v["real"] == info["real"]}
    assert aliases <= set(OPS), f"missing aliases of {name}: {sorted(aliases - set(OPS))}"
    # a variadic operator declares the one name its inputs go by (concat's data, add_n's args)
    apart = list(entry.aux) if name in AUX_LISTED_APART else []
    assert list(entry.inputs) == info["inputs"] + apart, "inputs"
    if info["key_var_num_args"]:
        assert entry.variadic == info["key_var_num_args"], "the count of the variadic inputs"
    # the table keeps a variadic operator's count as an attribute even where MXNet lists none
    expected = [a for a, _ in info["attrs"]]
    assert [a for a in entry.attrs if a in expected or a != entry.variadic] == expected, "attributes"
    for attr, text in info["attrs"]:
        expected_default, default = _mxnet_default(text), entry.attrs[attr].default
        if expected_default is _UNSTATED:
            continue
        assert _same_default(default, expected_default), \
            f"default of {attr}: {default!r}, MXNet's is {expected_default!r} ({text})"


# -- 3. outputs and gradients against MXNet's --------------------------------------------------------
def _golden(s):
    path = GOLDEN_OPS / f"{s.id}.npz"
    if not path.exists():
        pytest.fail(f"no golden for sample {s.id}: run .ref/bin/python tests/conformance/gen_op_goldens.py "
                    f"--only {s.id}")
    return np.load(path)


def _run(s, golden):
    arrays = {n[3:]: golden[n] for n in golden.files if n.startswith("in_")}
    inputs = {n: nd.array(a, dtype=a.dtype) for n, a in arrays.items()}
    has_grad = any(k.startswith("grad_") for k in golden.files)
    grad_names = s.grad_inputs() if has_grad else ()
    for n in grad_names:
        inputs[n].attach_grad()
    positional, keyword = s.call_kwargs(inputs, lambda x: x)
    with autograd.record(train_mode=s.is_train):
        out = getattr(nd, s.op)(*positional, **keyword)
    outs = out if isinstance(out, (list, tuple)) else [out]
    if grad_names:
        pairs = [(o, golden[f"head{i}"]) for i, o in enumerate(outs)
                 if o.dtype in (np.float32, np.float64)]
        autograd.backward([o for o, _ in pairs], [nd.array(h, dtype=o.dtype) for o, h in pairs])
    grads = {n: inputs[n].grad.asnumpy() for n in grad_names}
    return outs, grads, {n: x.asnumpy() for n, x in inputs.items()}


@pytest.mark.parametrize("s", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=SAMPLE_BUGS[s.id]))
    if s.id in SAMPLE_BUGS else s for s in SAMPLES], ids=_IDS)
def test_sample_matches_mxnet(s):
    golden = _golden(s)
    outs, grads, after = _run(s, golden)
    assert len(outs) == len([k for k in golden.files if k.startswith("out")]), "number of outputs"
    for i, o in enumerate(outs):
        expected = golden[f"out{i}"]
        assert o.shape == expected.shape, f"output {i} shape"
        assert o.dtype == expected.dtype, f"output {i} dtype"
        if not s.random:
            np.testing.assert_allclose(o.asnumpy(), expected, rtol=s.rtol, atol=s.atol,
                                       err_msg=f"{s.id}: output {i}")
    if s.id in GRADIENT_DIFFERENCES:
        assert get_op(s.op).grad_note, f"{s.op}: a deliberate gradient difference needs a grad_note"
        assert any(not np.allclose(g, golden[f"grad_{n}"], rtol=s.rtol, atol=s.atol)
                   for n, g in grads.items()), f"{s.id}: the gradient now matches MXNet's"
        grads = {}
    for n, g in grads.items():
        np.testing.assert_allclose(g, golden[f"grad_{n}"], rtol=s.rtol, atol=s.atol,
                                   err_msg=f"{s.id}: gradient of {n}")
    for key in (k for k in golden.files if k.startswith("after_")):  # updated in place
        np.testing.assert_allclose(after[key[6:]], golden[key], rtol=s.rtol, atol=s.atol,
                                   err_msg=f"{s.id}: {key[6:]} after the call")


# -- 4. shape rules (what sym.infer_shape and Gluon's deferred initialisation rely on) --------------
def _keeps_random_sequence(run) -> bool:
    torch.manual_seed(0)
    run()
    after = torch.rand(())
    torch.manual_seed(0)
    return torch.equal(after, torch.rand(()))


@pytest.mark.parametrize("s", SAMPLES, ids=_IDS)
def test_shape_rule_matches_mxnet(s):
    golden, entry = _golden(s), get_op(s.op)
    raw = dict(s.attrs)
    if entry.variadic is not None:
        raw.setdefault(entry.variadic, len(s.inputs))
    attrs = entry.parse_attrs(raw)
    names = list(s.inputs) if entry.variadic is not None else entry.input_names(attrs)
    shapes = [golden[f"in_{n}"].shape for n in names]
    found = []
    # a random operator run on meta tensors for its shapes would shift the seeded sequence
    assert _keeps_random_sequence(lambda: found.append(entry.infer_shape(attrs, shapes)[1]))
    if entry.name in DYNAMIC_SHAPES:
        assert found[0] == [None] * len(found[0]), DYNAMIC_SHAPES[entry.name]
        return
    expected = [golden[f"out{i}"].shape for i in range(len(golden.files)) if f"out{i}" in golden.files]
    assert [tuple(o) for o in found[0]] == expected
    if not shapes:
        return
    # from the data alone, the rule gives every other input it determines
    ins, _ = entry.infer_shape(attrs, shapes[:1] + [None] * (len(shapes) - 1))
    for name, inferred, shape in zip(names, ins, shapes):
        if inferred is not None and (s.id, name) not in _ALTERNATE_SHAPES:
            assert tuple(inferred) == shape, name


# -- 5. gradients against finite differences ---------------------------------------------------------
_DIFFERENTIABLE = [s for s in SAMPLES if s.fd and s.grad_inputs()]


def _as_float64(array: np.ndarray) -> torch.Tensor:
    tensor = torch.from_numpy(np.array(array))
    return tensor.double() if tensor.is_floating_point() else tensor


@pytest.mark.parametrize("s", _DIFFERENTIABLE, ids=[s.id for s in _DIFFERENTIABLE])
def test_gradient_matches_finite_differences(s):
    arrays = s.make_inputs()
    grad_names = s.grad_inputs()
    fixed = {n: _as_float64(a) for n, a in arrays.items() if n not in grad_names}
    variables = tuple(_as_float64(arrays[n]).requires_grad_(True) for n in grad_names)
    fn = getattr(nd, s.op)

    def run(*tensors: torch.Tensor) -> tuple:
        inputs = {n: NDArray(t) for n, t in fixed.items()}
        inputs.update({n: NDArray(t) for n, t in zip(grad_names, tensors)})
        positional, keyword = s.call_kwargs({n: inputs[n] for n in arrays}, lambda x: x)
        torch.manual_seed(0)  # random operators draw the same numbers at every evaluation
        with autograd.record(train_mode=s.is_train):
            out = fn(*positional, **keyword)
        outs = [o._t for o in (out if isinstance(out, (list, tuple)) else [out])]
        outs = tuple(o for o in outs if o.is_floating_point() and o.requires_grad)
        if any(o.dtype != torch.float64 for o in outs):
            pytest.skip("an output is computed below float64 (dtype attribute), finite "
                        "differences would measure its rounding")
        return outs

    if not run(*variables):
        pytest.skip("no floating-point output depends on the inputs")
    assert torch.autograd.gradcheck(run, variables, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=True)
