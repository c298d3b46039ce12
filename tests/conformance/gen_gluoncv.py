"""GluonCV goldens: GluonCV 0.10.5 on MXNet 1.9.1 builds a classifier, detectors and segmenters,
writes their parameters and runs them.

Run in a side venv that holds MXNet, GluonCV and nothing newer (``.ref`` itself stays MXNet alone)::

    python3 -m venv .ref-gcv
    .ref-gcv/bin/pip install 'numpy<1.24' mxnet==1.9.1 scipy==1.10.1 tqdm pillow portalocker
    .ref-gcv/bin/pip install --no-deps gluoncv==0.10.5
    .ref-gcv/bin/python tests/conformance/gen_gluoncv.py

Parameters are the model-zoo goldens' low-entropy values (see gen_model_zoo.py), denser where a
filter has few inputs (depthwise convolutions would otherwise be all zero and the networks blind to
their input), so the lzma'd parameter files stay small. For each network it writes
<name>.params.xz (MXNet's save_parameters output) and <name>.npz: the input (int8, divided by 4
before use), every output MXNet gave in predict mode, and the parameter names and shapes;
networks.json holds the table below.
"""
import json
import lzma
import pathlib

import mxnet as mx
import numpy as np
from gen_model_zoo import low_entropy_value
from gluoncv import model_zoo

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "gluoncv"
# name -> (input shape, get_model keywords beyond pretrained=False); networks.json gives it to the test
DET = {"pretrained_base": False}
SEG = {"pretrained_base": False, "crop_size": 64, "base_size": 64}
NETWORKS = {
    "resnet18_v1b": ((2, 3, 32, 32), {"classes": 10}),
    "mobilenetv3_small": ((2, 3, 64, 64), {"classes": 10}),
    "ssd_300_mobilenet0.25_voc": ((1, 3, 128, 128), DET),
    "yolo3_mobilenet0.25_voc": ((1, 3, 128, 128), DET),
    "fcn_resnet50_voc": ((1, 3, 64, 64), SEG),
    "simple_pose_resnet18_v1b": ((1, 3, 64, 48), DET),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    table = {name: {"shape": shape, "kwargs": kwargs} for name, (shape, kwargs) in NETWORKS.items()}
    (OUT / "networks.json").write_text(json.dumps(table, indent=1) + "\n")
    for name, (shape, kwargs) in NETWORKS.items():
        rng = np.random.RandomState(0)
        with mx.name.NameManager():  # fresh counters, as in a process that builds only this network
            net = model_zoo.get_model(name, pretrained=False, **kwargs)
        net.initialize()
        x_int = rng.randint(-8, 9, size=shape).astype(np.int8)
        x = mx.nd.array(x_int.astype(np.float32) / 4)
        net(x)  # completes deferred shapes
        params = net.collect_params()
        for pname, p in params.items():
            kind = pname.replace("moving_", "running_")  # GluonCV's BatchNorm names its statistics so
            if p.grad_req == "null" and not kind.endswith(("running_mean", "running_var")):
                continue  # constants the network made itself (anchors, offsets)
            p.set_data(mx.nd.array(low_entropy_value(rng, kind, p.shape, min_taps=4)))
        outputs = net(x)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        tmp = OUT / f"{name}.params"
        net.save_parameters(str(tmp))
        (OUT / f"{name}.params.xz").write_bytes(lzma.compress(tmp.read_bytes(), preset=9))
        tmp.unlink()
        arrays = {f"output{i}": out.asnumpy() for i, out in enumerate(outputs)}
        np.savez_compressed(OUT / f"{name}.npz", input=x_int, **arrays,
                            names=np.array(list(params.keys())),
                            shapes=np.array([",".join(map(str, p.shape)) for p in params.values()]))
        print(name, [a.shape for a in arrays.values()], (OUT / f"{name}.params.xz").stat().st_size)


if __name__ == "__main__":
    main()
