"""Run the NDArray behaviour cases (tests/ndarray/cases.py) through MXNet 1.9.1 and save what it does.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_ndarray.py
Writes tests/conformance/golden/ndarray/: getitem.npz and setitem.npz (``r<i>`` the result of case i,
or ``e<i>`` the name of the exception it raised), reshape.json (result shape or exception name per
case) and binary.json (``<dtype>_<op>_<form>`` -> [result dtype, values]: form ``arr`` is array op
array, ``s<j>`` array op SCALARS[j], ``rs<j>`` SCALARS[j] op array).
"""
import json
import operator
import pathlib
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ndarray"))
import cases  # noqa: E402

OUT = HERE / "golden" / "ndarray"


def _record(results: dict, i: int, fn) -> None:
    try:
        results[f"r{i}"] = fn().asnumpy()
    except Exception as err:  # noqa: BLE001 - the exception's type is the recorded result
        results[f"e{i}"] = np.array(type(err).__name__)


def getitem() -> dict:
    results: dict = {}
    for i, key in enumerate(cases.GET_KEYS):
        _record(results, i, lambda key=key: mx.nd.array(cases.source())[key])
    return results


def setitem() -> dict:
    results: dict = {}
    for i, (key, spec) in enumerate(cases.SET_CASES):
        def run(key=key, spec=spec):
            x = mx.nd.array(cases.source())
            value = cases.value_of(spec)
            x[key] = mx.nd.array(value) if isinstance(value, np.ndarray) and value.dtype == np.float32 \
                else value
            return x
        _record(results, i, run)
    return results


def reshape() -> list:
    results = []
    for shape, target, reverse in cases.RESHAPE_CASES:
        try:
            x = mx.nd.array(np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape))
            results.append(list(x.reshape(target, reverse=reverse).shape))
        except Exception as err:  # noqa: BLE001
            results.append(type(err).__name__)
    return results


def binary() -> dict:
    results = {}

    def put(key: str, out) -> None:
        results[key] = [np.dtype(out.dtype).name, out.asnumpy().astype(np.float64).tolist()]

    for dtype in cases.BINARY_DTYPES:
        a_np, b_np = cases.binary_operands(dtype)
        a, b = mx.nd.array(a_np, dtype=dtype), mx.nd.array(b_np, dtype=dtype)
        for name in cases.BINARY_OPS:
            fn = getattr(operator, name)
            if not cases.binary_skipped(dtype, name, None, False):
                put(f"{dtype}_{name}_arr", fn(a, b))
            for j, scalar in enumerate(cases.SCALARS):
                if not cases.binary_skipped(dtype, name, scalar, False):
                    put(f"{dtype}_{name}_s{j}", fn(a, scalar))
                if name in cases.REFLECTED_OPS and \
                        not cases.binary_skipped(dtype, name, scalar, True):
                    put(f"{dtype}_{name}_rs{j}", fn(scalar, b))
    return results


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "getitem.npz", **getitem())
    np.savez_compressed(OUT / "setitem.npz", **setitem())
    (OUT / "binary.json").write_text(json.dumps(binary(), sort_keys=True) + "\n")
    (OUT / "reshape.json").write_text(json.dumps(reshape()) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
