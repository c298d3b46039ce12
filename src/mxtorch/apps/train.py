"""``mxtorch train lenet``: the talk's Gluon training loop, with progress, evaluation and checkpoints.

Checkpoints follow MXNet's naming (``lenet-0003.params``, ``lenet-0003.states``) in a checkpoint
folder, with ``checkpoint.json`` saying which epoch is the last complete one. Every file is written
to a temporary name and renamed into place, and ``checkpoint.json`` is renamed last, so a run
interrupted at any moment leaves the previous checkpoint intact for ``--resume``.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import os
import pathlib
import sys
import time
from typing import Any

import numpy as np
from tqdm import tqdm

import mxtorch as mx
from mxtorch import autograd, gluon

from .digits.model import ModelCard, card_path, lenet
from .files import atomic_output, sha256_of

__all__ = ["TrainConfig", "train_lenet", "evaluate_accuracy"]

CHECKPOINT_RECORD = "checkpoint.json"


@dataclasses.dataclass
class TrainConfig:
    """Settings of one ``mxtorch train lenet`` run (the command's flags)."""

    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.1
    momentum: float = 0.0
    root: str | None = None
    out: str = "lenet.params"
    checkpoint_dir: str | None = None
    ctx: Any = None
    resume: bool = False
    seed: int | None = None
    command: str = "mxtorch train lenet"

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"--lr must be positive, got {self.lr}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"--momentum must be in [0, 1), got {self.momentum}")

    @property
    def out_path(self) -> pathlib.Path:
        """The parameter file to write (its card goes beside it)."""
        return pathlib.Path(self.out)

    @property
    def checkpoint_path(self) -> pathlib.Path:
        """The checkpoint folder: ``checkpoint_dir``, else ``<out's folder>/<out's stem>-checkpoints``."""
        if self.checkpoint_dir is not None:
            return pathlib.Path(self.checkpoint_dir)
        return self.out_path.parent / f"{self.out_path.stem}-checkpoints"


def train_lenet(config: TrainConfig) -> dict[str, Any]:
    """Train the talk's LeNet on MNIST and write ``config.out`` with its model card.

    Parameters
    ----------
    config : TrainConfig
        Epochs, batch size, learning rate, data folder, output file, context, resume flag.

    Returns
    -------
    dict
        The final checkpoint record: ``epoch``, ``history`` (per-epoch loss and accuracies), ...
    """
    ctx = config.ctx if config.ctx is not None else mx.cpu()
    if config.seed is not None:
        mx.random.seed(config.seed)  # initialisation
        np.random.seed(config.seed)  # the DataLoader's shuffling, as in MXNet
    net = lenet()
    net.initialize(mx.init.Xavier(magnitude=2.24), ctx=ctx)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": config.lr, "momentum": config.momentum})
    record = _resume(config, net, trainer, ctx) if config.resume else _fresh_record(config)
    if record["epoch"] >= config.epochs:
        print(f"already trained {record['epoch']} epochs (--epochs {config.epochs}); nothing to do",
              file=sys.stderr)
        return record
    train_data, test_data = _mnist_loaders(config.root, config.batch_size)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for epoch in range(record["epoch"], config.epochs):
        stats = _train_epoch(net, trainer, loss_fn, train_data, ctx, epoch, config.epochs)
        stats["test_accuracy"] = evaluate_accuracy(net, test_data, ctx)
        record["history"].append(stats)
        record["epoch"] = epoch + 1
        _save_checkpoint(config, net, trainer, record)
        _write_output(config, net, record)
        print(f"epoch {epoch + 1}/{config.epochs}: loss {stats['loss']:.4f}, train accuracy "
              f"{stats['train_accuracy']:.4f}, test accuracy {stats['test_accuracy']:.4f}, "
              f"{stats['seconds']:.1f} s ({stats['samples_per_second']:.0f} samples/s)", file=sys.stderr)
    print(f"wrote {config.out_path} and {card_path(config.out_path)}", file=sys.stderr)
    return record


def _mnist_loaders(root: str | None, batch_size: int) -> tuple[gluon.data.DataLoader, gluon.data.DataLoader]:
    vision = gluon.data.vision
    kwargs = {} if root is None else {"root": root}
    train = vision.MNIST(train=True, **kwargs)
    test = vision.MNIST(train=False, **kwargs)
    # No per-sample transform: batches are gathered whole and converted with one ToTensor per batch.
    return (gluon.data.DataLoader(train, batch_size=batch_size, shuffle=True, last_batch="discard"),
            gluon.data.DataLoader(test, batch_size=1000, shuffle=False))


_to_tensor = gluon.data.vision.transforms.ToTensor()


def _batch(data: mx.nd.NDArray, label: mx.nd.NDArray, ctx: mx.Context) -> tuple[mx.nd.NDArray, mx.nd.NDArray]:
    """A batch of uint8 (N, 28, 28, 1) images -> float32 (N, 1, 28, 28) in [0, 1] on ``ctx``."""
    return _to_tensor(data.as_in_context(ctx)), label.as_in_context(ctx).astype("float32")


def _train_epoch(net: gluon.Block, trainer: gluon.Trainer, loss_fn: gluon.loss.Loss,
                 train_data: gluon.data.DataLoader, ctx: mx.Context, epoch: int, epochs: int) -> dict:
    metric = mx.metric.Accuracy()
    moving_loss, seen, start = None, 0, time.perf_counter()
    with tqdm(train_data, desc=f"epoch {epoch + 1}/{epochs}", unit="batch", leave=True,
              dynamic_ncols=True, file=sys.stderr) as bar:
        for data, label in bar:
            data, label = _batch(data, label, ctx)
            with autograd.record():
                output = net(data)
                loss = loss_fn(output, label)
            loss.backward()
            trainer.step(data.shape[0])
            metric.update([label], [output])
            current = float(loss.mean().asscalar())
            # The talk's smoothed loss: an exponential moving average with weight .01.
            moving_loss = current if moving_loss is None else 0.99 * moving_loss + 0.01 * current
            seen += data.shape[0]
            bar.set_postfix(loss=f"{moving_loss:.4f}", acc=f"{metric.get()[1]:.4f}",
                            speed=f"{seen / (time.perf_counter() - start):.0f} samples/s", refresh=False)
    seconds = time.perf_counter() - start
    return {"epoch": epoch + 1, "loss": moving_loss, "train_accuracy": metric.get()[1],
            "seconds": seconds, "samples_per_second": seen / seconds}


def evaluate_accuracy(net: gluon.Block, data: gluon.data.DataLoader, ctx: mx.Context) -> float:
    """Accuracy of ``net`` over a DataLoader of MNIST batches (uint8 images, labels)."""
    metric = mx.metric.Accuracy()
    for images, label in data:
        images, label = _batch(images, label, ctx)
        metric.update([label], [net(images)])
    return float(metric.get()[1])


# -- checkpoints ---------------------------------------------------------------------------------
def _fresh_record(config: TrainConfig) -> dict[str, Any]:
    return {"epoch": 0, "history": [], "batch_size": config.batch_size, "lr": config.lr,
            "command": config.command}


def _save_checkpoint(config: TrainConfig, net: gluon.Block, trainer: gluon.Trainer,
                     record: dict[str, Any]) -> None:
    folder = config.checkpoint_path
    folder.mkdir(parents=True, exist_ok=True)
    stem = config.out_path.stem
    params = folder / f"{stem}-{record['epoch']:04d}.params"
    states = folder / f"{stem}-{record['epoch']:04d}.states"
    with atomic_output(params) as tmp:
        net.save_parameters(tmp)
    with atomic_output(states) as tmp:
        trainer.save_states(tmp)
    record.update(params=params.name, states=states.name, params_sha256=sha256_of(params),
                  states_sha256=sha256_of(states))
    previous = _read_record(folder)
    with atomic_output(folder / CHECKPOINT_RECORD) as tmp:
        pathlib.Path(tmp).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    # Only now, with the new record in place, is the previous checkpoint no longer needed.
    if previous is not None and previous.get("params") != params.name:
        for name in (previous.get("params"), previous.get("states")):
            if name and (folder / name).exists():
                os.unlink(folder / name)


def _read_record(folder: pathlib.Path) -> dict[str, Any] | None:
    path = folder / CHECKPOINT_RECORD
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ValueError(f"checkpoint record {path} is not valid JSON: {err}") from None


def _resume(config: TrainConfig, net: gluon.Block, trainer: gluon.Trainer, ctx: mx.Context) -> dict:
    folder = config.checkpoint_path
    record = _read_record(folder)
    if record is None:
        raise FileNotFoundError(f"--resume: no checkpoint in {folder} (no {CHECKPOINT_RECORD}); "
                                f"start without --resume, or point --checkpoint-dir at the right folder")
    params, states = folder / record["params"], folder / record["states"]
    for path, key in ((params, "params_sha256"), (states, "states_sha256")):
        if not path.is_file() or sha256_of(path) != record[key]:
            raise ValueError(f"--resume: checkpoint file {path} is missing or does not match "
                             f"{folder / CHECKPOINT_RECORD}")
    net.load_parameters(str(params), ctx=ctx)
    trainer.load_states(str(states))
    if (record["batch_size"], record["lr"]) != (config.batch_size, config.lr):
        print(f"resuming with batch size {config.batch_size} and lr {config.lr} (the checkpoint was "
              f"trained with {record['batch_size']} and {record['lr']})", file=sys.stderr)
        record.update(batch_size=config.batch_size, lr=config.lr)
    trainer.set_learning_rate(config.lr)  # the loaded states carry the optimizer's old rate
    print(f"resuming after epoch {record['epoch']} from {params}", file=sys.stderr)
    record.setdefault("history", [])
    return record


def _write_output(config: TrainConfig, net: gluon.Block, record: dict[str, Any]) -> None:
    """Write the parameter file and, after it, its card (so a card always names a complete file)."""
    out = config.out_path
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(out) as tmp:
        net.save_parameters(tmp)
    last = record["history"][-1]
    ModelCard(name=out.stem, sha256=sha256_of(out), test_accuracy=round(last["test_accuracy"], 6),
              epochs=record["epoch"], command=config.command,
              date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              params=out.name).write(card_path(out))
