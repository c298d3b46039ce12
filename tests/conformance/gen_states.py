"""Optimizer-state files across MXNet 1.9.1 and mxtorch, in both directions.

Each case trains two steps with one writer (gluon.Trainer.save_states, Module.save_optimizer_states
or Updater.get_states, with or without the optimizer), saves the states file, then reads it into a
fresh updater and takes one more step. Run in three parts:

    .ref/bin/python tests/conformance/gen_states.py --part mxnet     # MXNet writes mx_<id>.states
    .venv/bin/python tests/conformance/gen_states.py --part mxtorch  # mxtorch writes mxt_<id>.states
    .ref/bin/python tests/conformance/gen_states.py --part reverse   # MXNet reads mxt_<id>.states

For every file read by MXNet, golden/states/<file stem>.npz records what MXNet holds after reading it
(state arrays ``state_<index>_<j>``, the optimizer's plain attributes as JSON in ``optimizer``) and the
weights after the further step (``weight_<index>``). tests/optimizer/test_states_files.py reads the
same files with mxtorch and compares.
"""
import argparse
import json
import pathlib
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "states"
SHAPES = [(2, 3), (2,)]


@dataclass
class Case:
    id: str
    optimizer: str
    params: Dict[str, Any] = field(default_factory=dict)
    writer: str = "updater"  # trainer | module | updater
    dump_optimizer: bool = True
    scheduler: Optional[tuple] = None  # (class name, kwargs)
    dtype: str = "float32"


CASES = [
    Case("sgd_momentum_trainer", "sgd", dict(learning_rate=0.1, momentum=0.9, wd=1e-3),
         writer="trainer"),
    Case("adam_factor_trainer", "adam", dict(learning_rate=0.01), writer="trainer",
         scheduler=("FactorScheduler", dict(step=1, factor=0.5))),
    Case("nag_multifactor", "nag", dict(learning_rate=0.1, momentum=0.9),
         scheduler=("MultiFactorScheduler", dict(step=[1, 3], factor=0.5))),
    Case("rmsprop_centered_poly", "rmsprop", dict(learning_rate=0.01, centered=True),
         scheduler=("PolyScheduler", dict(max_update=10, base_lr=0.01, pwr=2))),
    Case("sgd_fp16_multi_precision_cosine", "sgd", dict(momentum=0.9, multi_precision=True),
         scheduler=("CosineScheduler", dict(max_update=10, base_lr=0.1)), dtype="float16"),
    Case("adam_multi_precision_fp16", "adam", dict(learning_rate=0.01, multi_precision=True),
         dtype="float16"),
    Case("sgd_module", "sgd", dict(learning_rate=0.1, momentum=0.9, rescale_grad=1 / 3),
         writer="module", dump_optimizer=False),
    Case("adam_states_only", "adam", dict(learning_rate=0.01), dump_optimizer=False),
]


def _values(seed: int, dtype: str = "float32") -> list:
    rng = np.random.RandomState(seed)
    return [rng.uniform(-1, 1, s).astype(dtype) for s in SHAPES]


def _batch(seed: int) -> np.ndarray:
    return np.random.RandomState(seed).uniform(-1, 1, (3, 3)).astype("float32")


def _optimizer(mx: Any, case: Case) -> Any:
    params = dict(case.params)
    if case.scheduler:
        name, kwargs = case.scheduler
        params["lr_scheduler"] = getattr(mx.lr_scheduler, name)(**kwargs)
    return mx.optimizer.create(case.optimizer, **params)


