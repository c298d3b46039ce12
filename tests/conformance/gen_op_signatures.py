"""Save MXNet 1.9.1's operator registry: every legacy operator's name, aliases, inputs and attributes.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_op_signatures.py
Writes tests/conformance/golden/op_signatures.json: {name: {"real": canonical name, "inputs": [...],
"attrs": [[name, type description], ...], "key_var_num_args": ...}} for every registered name
(canonical and alias) outside the numpy, sparse, quantization and backward families (contrib
and linalg included: nd.contrib and nd.linalg come from the same table), but for those families'
operators that mx.nd exposes under a plain alias (cumsum). The test suite compares
the operator table against it (names, aliases, attribute order: ``nd.clip(x, 0, 1)`` passes
attributes positionally in this order).
"""
import ctypes
import json
import pathlib

import mxnet  # noqa: F401 - loads the library
from mxnet.base import _LIB, OpHandle, c_str, check_call, mx_uint, py_str

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "op_signatures.json"
SKIP = ("_np", "_npi", "_npx", "_backward", "_sparse", "_mp_", "_sg_", "_onednn", "_quantized",
        "_mkldnn")


def _info(name: str) -> dict:
    handle = OpHandle()
    check_call(_LIB.NNGetOpHandle(c_str(name), ctypes.byref(handle)))
    real, desc, key_var, ret = (ctypes.c_char_p() for _ in range(4))
    num = mx_uint()
    names, types, descs = (ctypes.POINTER(ctypes.c_char_p)() for _ in range(3))
    check_call(_LIB.MXSymbolGetAtomicSymbolInfo(
        handle, ctypes.byref(real), ctypes.byref(desc), ctypes.byref(num), ctypes.byref(names),
        ctypes.byref(types), ctypes.byref(descs), ctypes.byref(key_var), ctypes.byref(ret)))
    args = [(py_str(names[i]), py_str(types[i])) for i in range(num.value)]
    is_input = [t.startswith(("NDArray", "Symbol")) for _, t in args]
    return {"real": py_str(real.value),
            "key_var_num_args": py_str(key_var.value) if key_var.value else None,
            "inputs": [a for (a, _), x in zip(args, is_input) if x],
            "attrs": [[a, t] for (a, t), x in zip(args, is_input) if not x]}


def main() -> None:
    size = mx_uint()
    plist = ctypes.POINTER(ctypes.c_char_p)()
    check_call(_LIB.MXListAllOpNames(ctypes.byref(size), ctypes.byref(plist)))
    names = sorted(py_str(plist[i]) for i in range(size.value))
    table = {n: _info(n) for n in names if not n.startswith(SKIP)}
    # a skipped family's operator stays when mx.nd exposes it under a plain alias (cumsum is
    # _np_cumsum): the alias and its real name both
    exposed = {v["real"] for n, v in table.items() if v["real"].startswith(SKIP)}
    table.update({r: _info(r) for r in exposed})
    table = {n: v for n, v in table.items() if not v["real"].startswith(SKIP) or v["real"] in exposed}
    OUT.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")
    print("wrote", OUT, len(table), "operators")


if __name__ == "__main__":
    main()
