"""What MXNet 1.9.1's gluon.contrib.estimator does with the talk's LeNet on a small MNIST subset:
the checkpoint files it leaves, the log lines it writes (numbers masked), when early stopping ends
training.

    .ref/bin/python tests/conformance/gen_estimator.py

writes ``golden/estimator/goldens.json``. tests/gluon/contrib/test_estimator.py runs the same
scenarios (:data:`SCENARIOS`, data from :func:`mnist_subset`) on mxtorch and compares.
"""
import gzip
import json
import os
import pathlib
import re
import tempfile
import warnings

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "golden" / "estimator"
MNIST = pathlib.Path(os.environ.get("MXTORCH_MNIST", HERE.parents[2] / "shared" / "data" / "mnist"))

N_SAMPLES, BATCH = 48, 16   # three batches per epoch

# name -> (fit kwargs, checkpoint kwargs or None, early-stopping kwargs or None, log_interval, lr)
SCENARIOS = {
    "epochs": (dict(epochs=3), dict(model_prefix="lenet", max_checkpoints=2, save_best=True,
                                    mode="max"), None, "epoch", 0.05),
    "batches": (dict(batches=5), dict(model_prefix="lenet", epoch_period=None, batch_period=2),
                None, 2, 0.05),
    "early_stop": (dict(epochs=6), None, dict(mode="max", patience=1), "epoch", 0.0),
}


def mnist_subset() -> tuple:
    """The first N_SAMPLES training images as float32 (N, 1, 28, 28) in [0, 1], and labels."""
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)[:N_SAMPLES * 784]
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:N_SAMPLES]
    return (images.reshape(-1, 1, 28, 28).astype(np.float32) / 255,
            labels.astype(np.float32))


def lenet(gluon):
    """The talk's LeNet (examples/lenet_gluon.py), as a HybridSequential so it can be hybridized."""
    net = gluon.nn.HybridSequential()
    with net.name_scope():
        net.add(gluon.nn.Conv2D(channels=20, kernel_size=5, activation="relu"))
        net.add(gluon.nn.MaxPool2D(pool_size=2, strides=2))
        net.add(gluon.nn.Conv2D(channels=50, kernel_size=5, activation="relu"))
        net.add(gluon.nn.MaxPool2D(pool_size=2, strides=2))
        net.add(gluon.nn.Flatten())
        net.add(gluon.nn.Dense(512, activation="relu"))
        net.add(gluon.nn.Dense(10))
    return net


def mask(line: str) -> str:
    """A log line with its measured numbers (which differ by framework, seed and clock) masked:
    the decimals (metrics, learning rate, times) and the whole seconds of the total time. The
    counts (epochs, batches, samples) stay."""
    return re.sub(r"total \d+s", "total #s", re.sub(r"-?\d+\.\d+|nan", "#", line))


def run(mx, name: str, folder: str) -> dict:
    """Run one scenario with library ``mx``; the checkpoint files and masked log lines."""
    import logging

    from_ = mx.gluon.contrib.estimator
    fit_kwargs, ckpt, early, log_interval, lr = SCENARIOS[name]
    mx.random.seed(0)
    x, y = mnist_subset()
    loader = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(mx.nd.array(x), mx.nd.array(y)),
                                      batch_size=BATCH)
    net = lenet(mx.gluon)
    net.initialize(mx.init.Xavier(magnitude=2.24))
    net.hybridize()
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    est = from_.Estimator(net, mx.gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer)
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    est.logger.handlers = [Keep()]
    handlers = [from_.LoggingHandler(log_interval=log_interval, metrics=est.train_metrics)]
    if ckpt is not None:
        kwargs = dict(ckpt)
        if kwargs.get("save_best"):
            kwargs["monitor"] = est.train_metrics[0]
        handlers.append(from_.CheckpointHandler(folder, **kwargs))
    if early is not None:
        handlers.append(from_.EarlyStoppingHandler(monitor=est.train_metrics[0], **early))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(loader, event_handlers=handlers, **fit_kwargs)
    return {"files": sorted(os.listdir(folder)), "log": [mask(line) for line in lines],
            "metric_names": [m.name for m in est.train_metrics + est.val_metrics]}


def main() -> None:
    import mxnet as mx

    golden = {}
    for name in SCENARIOS:
        with tempfile.TemporaryDirectory() as folder:
            golden[name] = run(mx, name, folder)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "goldens.json").write_text(json.dumps(golden, indent=1) + "\n")
    print(json.dumps(golden, indent=1))


if __name__ == "__main__":
    main()
