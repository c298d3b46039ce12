"""Write ``.params`` goldens with MXNet 1.9.1 and record what MXNet reads from each.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_params.py
(after ``.venv/bin/python -m tests.ndarray.params_cases`` when mxtorch's writer changes).

Writes tests/conformance/golden/params/:
- ``<case>.params`` for every case of tests/ndarray/params_cases.py WRITTEN, saved by ``mx.nd.save``;
- ``sparse.params`` (a row_sparse and a csr array) and ``np_v3.params`` (saved in numpy-shape mode:
  version-3 records, a 0-d array);
- ``v1.params``, ``legacy.params``, ``gpu_ctx.params``: records built by hand in layouts MXNet 1.9.1
  only reads (see params_cases.crafted_files);
- ``expected.json``: for every file above and for ``mxtorch_written.params`` (written by mxtorch), what
  MXNet 1.9.1 loads from it: form ('list'/'dict') and per array [name, dtype, shape, values].
"""
import json
import pathlib
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ndarray"))
import params_cases  # noqa: E402

OUT = params_cases.GOLDEN_PARAMS
BF16 = np.dtype([("bfloat16", np.uint16)])


def _mx_array(dtype: str, values: np.ndarray) -> "mx.nd.NDArray":
    if dtype == "bfloat16":
        return mx.nd.array(values, dtype="float32").astype(BF16)
    return mx.nd.array(values, dtype=dtype)


def _save_case(name: str, case: tuple) -> None:
    form, entries = case
    arrays = [_mx_array(d, v) for _, d, v in entries]
    path = str(OUT / f"{name}.params")
    if form == "single":
        mx.nd.save(path, arrays[0])
    elif form == "dict":
        mx.nd.save(path, {n: a for (n, _, _), a in zip(entries, arrays)})
    else:
        mx.nd.save(path, arrays)


def _describe(array) -> list:
    dtype = "bfloat16" if array.dtype == BF16 else np.dtype(array.dtype).name
    values = array.astype("float32") if dtype == "bfloat16" else array
    if hasattr(values, "tostype") and values.stype != "default":
        values = values.tostype("default")
    values = values.asnumpy()
    return [dtype, list(values.shape), values.astype(np.float64).ravel().tolist()]


def _read(path: pathlib.Path, numpy_mode: bool = False) -> dict:
    if numpy_mode:
        mx.npx.set_np()
        loaded = mx.npx.load(str(path))
        mx.npx.reset_np()
        loaded = {k: v.as_nd_ndarray() for k, v in loaded.items()}
    else:
        loaded = mx.nd.load(str(path))
    if isinstance(loaded, dict):
        return {"form": "dict", "entries": [[k, *_describe(v)] for k, v in loaded.items()]}
    return {"form": "list", "entries": [[None, *_describe(v)] for v in loaded]}


def _write_sparse() -> None:
    rows = mx.nd.sparse.row_sparse_array(
        (np.array([[1, 2], [3, 4]], dtype=np.float32), np.array([0, 2])), shape=(3, 2))
    csr = mx.nd.sparse.csr_matrix(
        (np.array([1, 2, 3], dtype=np.float32), np.array([0, 2, 1]), np.array([0, 2, 2, 3])),
        shape=(3, 3))
    mx.nd.save(str(OUT / "sparse.params"), [rows, csr])


def _write_np_v3() -> None:
    mx.npx.set_np()
    mx.npx.save(str(OUT / "np_v3.params"), {"a": mx.np.array([[1.5, 2.0]]), "s": mx.np.array(5.0),
                                             "z": mx.np.zeros((0, 2))})
    mx.npx.reset_np()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, case in params_cases.WRITTEN.items():
        _save_case(name, case)
    _write_sparse()
    _write_np_v3()
    for name, (payload, _) in params_cases.crafted_files().items():
        (OUT / f"{name}.params").write_bytes(payload)
    expected = {}
    for path in sorted(OUT.glob("*.params")):
        expected[path.name] = _read(path, numpy_mode=path.name == "np_v3.params")
    lines = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in expected.items()]
    (OUT / "expected.json").write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
