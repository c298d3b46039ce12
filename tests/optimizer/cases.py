"""Optimizer conformance cases, run the same way on MXNet (to write goldens) and on mxtorch.

``run(mx, case)`` only uses the public API both libraries share (``mx.nd``, ``mx.optimizer``,
``mx.lr_scheduler``), so ``tests/conformance/gen_optimizer.py`` calls it with ``mxnet`` and
``tests/optimizer/test_conformance.py`` with ``mxtorch``, and compares the arrays.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

SHAPES = [(3, 4), (5,), (2, 3)]


@dataclass
class Case:
    id: str
    name: str
    kwargs: Dict[str, Any] = field(default_factory=dict)
    # ("FactorScheduler", {...}): built from mx.lr_scheduler
    scheduler: Optional[Tuple[str, Dict[str, Any]]] = None
    dtype: str = "float32"
    steps: int = 3
    # "updater": through get_updater with a list of indices, as gluon.Trainer calls it;
    # "single": create_state_multi_precision + update_multi_precision per weight
    mode: str = "updater"
    idx2name: Optional[Dict[int, str]] = None
    lr_mult: Optional[Dict[Any, float]] = None
    wd_mult: Optional[Dict[Any, float]] = None
    seed: int = 0
    shapes: Optional[List[Tuple[int, ...]]] = None  # default: SHAPES
    rtol: float = 1e-6
    atol: float = 1e-7


CLIP = dict(clip_gradient=0.3, rescale_grad=2.0)

CASES: List[Case] = [
    Case("sgd", "sgd", dict(learning_rate=0.1)),
    Case("sgd_wd_rescale", "sgd", dict(learning_rate=0.1, wd=0.01, rescale_grad=0.5)),
    Case("sgd_mom", "sgd", dict(learning_rate=0.1, momentum=0.9, wd=0.01)),
    Case("sgd_mom_clip", "sgd", dict(learning_rate=0.1, momentum=0.9, wd=0.01, **CLIP)),
    Case("sgd_mom_single", "sgd", dict(learning_rate=0.1, momentum=0.9, wd=0.01), mode="single"),
    Case("sgd_factor", "sgd", dict(momentum=0.9), steps=5,
         scheduler=("FactorScheduler", dict(step=2, factor=0.5, base_lr=0.2))),
    Case("sgd_idx2name", "sgd", dict(learning_rate=0.1, momentum=0.5, wd=0.1),
         idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma"}),
    Case("sgd_mults", "sgd", dict(learning_rate=0.1, wd=0.1),
         idx2name={0: "fc_weight", 1: "fc_bias", 2: "conv_weight"},
         lr_mult={"fc_bias": 2.0, 2: 0.5}, wd_mult={"fc_bias": 1.0, 0: 3.0}),
    Case("sgd_fp16_mp", "sgd", dict(learning_rate=0.1, momentum=0.9, wd=0.01,
                                    multi_precision=True), dtype="float16", rtol=1e-3, atol=1e-3),
    Case("sgd_fp16_mp_nomom", "sgd", dict(learning_rate=0.1, multi_precision=True),
         dtype="float16", rtol=1e-3, atol=1e-3),
    Case("nag", "nag", dict(learning_rate=0.1, wd=0.01)),
    Case("nag_mom", "nag", dict(learning_rate=0.1, momentum=0.9, wd=0.01)),
    Case("nag_mom_clip", "nag", dict(learning_rate=0.1, momentum=0.9, wd=0.01, **CLIP)),
    Case("nag_fp16_mp", "nag", dict(learning_rate=0.1, momentum=0.9, wd=0.05, multi_precision=True),
         dtype="float16", rtol=1e-3, atol=1e-3),
    Case("adam", "adam", dict(learning_rate=0.01), steps=4),
    Case("adam_wd_clip", "adam", dict(learning_rate=0.01, wd=0.01, beta1=0.8, epsilon=1e-6,
                                      **CLIP), steps=4),
    Case("adam_single", "adam", dict(learning_rate=0.01, wd=0.01), mode="single"),
    Case("adam_poly", "adam", dict(), steps=4,
         scheduler=("PolyScheduler", dict(max_update=6, base_lr=0.05, pwr=2, warmup_steps=2))),
    Case("adam_fp16_mp", "adam", dict(learning_rate=0.01, multi_precision=True),
         dtype="float16", rtol=1e-3, atol=1e-3),
    Case("rmsprop", "rmsprop", dict(learning_rate=0.01, wd=0.01), steps=4),
    Case("rmsprop_clip", "rmsprop", dict(learning_rate=0.01, gamma1=0.8, clip_weights=0.5, **CLIP)),
    Case("rmsprop_centered", "rmsprop", dict(learning_rate=0.01, centered=True, wd=0.01,
                                             clip_weights=0.6), steps=4),
    Case("rmsprop_centered_clip", "rmsprop", dict(learning_rate=0.01, centered=True, gamma2=0.5,
                                                  **CLIP)),
    Case("adagrad", "adagrad", dict(learning_rate=0.1, wd=0.01)),
    Case("adagrad_clip", "adagrad", dict(learning_rate=0.1, eps=1e-5, **CLIP)),
    Case("adadelta", "adadelta", dict(wd=0.01)),
    Case("adadelta_clip", "adadelta", dict(rho=0.8, epsilon=1e-4, **CLIP)),
    Case("adamax", "adamax", dict(wd=0.01), steps=4),
    Case("adamax_clip", "adamax", dict(learning_rate=0.01, **CLIP)),
    Case("nadam", "nadam", dict(learning_rate=0.01, wd=0.01), steps=4),
    Case("nadam_clip", "nadam", dict(learning_rate=0.01, schedule_decay=0.01, **CLIP)),
    Case("signum", "signum", dict(learning_rate=0.01, wd=0.01, wd_lh=0.05)),
    Case("signum_clip", "signum", dict(learning_rate=0.01, momentum=0.5, **CLIP)),
    Case("signsgd", "signum", dict(learning_rate=0.01, momentum=0.0, wd=0.1)),
    Case("ftml", "ftml", dict(learning_rate=0.01, wd=0.01), steps=4),
    Case("ftml_clip", "ftml", dict(learning_rate=0.01, beta1=0.5, **CLIP)),
    Case("ftrl", "ftrl", dict(lamda1=0.01, wd=0.01), steps=4),
    Case("ftrl_clip", "ftrl", dict(learning_rate=0.05, lamda1=0.1, beta=0.5, **CLIP)),
    Case("lamb", "lamb", dict(learning_rate=0.01, wd=0.01), steps=4),
    Case("lamb_bounds", "lamb", dict(learning_rate=0.01, lower_bound=1.5, upper_bound=2.0,
                                     bias_correction=False, **CLIP)),
    Case("lamb_single", "lamb", dict(learning_rate=0.01, wd=0.01), mode="single"),
    Case("lars", "lars", dict(learning_rate=0.1, momentum=0.9, wd=0.01, eta=0.01),
         idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma"}),
    Case("lars_sched_clip", "lars", dict(momentum=0.9, wd=0.01, eps=1e-3, **CLIP), steps=4,
         scheduler=("MultiFactorScheduler", dict(step=[1, 2], factor=0.5, base_lr=0.5))),
    Case("lars_nomom", "lars", dict(learning_rate=0.1, momentum_correction=False)),
    Case("dcasgd", "dcasgd", dict(learning_rate=0.1, wd=0.01, lamda=0.1)),
    Case("dcasgd_clip", "dcasgd", dict(learning_rate=0.1, **CLIP)),
    Case("test", "test", dict(rescale_grad=0.5)),
    Case("groupadagrad", "groupadagrad", dict(learning_rate=0.1, **CLIP), shapes=[(3, 4), (2, 5)]),
]


def _flatten_state(state: Any) -> list:
    if state is None:
        return []
    if isinstance(state, (tuple, list)):
        return [a for s in state for a in _flatten_state(s)]
    return [state.asnumpy()]


def make_data(case: Case) -> Tuple[list, list]:
    """Initial weights and, per step, gradients (large enough that clipping matters)."""
    rng = np.random.RandomState(case.seed)
    shapes = case.shapes or SHAPES
    weights = [rng.uniform(-1, 1, s).astype(case.dtype) for s in shapes]
    grads = [[rng.normal(0, 0.5, s).astype(case.dtype) for s in shapes]
             for _ in range(case.steps)]
    return weights, grads


def make_optimizer(mx: Any, case: Case) -> Any:
    kwargs = dict(case.kwargs)
    if case.scheduler is not None:
        cls, sched_kwargs = case.scheduler
        kwargs["lr_scheduler"] = getattr(mx.lr_scheduler, cls)(**sched_kwargs)
    if case.idx2name is not None:
        kwargs["param_idx2name"] = case.idx2name
    opt = mx.optimizer.create(case.name, **kwargs)
    if case.lr_mult is not None:
        opt.set_lr_mult(case.lr_mult)
    if case.wd_mult is not None:
        opt.set_wd_mult(case.wd_mult)
    return opt


def run(mx: Any, case: Case) -> Dict[str, np.ndarray]:
    """Apply `case.steps` updates; return the weights after each step and the final states."""
    weights0, grads = make_data(case)
    weights = [mx.nd.array(w, dtype=case.dtype) for w in weights0]
    opt = make_optimizer(mx, case)
    out: Dict[str, np.ndarray] = {}
    if case.mode == "updater":
        updater = mx.optimizer.get_updater(opt)
        states = updater.states
    else:
        states = {i: opt.create_state_multi_precision(i, w) for i, w in enumerate(weights)}
    indices = list(range(len(weights)))
    for step, step_grads in enumerate(grads):
        nd_grads = [mx.nd.array(g, dtype=case.dtype) for g in step_grads]
        if case.mode == "updater":
            updater(indices, nd_grads, weights)
        else:
            for i in indices:
                opt.update_multi_precision(i, weights[i], nd_grads[i], states[i])
        for i, w in enumerate(weights):
            out["w%d_%d" % (step, i)] = w.asnumpy()
    for i in indices:
        for j, s in enumerate(_flatten_state(states[i])):
            out["state%d_%d" % (i, j)] = s
    out["num_update"] = np.array(opt.num_update)
    out["learning_rate"] = np.array(opt.learning_rate, dtype=np.float64)
    return out


# Learning-rate schedules: (id, scheduler class, kwargs, the num_update values it is called with).
STEPS = list(range(0, 25)) + [30, 31, 60, 100]
SCHEDULER_CASES: List[Tuple[str, str, Dict[str, Any], List[int]]] = [
    ("factor", "FactorScheduler", dict(step=3, factor=0.5, base_lr=0.1), STEPS),
    ("factor_stop", "FactorScheduler", dict(step=2, factor=0.1, stop_factor_lr=1e-4, base_lr=1.0),
     STEPS),
    ("factor_warmup", "FactorScheduler", dict(step=4, factor=0.9, base_lr=0.2, warmup_steps=5,
                                              warmup_begin_lr=0.02), STEPS),
    ("factor_jump", "FactorScheduler", dict(step=5, factor=0.5, base_lr=1.0), [0, 12, 13, 40, 3]),
    ("multifactor", "MultiFactorScheduler", dict(step=[3, 7, 20], factor=0.3, base_lr=0.5), STEPS),
    ("multifactor_warmup", "MultiFactorScheduler",
     dict(step=[8, 12], factor=0.5, base_lr=0.4, warmup_steps=6, warmup_mode="constant",
          warmup_begin_lr=0.1), STEPS),
    ("poly", "PolyScheduler", dict(max_update=20, base_lr=0.3, pwr=2), STEPS),
    ("poly_final_warmup", "PolyScheduler", dict(max_update=20, base_lr=0.3, pwr=1.5, final_lr=0.01,
                                                warmup_steps=5, warmup_begin_lr=0.05), STEPS),
    ("cosine", "CosineScheduler", dict(max_update=20, base_lr=0.3), STEPS),
    ("cosine_final_warmup", "CosineScheduler", dict(max_update=20, base_lr=0.3, final_lr=0.02,
                                                    warmup_steps=4, warmup_mode="constant",
                                                    warmup_begin_lr=0.01), STEPS),
]


def run_schedulers(mx: Any) -> Dict[str, np.ndarray]:
    """The learning rate each scheduler case returns at each of its num_update values."""
    out = {}
    for case_id, cls, kwargs, steps in SCHEDULER_CASES:
        sched = getattr(mx.lr_scheduler, cls)(**kwargs)
        out[case_id] = np.array([sched(n) for n in steps], dtype=np.float64)
    return out


# Metrics: (id, metric name or list for mx.metric.create, kwargs, kind of batch data).
METRIC_CASES: List[Tuple[str, Any, Dict[str, Any], str]] = [
    ("acc", "acc", {}, "probs"),
    ("acc_axis0", "acc", dict(axis=0), "probs_t"),
    ("acc_indices", "accuracy", {}, "indices"),
    ("top_k", "top_k_acc", dict(top_k=3), "probs"),
    ("f1", "f1", {}, "binary"),
    ("f1_micro", "f1", dict(average="micro"), "binary"),
    ("mcc", "mcc", {}, "binary"),
    ("mcc_micro", "mcc", dict(average="micro"), "binary"),
    ("mae", "mae", {}, "regression"),
    ("mse", "mse", {}, "regression"),
    ("rmse", "rmse", {}, "regression"),
    ("mse_2d", "mse", {}, "regression2d"),
    ("ce", "ce", {}, "probs"),
    ("nll", "nll_loss", dict(eps=1e-5), "probs"),
    ("perplexity", "perplexity", dict(ignore_label=None), "probs"),
    ("perplexity_ignore", "perplexity", dict(ignore_label=1), "probs"),
    ("pearsonr", "pearsonr", {}, "regression2d"),
    ("pearsonr_micro", "pearsonr", dict(average="micro"), "regression2d"),
    ("pcc", "pcc", {}, "probs"),
    ("loss", "loss", {}, "regression"),
    ("composite", ["acc", "ce", "nll_loss"], {}, "probs"),
]


def mean_abs_error(label: np.ndarray, pred: np.ndarray) -> float:
    return float(np.abs(label.reshape(pred.shape) - pred).mean())


def _metric_batch(kind: str, rng: np.random.RandomState) -> Tuple[np.ndarray, np.ndarray]:
    if kind in ("probs", "probs_t"):
        logits = rng.normal(0, 1, (7, 5))
        probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        labels = rng.randint(0, 5, 7).astype(np.float32)
        return labels, (probs.T if kind == "probs_t" else probs).astype(np.float32)
    if kind == "indices":
        return (rng.randint(0, 3, 8).astype(np.float32), rng.randint(0, 3, 8).astype(np.float32))
    if kind == "binary":
        return rng.randint(0, 2, 9).astype(np.float32), rng.uniform(0, 1, (9, 2)).astype(np.float32)
    if kind == "regression":
        return rng.normal(0, 1, 6).astype(np.float32), rng.normal(0, 1, (6, 1)).astype(np.float32)
    labels = rng.normal(0, 1, (4, 3)).astype(np.float32)
    return labels, (labels + rng.normal(0, 0.7, (4, 3))).astype(np.float32)


def _name_values(result: Tuple[Any, Any]) -> Tuple[list, list]:
    names, values = result
    if not isinstance(names, list):
        names, values = [names], [values]
    return names, [float(v) for v in values]


def run_metrics(mx: Any) -> Dict[str, np.ndarray]:
    """Each metric case: get() and get_global() after two batches, then after reset_local()
    and a third batch; plus a custom numpy metric. Values as float64, names as strings."""
    out: Dict[str, np.ndarray] = {}
    cases = METRIC_CASES + [("custom", None, {}, "regression")]
    for case_id, name, kwargs, kind in cases:
        rng = np.random.RandomState(len(case_id))
        metric = mx.metric.np(mean_abs_error) if name is None else \
            mx.metric.create(name, **kwargs)
        values, names = [], []
        for batch in range(3):
            if batch == 2:
                metric.reset_local()
            labels, preds = _metric_batch(kind, rng)
            metric.update([mx.nd.array(labels)], [mx.nd.array(preds)])
            if batch >= 1:
                for result in (metric.get(), metric.get_global()):
                    n, v = _name_values(result)
                    names += n
                    values += v
        out[case_id] = np.array(values, dtype=np.float64)
        out[case_id + "_names"] = np.array(names)
    return out


# gluon.Trainer: a two-layer MLP trained a few steps from fixed weights and batches.
@dataclass
class TrainerCase:
    id: str
    optimizer: str
    optimizer_params: Dict[str, Any] = field(default_factory=dict)
    steps: int = 3
    batch_size: int = 4
    contexts: int = 1
    kvstore: str = "device"
    update_on_kvstore: Optional[bool] = None
    # name of a parameter given grad_req='null'. (A bias: MXNet 1.9.1 quirk, freezing a
    # FullyConnected weight also zeroes its bias's gradient.)
    frozen: Optional[str] = None
    lr_mult: Optional[Dict[str, float]] = None
    wd_mult: Optional[Dict[str, float]] = None
    set_lr: Optional[float] = None  # set_learning_rate(set_lr) after the first step
    optimizer_instance: bool = False  # pass mx.optimizer.create(...) instead of its name
    # MXNet's Trainer.save_states after this step goes to golden/optimizer/<id>.states
    states_after: Optional[int] = None


TRAINER_CASES: List[TrainerCase] = [
    TrainerCase("trainer_sgd", "sgd", dict(learning_rate=0.1, momentum=0.9, wd=1e-3),
                states_after=1),
    TrainerCase("trainer_adam_mults", "adam", dict(learning_rate=0.01, wd=0.01), states_after=0,
                lr_mult={"net_dense1_weight": 0.5},
                wd_mult={"net_dense0_bias": 0.0, "net_dense1_bias": 0.0}),
    TrainerCase("trainer_frozen_set_lr", "sgd", dict(learning_rate=0.1), frozen="net_dense0_bias",
                set_lr=0.05),
    TrainerCase("trainer_rmsprop_instance", "rmsprop", dict(learning_rate=0.01, centered=True),
                optimizer_instance=True),
    TrainerCase("trainer_two_ctx_kvstore", "sgd", dict(learning_rate=0.1, momentum=0.9),
                contexts=2),
    TrainerCase("trainer_two_ctx_local", "adam", dict(learning_rate=0.01), contexts=2,
                update_on_kvstore=False),
]


def _forward_backward(mx: Any, net: Any, rng: np.random.RandomState, batch_size: int) -> np.ndarray:
    x = rng.normal(0, 1, (batch_size, 3)).astype(np.float32)
    y = rng.normal(0, 1, (batch_size, 2)).astype(np.float32)
    with mx.autograd.record():
        loss = ((net(mx.nd.array(x)) - mx.nd.array(y)) ** 2).sum()
    loss.backward()
    return loss.asnumpy()


def _write_gradients(mx: Any, params: Any, ctx: list, rng: np.random.RandomState) -> None:
    """Per-device gradients written directly (and marked fresh, as backward would): what the
    Trainer does with several devices, its kvstore reduction and update, does not depend on
    how the gradients were computed."""
    for name in sorted(params.keys()):
        param = params[name]
        if param.grad_req == "null":
            continue
        for c in ctx:
            param.grad(c)[:] = mx.nd.array(rng.normal(0, 1, param.shape), ctx=c)
            param.data(c)._fresh_grad = True


def run_trainer(mx: Any, case: TrainerCase,
                after_step: Optional[Callable[[int, Any], None]] = None) -> Dict[str, np.ndarray]:
    """Train the MLP `case.steps` steps; return losses (one device: from forward/backward
    passes; several: gradients are written directly) and every parameter after each step."""
    rng = np.random.RandomState(7)
    ctx = [mx.cpu(i) for i in range(case.contexts)]
    net = mx.gluon.nn.Sequential(prefix="net_")
    with net.name_scope():
        net.add(mx.gluon.nn.Dense(4, in_units=3, activation="tanh"))
        net.add(mx.gluon.nn.Dense(2, in_units=4))
    net.initialize(ctx=ctx)
    params = net.collect_params()
    for name in sorted(params.keys()):
        params[name].set_data(mx.nd.array(rng.uniform(-0.5, 0.5, params[name].shape)))
        if case.lr_mult and name in case.lr_mult:
            params[name].lr_mult = case.lr_mult[name]
        if case.wd_mult and name in case.wd_mult:
            params[name].wd_mult = case.wd_mult[name]
    if case.frozen:
        params[case.frozen].grad_req = "null"
    optimizer: Any = case.optimizer
    optimizer_params: Optional[Dict[str, Any]] = dict(case.optimizer_params)
    if case.optimizer_instance:
        optimizer, optimizer_params = mx.optimizer.create(case.optimizer, **case.optimizer_params), None
    trainer = mx.gluon.Trainer(params, optimizer, optimizer_params, kvstore=case.kvstore,
                               update_on_kvstore=case.update_on_kvstore)
    out: Dict[str, np.ndarray] = {}
    for step in range(case.steps):
        if case.contexts == 1:
            out["loss%d" % step] = _forward_backward(mx, net, rng, case.batch_size)
        else:
            _write_gradients(mx, params, ctx, rng)
        trainer.step(case.batch_size)
        if step == 0 and case.set_lr is not None:
            trainer.set_learning_rate(case.set_lr)
        if after_step is not None:
            after_step(step, trainer)
        for name in sorted(params.keys()):
            for k, c in enumerate(ctx):
                out["%s_%d_%d" % (name, step, k)] = params[name].data(c).asnumpy()
    out["learning_rate"] = np.array(trainer.learning_rate, dtype=np.float64)
    return out
