"""Run the nd function and fluent-method cases (tests/ndarray/function_cases.py) through MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_nd_functions.py
Writes tests/conformance/golden/nd_functions/:
  ufuncs.json    case key -> encoded result of nd.<ufunc>(lhs, rhs) (or the exception's name)
  fluent.json    case key -> {"out": encoded result of x.<method>(...), "self": x afterwards}
  functions.json case key -> encoded result of nd.<function>(...)
  from_numpy.json dtype -> {"out": nd.from_numpy(array) encoded, "writeable": the numpy flag after}
  names.json     MXNet's public NDArray attributes and the ndarray module's functions
"""
import json
import pathlib
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ndarray"))
import function_cases as cases  # noqa: E402

OUT = HERE / "golden" / "nd_functions"
nd = mx.nd


def ufuncs() -> dict:
    return {key: cases.run(lambda name=name, a=a, b=b: getattr(nd, name)(cases.build(a, nd),
                                                                           cases.build(b, nd)))
            for key, name, a, b in cases.ufunc_cases()}


def fluent() -> dict:
    results = {}
    for key, method, x, args, kwargs in cases.FLUENT:
        arr = x.make(nd)
        out = cases.run(lambda: getattr(arr, method)(*cases.build(args, nd), **kwargs))
        results[key] = {"out": out, "self": cases.encode(arr)}
    return results


def functions() -> dict:
    return {key: cases.run(lambda name=name, args=args, kwargs=kwargs:
                           getattr(nd, name)(*cases.build(args, nd), **kwargs))
            for key, name, args, kwargs in cases.FUNCTIONS}


def from_numpy() -> dict:
    results = {}
    for dtype in ["float32", "float64", "float16", "int32", "int64", "uint8", "int8", "bool"]:
        a = np.arange(4).astype(dtype)
        results[dtype] = {"out": cases.run(lambda a=a: nd.from_numpy(a)),
                          "writeable": bool(a.flags.writeable)}
    return results


def names() -> dict:
    return {"ndarray_attributes": sorted(n for n in dir(nd.NDArray) if not n.startswith("_")),
            "module_functions": sorted(n for n in mx.nd.ndarray.__all__ if not n.startswith("_"))}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in [("ufuncs", ufuncs), ("fluent", fluent), ("functions", functions),
                       ("from_numpy", from_numpy), ("names", names)]:
        (OUT / f"{name}.json").write_text(json.dumps(make(), indent=0, sort_keys=True) + "\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
