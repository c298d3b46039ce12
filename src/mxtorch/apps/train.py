"""``mxtorch train lenet``: the talk's Gluon training loop, with progress, evaluation and checkpoints.

Checkpoints follow MXNet's naming (``lenet-0003.params``, ``lenet-0003.states``) in a checkpoint
folder, with ``checkpoint.json`` saying which epoch is the last complete one. Every file is written
to a temporary name and renamed into place, and ``checkpoint.json`` is renamed last, so a run
interrupted at any moment leaves the previous checkpoint intact for ``--resume``.

``--out`` and its card are a copy of the last checkpoint, published after it (see :func:`_publish`):
a run killed at any moment leaves an ``--out`` that matches its card, possibly one epoch behind the
checkpoint, and ``--resume`` first brings it up to date. Each run starts by deleting what killed runs
left behind (temporary files, checkpoints no record names).

Each epoch's random numbers (the shuffling of the data) come from the run's seed and the epoch's
number, and the seed is kept in the record (one is drawn when ``--seed`` is not given), so a
resumed run ends with the parameters an uninterrupted run would have.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import pathlib
import re
import secrets
import shutil
import sys
import time
from typing import Any

import numpy as np
from tqdm import tqdm

import mxtorch as mx
from mxtorch import autograd, gluon
from mxtorch._fileio.atomic import atomic_output, hexdigest, stale_temporaries
from mxtorch.base import MXNetError

from .digits.model import ModelCard, card_path, lenet

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
        if self.seed is not None and not 0 <= self.seed < 2 ** 32:
            raise ValueError(f"--seed must be in [0, 2**32), got {self.seed}")
        if card_path(self.out_path) == self.out_path:
            raise ValueError(f"--out {self.out} would be overwritten by its own card; give the parameter "
                             f"file another suffix, such as .params")

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
        mx.random.seed(config.seed)  # initialisation (each epoch is seeded on its own below)
        np.random.seed(config.seed)
    net = lenet()
    net.initialize(mx.init.Xavier(magnitude=2.24), ctx=ctx)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": config.lr, "momentum": config.momentum})
    if config.resume:
        record = _resume(config, net, trainer, ctx)
        _remove_leftovers(config, record)
        _publish(config, record)  # finishes the write of --out that a killed run began
    else:
        record = _fresh_record(config)
        _remove_leftovers(config, None)  # the old checkpoint, if any, stands until the first new one
    if record["epoch"] >= config.epochs:
        print(f"already trained {record['epoch']} epochs (--epochs {config.epochs}); nothing to do",
              file=sys.stderr)
        return record
    train_data, test_data = _mnist_loaders(config.root, config.batch_size)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for epoch in range(record["epoch"], config.epochs):
        _seed_epoch(record["seed"], epoch)
        stats = _train_epoch(net, trainer, loss_fn, train_data, ctx, epoch, config.epochs)
        stats["test_accuracy"] = evaluate_accuracy(net, test_data, ctx)
        record["history"].append(stats)
        record["epoch"] = epoch + 1
        _save_checkpoint(config, net, trainer, record)
        _publish(config, record)
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
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _fresh_record(config: TrainConfig) -> dict[str, Any]:
    seed = config.seed if config.seed is not None else secrets.randbits(32)
    return {"epoch": 0, "history": [], "batch_size": config.batch_size, "lr": config.lr,
            "seed": seed, "command": config.command}


def _seed_epoch(seed: int, epoch: int) -> None:
    """Seed numpy (the DataLoader's shuffling) and mxtorch for one epoch, from the run's seed.

    Each epoch's random numbers depend on the seed and the epoch's number alone, so an epoch run
    after ``--resume`` draws what it would have drawn in an uninterrupted run.
    """
    numpy_seed, mx_seed = np.random.SeedSequence([seed, epoch]).generate_state(2)
    np.random.seed(int(numpy_seed))
    mx.random.seed(int(mx_seed))


def _checkpoint_names(config: TrainConfig, epoch: int) -> tuple[str, str]:
    stem = config.out_path.stem
    return f"{stem}-{epoch:04d}.params", f"{stem}-{epoch:04d}.states"


def _save_checkpoint(config: TrainConfig, net: gluon.Block, trainer: gluon.Trainer,
                     record: dict[str, Any]) -> None:
    """Write the epoch's parameters and trainer state, then commit them by replacing the record."""
    folder = config.checkpoint_path
    folder.mkdir(parents=True, exist_ok=True)
    params_name, states_name = _checkpoint_names(config, record["epoch"])
    params, states = folder / params_name, folder / states_name
    with atomic_output(params) as tmp:
        net.save_parameters(tmp)
    with atomic_output(states) as tmp:
        trainer.save_states(tmp)
    record.update(params=params_name, states=states_name, params_sha256=hexdigest(params),
                  states_sha256=hexdigest(states))
    with atomic_output(folder / CHECKPOINT_RECORD) as tmp:
        pathlib.Path(tmp).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    # Only now, with the new record in place, are the files of earlier checkpoints no longer needed.
    _remove_leftovers(config, record)


def _remove_leftovers(config: TrainConfig, record: dict[str, Any] | None) -> None:
    """Delete what interrupted runs left: temporaries of dead writers, unrecorded checkpoints.

    Only files this command writes are touched: in ``--out``'s folder the temporaries of ``--out``
    and its card; in the checkpoint folder the temporaries of the record and of checkpoint files
    (``STEM-NNNN.params``, ``STEM-NNNN.states``), and, when ``record`` is given, the checkpoint
    files it does not name.
    """
    out = config.out_path
    folder = config.checkpoint_path
    checkpoint_file = re.compile(rf"{re.escape(out.stem)}-\d{{4,}}\.(params|states)")
    for path, name in stale_temporaries(out.parent):
        if name in (out.name, card_path(out).name):
            path.unlink(missing_ok=True)
    for path, name in stale_temporaries(folder):
        if name == CHECKPOINT_RECORD or checkpoint_file.fullmatch(name):
            path.unlink(missing_ok=True)
    if record is not None and folder.is_dir():
        keep = {record.get("params"), record.get("states")}
        for path in folder.iterdir():
            if checkpoint_file.fullmatch(path.name) and path.name not in keep and path.is_file():
                path.unlink(missing_ok=True)


def _read_record(folder: pathlib.Path) -> dict[str, Any] | None:
    """The checkpoint record in ``folder`` (None when there is none), checked field by field."""
    path = folder / CHECKPOINT_RECORD
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise MXNetError(f"checkpoint record {path} is not valid JSON: {err}") from None
    problem = _record_problem(record)
    if problem:
        raise MXNetError(f"checkpoint record {path} is damaged: {problem}")
    return record


def _record_problem(record: Any) -> str | None:
    """What is wrong with a checkpoint record read from disk, or None."""
    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    epoch, history = record.get("epoch"), record.get("history")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 1:
        return f"'epoch' must be a whole number of at least 1, got {epoch!r}"
    if not isinstance(history, list) or len(history) != epoch:
        return f"'history' must list {epoch} epochs"
    if not all(isinstance(h, dict) and number(h.get("test_accuracy")) for h in history):
        return "every 'history' entry needs a numeric 'test_accuracy'"
    for key in ("params", "states"):
        name = record.get(key)
        if not isinstance(name, str) or not name or name.startswith(".") or pathlib.Path(name).name != name:
            return f"{key!r} must be a file name in the checkpoint folder, got {name!r}"
        digest = record.get(f"{key}_sha256")
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            return f"'{key}_sha256' must be 64 hexadecimal digits, got {digest!r}"
    if not isinstance(record.get("batch_size"), int) or not number(record.get("lr")):
        return "'batch_size' and 'lr' must be numbers"
    seed = record.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2 ** 32):
        return f"'seed' must be a whole number in [0, 2**32), got {seed!r}"
    return None