def _train_and_save(mx: Any, case: Case, fname: pathlib.Path) -> None:
    """Two steps with fixed gradients through the case's writer, then its states file."""
    if case.writer == "trainer":
        net = mx.gluon.nn.Dense(2, in_units=3)
        net.initialize(ctx=mx.cpu())
        for param, value in zip(net.collect_params().values(), _values(0)):
            param.set_data(mx.nd.array(value))
        trainer = mx.gluon.Trainer(net.collect_params(), _optimizer(mx, case), kvstore="device")
        for step in range(2):
            with mx.autograd.record():
                loss = (net(mx.nd.array(_batch(10 + step))) ** 2).sum()
            loss.backward()
            trainer.step(3)
        trainer.save_states(str(fname))
    elif case.writer == "module":
        data = mx.sym.Variable("data")
        sym = mx.sym.FullyConnected(data, num_hidden=2, name="fc")
        mod = mx.mod.Module(sym, label_names=None, context=mx.cpu())
        mod.bind(data_shapes=[("data", (3, 3))])
        weight, bias = _values(0)
        mod.init_params(arg_params={"fc_weight": mx.nd.array(weight), "fc_bias": mx.nd.array(bias)})
        mod.init_optimizer(kvstore="local", optimizer=_optimizer(mx, case))
        for step in range(2):
            batch = mx.io.DataBatch([mx.nd.array(_batch(10 + step))])
            mod.forward(batch, is_train=True)
            mod.backward([mx.nd.ones((3, 2))])
            mod.update()
        mod.save_optimizer_states(str(fname))
    else:
        updater = mx.optimizer.get_updater(_optimizer(mx, case))
        weights = [mx.nd.array(v, dtype=case.dtype) for v in _values(0, case.dtype)]
        for step in range(2):
            for i, (w, g) in enumerate(zip(weights, _values(10 + step, case.dtype))):
                updater(i, mx.nd.array(g, dtype=case.dtype), w)
        fname.write_bytes(updater.get_states(dump_optimizer=case.dump_optimizer))


def _plain_attributes(obj: Any) -> dict:
    """The attributes of an optimizer or scheduler that JSON holds as they are."""
    out = {}
    for key, value in sorted(vars(obj).items()):
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        elif isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
            out[key] = value
    if getattr(obj, "lr_scheduler", None) is not None:
        out["lr_scheduler"] = {"class": type(obj.lr_scheduler).__name__,
                               **_plain_attributes(obj.lr_scheduler)}
    if isinstance(getattr(obj, "_index_update_count", None), dict):
        out["_index_update_count"] = sorted(obj._index_update_count.items())
    return out


def _flatten(state: Any) -> list:
    if state is None:
        return []
    if isinstance(state, (tuple, list)):
        return [a for s in state for a in _flatten(s)]
    return [state]


def read_and_step(mx: Any, case: Case, blob: bytes) -> dict:
    """What a fresh updater holds after reading `blob`, and the weights after one more step."""
    updater = mx.optimizer.get_updater(_optimizer(mx, case))
    updater.set_states(blob)
    out = {"optimizer": np.array(json.dumps(_plain_attributes(updater.optimizer), sort_keys=True)),
           "class": np.array(type(updater.optimizer).__name__)}
    for index, state in sorted(updater.states.items()):
        for j, arr in enumerate(_flatten(state)):
            out[f"state_{index}_{j}"] = arr.asnumpy()
    for index, state in sorted(updater.states.items()):
        shape = _flatten(state)[0].shape  # each weight is shaped like its first state array
        w, g = (np.random.RandomState(seed + index).uniform(-1, 1, shape).astype(case.dtype)
                for seed in (1, 20))
        weight = mx.nd.array(w, dtype=case.dtype)
        updater(index, mx.nd.array(g, dtype=case.dtype), weight)
        out[f"weight_{index}"] = weight.asnumpy()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=("mxnet", "mxtorch", "reverse"), required=True)
    args = parser.parse_args()
    if args.part == "mxtorch":
        import mxtorch as mx
    else:
        import mxnet as mx
    OUT.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        prefix = "mxt" if args.part != "mxnet" else "mx"
        fname = OUT / f"{prefix}_{case.id}.states"
        if args.part != "reverse":
            _train_and_save(mx, case, fname)
        if args.part != "mxtorch":
            np.savez_compressed(OUT / f"{prefix}_{case.id}.npz",
                                **read_and_step(mx, case, fname.read_bytes()))
        print("done", fname.name, file=sys.stderr)


if __name__ == "__main__":
    main()
