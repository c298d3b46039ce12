"""Run the in-place write cases (tests/ndarray/inplace_cases.py) on MXNet 1.9.1 and save what it did.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_inplace.py
Writes tests/conformance/golden/inplace/:
- cases.npz: ``ids`` (one per case), ``errors`` ("stage:ExceptionName" or ""), and stacked
  ``x``, ``z``, ``w_grad``, ``x_grad`` (NaN where the run did not get that far or has no such value);
- gluon.npz: the two Gluon programs (write then Trainer step; hand-written SGD loop), hybridized or not;
- used_then_written.json: what MXNet does when a plain array read inside record is then written there.
"""
import json
import pathlib
import sys
import warnings

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ndarray"))
import inplace_cases as cases  # noqa: E402

OUT = HERE / "golden" / "inplace"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    warnings.simplefilter("ignore")
    ids, errors = [], []
    arrays = {key: [] for key in cases.RESULT_ARRAYS}
    for case in cases.combinations():
        res = cases.run(mx, case)
        ids.append(cases.case_id(case))
        errors.append(":".join(res["error"]) if res["error"] else "")
        for key, shape in cases.RESULT_ARRAYS.items():
            val = res.get(key)
            arrays[key].append(np.full(shape, np.nan, np.float32) if val is None else val)
    np.savez_compressed(OUT / "cases.npz", ids=np.array(ids), errors=np.array(errors),
                        **{key: np.stack(vals) for key, vals in arrays.items()})

    gluon = {}
    for hyb in (False, True):
        step = cases.gluon_write_then_step(mx, hyb)
        for key, val in step.items():
            if key in ("params", "grads"):
                for i, a in enumerate(val):
                    gluon[f"step{int(hyb)}/{key}{i}"] = a
            else:
                gluon[f"step{int(hyb)}/{key}"] = np.array("" if val is None else val)
        sgd = cases.gluon_hand_sgd(mx, hyb)
        gluon[f"sgd{int(hyb)}/losses"] = sgd["losses"]
        for i, a in enumerate(sgd["params"]):
            gluon[f"sgd{int(hyb)}/params{i}"] = a
    np.savez_compressed(OUT / "gluon.npz", **gluon)

    used = cases.used_then_written(mx)
    (OUT / "used_then_written.json").write_text(json.dumps(
        {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in used.items()}) + "\n")
    print(f"{len(ids)} cases ({sum(map(bool, errors))} raised), written to {OUT}")


if __name__ == "__main__":
    main()