def _resume(config: TrainConfig, net: gluon.Block, trainer: gluon.Trainer, ctx: mx.Context) -> dict:
    folder = config.checkpoint_path
    record = _read_record(folder)
    if record is None:
        raise FileNotFoundError(f"--resume: no checkpoint in {folder} (no {CHECKPOINT_RECORD}); "
                                f"start without --resume, or point --checkpoint-dir at the right folder")
    params, states = folder / record["params"], folder / record["states"]
    for path, key in ((params, "params_sha256"), (states, "states_sha256")):
        if not path.is_file() or hexdigest(path) != record[key]:
            raise MXNetError(f"--resume: checkpoint file {path} is missing or does not match "
                             f"{folder / CHECKPOINT_RECORD}")
    net.load_parameters(str(params), ctx=ctx)
    trainer.load_states(str(states))
    if (record["batch_size"], record["lr"]) != (config.batch_size, config.lr):
        print(f"resuming with batch size {config.batch_size} and lr {config.lr} (the checkpoint was "
              f"trained with {record['batch_size']} and {record['lr']})", file=sys.stderr)
        record.update(batch_size=config.batch_size, lr=config.lr)
    if record.get("seed") is None or (config.seed is not None and config.seed != record["seed"]):
        if record.get("seed") is not None:
            print(f"resuming with seed {config.seed} (the checkpoint was trained with {record['seed']})",
                  file=sys.stderr)
        record["seed"] = config.seed if config.seed is not None else secrets.randbits(32)
    trainer.set_learning_rate(config.lr)  # the loaded states carry the optimizer's old rate
    print(f"resuming after epoch {record['epoch']} from {params}", file=sys.stderr)
    return record


def _publish(config: TrainConfig, record: dict[str, Any]) -> None:
    """Make ``--out`` and its card the checkpoint ``record`` names, whatever state they are in.

    ``--out`` becomes a copy of the checkpoint's parameter file. The card is written first, naming
    the new file and carrying the card of the file it replaces as ``previous``; then the new file is
    renamed into place; then the card is written without ``previous``. Wherever a run is stopped,
    the parameter file present matches its card (see :mod:`.digits.model`), and running this again
    finishes the job. When ``--out`` and its card already describe the checkpoint, nothing is written.
    """
    out, card_file = config.out_path, card_path(config.out_path)
    digest = record["params_sha256"]
    present = hexdigest(out) if out.is_file() else None
    try:
        card = ModelCard.read(card_file) if card_file.is_file() else None
    except ValueError:  # a damaged card is about to be replaced
        card = None
    if present == digest and card is not None and card.sha256 == digest and card.previous is None:
        return
    replaced = card.describing(present) if card is not None and present not in (None, digest) else None
    if replaced is not None:
        replaced = dataclasses.replace(replaced, previous=None)
    new = ModelCard(name=out.stem, sha256=digest,
                    test_accuracy=round(record["history"][-1]["test_accuracy"], 6),
                    epochs=record["epoch"], command=config.command,
                    date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    params=out.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    dataclasses.replace(new, previous=replaced).write(card_file)
    if present != digest:
        source = config.checkpoint_path / record["params"]
        with atomic_output(out) as tmp:
            shutil.copyfile(source, tmp)
            if hexdigest(tmp) != digest:
                raise MXNetError(f"checkpoint file {source} changed while it was copied to {out}")
    if replaced is not None:
        new.write(card_file)
