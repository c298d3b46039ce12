"""Write the checkpoint whose reading by MXNet 1.9.1 the reverse-direction golden records.

Run with mxtorch:  .venv/bin/python tests/conformance/write_mxtorch_checkpoint.py
then with MXNet:   .ref/bin/python tests/conformance/gen_symbol.py --part reverse

Trains the small LeNet of tests/symbol/symbol_cases.py briefly with mx.mod.Module and saves
golden/symbol/mxt_lenet-symbol.json and mxt_lenet-0001.params (mxtorch's writers), and the JSON
mxtorch writes for every symbol case (mxt_cases.json); gen_symbol.py then records the classes MXNet
predicts from the checkpoint on 200 MNIST test images, and how MXNet reads each case's JSON.
"""
import gzip
import json
import pathlib
import sys

import numpy as np

import mxtorch as mx

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "symbol"))
import symbol_cases  # noqa: E402

OUT = HERE / "golden" / "symbol"
MNIST = ROOT.parent / "shared" / "data" / "mnist"


def mnist(kind: str, count: int) -> tuple:
    with gzip.open(MNIST / f"{kind}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:count]
    with gzip.open(MNIST / f"{kind}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:count]
    return images.astype(np.float32) / 255, labels.astype(np.float32)


def main() -> None:
    mx.random.seed(11)
    np.random.seed(11)
    scope = {"mx": mx}
    with mx.name.NameManager():
        exec(symbol_cases.SMALL_LENET, scope)  # noqa: S102 - trusted test program
    x, y = mnist("train", 2000)
    mod = mx.mod.Module(scope["out"], context=mx.cpu())
    mod.fit(mx.io.NDArrayIter(x, y, batch_size=100, shuffle=True), num_epoch=1,
            initializer=mx.init.Xavier(), optimizer="sgd",
            optimizer_params={"learning_rate": 0.2, "momentum": 0.9})
    mod.save_checkpoint(str(OUT / "mxt_lenet"), 1)
    print("wrote", OUT / "mxt_lenet-symbol.json", OUT / "mxt_lenet-0001.params")
    cases = {}
    for name, case in symbol_cases.CASES.items():
        scope = {"mx": mx}
        with mx.name.NameManager():
            exec(case["code"], scope)  # noqa: S102 - trusted test programs
        cases[name] = scope["out"].tojson()
    (OUT / "mxt_cases.json").write_text(json.dumps(cases, indent=1, sort_keys=True))
    print("wrote", OUT / "mxt_cases.json")


if __name__ == "__main__":
    main()
