"""Run every operator sample through MXNet 1.9.1 and save outputs and gradients as goldens.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_op_goldens.py [--only ID ... | --missing]
Writes tests/conformance/golden/ops/<id>.npz holding the inputs (in_<name>), the head gradients
(head<i>), the outputs (out<i>), the input gradients (grad_<name>) and the inputs the operator
updated in place (after_<name>).
"""
import argparse
import os
import pathlib
import subprocess
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ops"))
import sample  # noqa: E402

OUT = HERE / "golden" / "ops"


# legacy operators whose generated nd function takes no auxiliary states (MXNet lists them apart
# from the arguments): called through the imperative C API with the states after the inputs
WITH_AUX = {"BatchNorm_v1": ("data", "gamma", "beta", "moving_mean", "moving_var"),
            "IdentityAttachKLSparseReg": ("data", "moving_avg")}


def _with_aux(name: str, order: tuple):
    import ctypes

    from mxnet._ctypes.ndarray import _imperative_invoke
    from mxnet.base import _LIB, OpHandle, c_str, check_call
    handle = OpHandle()
    check_call(_LIB.NNGetOpHandle(c_str(name), ctypes.byref(handle)))

    def call(**kwargs):
        arrays = [kwargs.pop(n) for n in order]
        return _imperative_invoke(handle.value, arrays, list(kwargs), list(kwargs.values()), None,
                                  False, False)
    return call


def _function(name: str):
    """MXNet's function for an operator name: underscore operators (_plus_scalar, _mod...) live in
    nd._internal, the image operators in nd.image and the *_like samplers in nd.random, there
    without their prefix."""
    if name in WITH_AUX:
        return _with_aux(name, WITH_AUX[name])
    if name.startswith("_image_"):
        return getattr(mx.nd.image, name[len("_image_"):])
    if name.startswith("_contrib_"):
        return getattr(mx.nd.contrib, name[len("_contrib_"):])
    if name.startswith("_linalg_"):
        return getattr(mx.nd.linalg, name[len("_linalg_"):])
    if name.startswith("_random_") and name.endswith("_like"):
        return getattr(mx.nd.random, name[len("_random_"):])
    return getattr(mx.nd, name, None) or getattr(mx.nd._internal, name)


def run(s: "sample.Sample") -> dict:
    arrays = s.make_inputs()
    nd_inputs = {n: mx.nd.array(a, dtype=a.dtype) for n, a in arrays.items()}
    grad_names = s.grad_inputs()
    for n in grad_names:
        nd_inputs[n].attach_grad()
    positional, keyword = s.call_kwargs(nd_inputs, lambda x: x)
    mx.random.seed(0)
    with mx.autograd.record(train_mode=s.is_train):
        out = _function(s.op)(*positional, **keyword)
    outs = out if isinstance(out, (list, tuple)) else [out]
    rng = np.random.RandomState(1)
    heads = [rng.standard_normal(o.shape).astype(np.float32) for o in outs]
    result = {f"in_{n}": a for n, a in arrays.items()}
    result.update({f"out{i}": o.asnumpy() for i, o in enumerate(outs)})
    if grad_names:
        float_outs = [(o, h) for o, h in zip(outs, heads) if o.dtype in (np.float32, np.float64)]
        mx.autograd.backward([o for o, _ in float_outs],
                             [mx.nd.array(h, dtype=o.dtype) for o, h in float_outs])
        result.update({f"head{i}": h for i, h in enumerate(heads)})
        result.update({f"grad_{n}": nd_inputs[n].grad.asnumpy() for n in grad_names})
    # inputs the operator updates in place (BatchNorm's moving statistics in training)
    result.update({f"after_{n}": v.asnumpy() for n, v in nd_inputs.items()
                   if not np.array_equal(v.asnumpy(), arrays[n])})
    return result


# MXNet's oneDNN kernels refuse float16 ("unknown type for MKLDNN"): these samples are run by a
# second process of this script with oneDNN switched off
WITHOUT_ONEDNN = {"amp_multicast", "amp_multicast_narrow"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", help="sample ids to (re)generate")
    parser.add_argument("--missing", action="store_true", help="only the samples without a golden")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    failed = []
    onednn = os.environ.get("MXNET_MKLDNN_ENABLED", "1") != "0"
    later = []
    for s in sample.all_samples():
        if args.only and s.id not in args.only:
            continue
        if args.missing and (OUT / f"{s.id}.npz").exists():
            continue
        if onednn and s.id in WITHOUT_ONEDNN:
            later.append(s.id)
            continue
        try:
            result = run(s)
        except mx.base.MXNetError as err:  # MXNet cannot run it: the walk states why (NO_GOLDEN)
            failed.append(s.id)
            print("FAILED", s.id, str(err).strip().splitlines()[-1])
            continue
        np.savez_compressed(OUT / f"{s.id}.npz", **result)
        print("wrote", s.id)
    if later:
        env = dict(os.environ, MXNET_MKLDNN_ENABLED="0")
        if subprocess.run([sys.executable, __file__, "--only", *later], env=env).returncode:
            failed += later
    if failed:
        raise SystemExit(f"MXNet could not run {len(failed)} samples: {' '.join(failed)}")


if __name__ == "__main__":
    main()
