"""The talk's Gluon LeNet, its model card, and the loaded classifier the web app serves.

A trained model is two files side by side: ``NAME.params`` (MXNet's format, written by
``save_parameters``) and ``NAME.json``, its card (test accuracy, epochs, the command that trained
it, date, and the sha256 of the ``.params`` file). Loading checks the sha256 against the card, so
a damaged or substituted parameter file is refused instead of serving wrong answers.

Two files cannot be renamed into place at once, so a writer replacing a model (``mxtorch train``)
first writes a card for the new file that also carries the old file's card as ``previous``, then
renames the new parameter file into place, then drops ``previous``. Whenever the writer stops, the
parameter file present matches the card or the card's ``previous``, and loading takes whichever
one describes it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import threading
from typing import Any

import numpy as np

import mxtorch as mx
from mxtorch import gluon, nd
from mxtorch._fileio.atomic import atomic_output, hexdigest

__all__ = ["lenet", "ModelCard", "ModelIntegrityError", "DigitClassifier", "SHIPPED_PARAMS", "card_path"]

SHIPPED_PARAMS = pathlib.Path(__file__).resolve().parent / "lenet.params"


def lenet(num_outputs: int = 10, num_fc: int = 512) -> gluon.nn.HybridSequential:
    """The LeNet of the talk, in Gluon: two 5x5 convolutions with max pooling, two dense layers.

    Parameters
    ----------
    num_outputs : int, default 10
        Number of classes.
    num_fc : int, default 512
        Units of the hidden dense layer.

    Returns
    -------
    gluon.nn.HybridSequential
        The network, not yet initialised. Input: ``(batch_size, 1, 28, 28)``;
        output: ``(batch_size, num_outputs)`` scores (before softmax).
    """
    net = gluon.nn.HybridSequential()
    with net.name_scope():
        net.add(gluon.nn.Conv2D(channels=20, kernel_size=5, activation="relu"))
        net.add(gluon.nn.MaxPool2D(pool_size=2, strides=2))
        net.add(gluon.nn.Conv2D(channels=50, kernel_size=5, activation="relu"))
        net.add(gluon.nn.MaxPool2D(pool_size=2, strides=2))
        net.add(gluon.nn.Flatten())
        net.add(gluon.nn.Dense(num_fc, activation="relu"))
        net.add(gluon.nn.Dense(num_outputs))
    return net


class ModelIntegrityError(mx.MXNetError):
    """A parameter file does not match the sha256 its model card records."""


@dataclasses.dataclass
class ModelCard:
    """What is known about a trained parameter file (``NAME.json`` beside ``NAME.params``)."""

    name: str
    sha256: str
    test_accuracy: float | None = None
    epochs: int | None = None
    command: str | None = None
    date: str | None = None
    params: str | None = None  # the parameter file's name, relative to the card
    # While a new parameter file replaces an old one: the old file's card (see the module's docstring).
    previous: ModelCard | None = None

    @classmethod
    def read(cls, path: pathlib.Path) -> "ModelCard":
        """Read a card; raises ValueError naming the file when it is not a valid card."""
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
            card = cls._from_fields(fields)
            if card.previous is not None:
                card.previous = cls._from_fields(card.previous)
                card.previous.previous = None  # one replacement at a time: older cards are not kept
            return card
        except (ValueError, TypeError) as err:
            raise ValueError(f"{path} is not a valid model card (a JSON object with 'name' and "
                             f"'sha256'): {err}") from None

    @classmethod
    def _from_fields(cls, fields: Any) -> "ModelCard":
        if not isinstance(fields, dict):
            raise TypeError(f"expected a JSON object, got {type(fields).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        card = cls(**{k: v for k, v in fields.items() if k in known})
        if not isinstance(card.sha256, str):
            raise TypeError(f"'sha256' must be a string, got {type(card.sha256).__name__}")
        return card

    def describing(self, sha256: str) -> "ModelCard | None":
        """The card for the file whose sha256 is given: this one, its ``previous``, or None."""
        if self.sha256 == sha256:
            return self
        if self.previous is not None and self.previous.sha256 == sha256:
            return self.previous
        return None

    def write(self, path: pathlib.Path) -> None:
        """Write the card atomically."""
        with atomic_output(path) as tmp:
            pathlib.Path(tmp).write_text(json.dumps(dataclasses.asdict(self), indent=2) + "\n",
                                         encoding="utf-8")


def card_path(params: pathlib.Path) -> pathlib.Path:
    """The card that belongs to a parameter file: same folder and name, ``.json`` suffix."""
    return params.with_suffix(".json")


class DigitClassifier:
    """A LeNet loaded once from a parameter file, safe to call from many threads.

    Parameters
    ----------
    params : str or pathlib.Path, default the shipped ``lenet.params``
        Parameter file written by ``save_parameters``. When a card (``.json`` with the same name)
        sits beside it, the file's sha256 must match the card's; the shipped model must have its card.
    ctx : Context, default mx.cpu()
        Where the network runs.

    Raises
    ------
    FileNotFoundError
        When the parameter file does not exist.
    ModelIntegrityError
        When the file's sha256 differs from the one its card records, or the shipped model's card
        is missing.
    """

    def __init__(self, params: str | os.PathLike | None = None, ctx: mx.Context | None = None):
        self.params_path = pathlib.Path(params) if params is not None else SHIPPED_PARAMS
        self.ctx = ctx if ctx is not None else mx.cpu()
        if not self.params_path.is_file():
            raise FileNotFoundError(f"model parameter file {self.params_path} does not exist; train one "
                                    f"with `mxtorch train lenet --out {self.params_path}`")
        self.sha256 = hexdigest(self.params_path)
        self.card = self._verified_card(required=params is None)
        self.net = lenet()
        self.net.load_parameters(str(self.params_path), ctx=self.ctx)
        # One forward pass at a time: the network and the autograd state are shared.
        self._lock = threading.Lock()

    def _verified_card(self, required: bool) -> ModelCard | None:
        path = card_path(self.params_path)
        if not path.is_file():
            if required:
                raise ModelIntegrityError(f"refusing to load {self.params_path}: its model card {path} "
                                          f"(which records the sha256 to check) is missing")
            return None
        card = ModelCard.read(path)
        described = card.describing(self.sha256)
        if described is None:
            raise ModelIntegrityError(
                f"refusing to load {self.params_path}: its sha256 is {self.sha256} but {path} records "
                f"{card.sha256}; the file is damaged or was replaced. Reinstall mxtorch, or retrain with "
                f"`mxtorch train lenet --out {self.params_path}` (which writes both files).")
        return described

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities for a batch of preprocessed digits.

        Parameters
        ----------
        images : numpy.ndarray
            ``(batch_size, 28, 28)`` float32 in [0, 1], white digits on black.

        Returns
        -------
        numpy.ndarray
            ``(batch_size, 10)`` float32 probabilities (softmax of the network's scores).
        """
        data = nd.array(images[:, None, :, :], ctx=self.ctx, dtype="float32")
        with self._lock:
            probs = nd.softmax(self.net(data), axis=-1).asnumpy()
        return probs

    def info(self) -> dict[str, Any]:
        """Name, accuracy, sha256 and provenance, as ``GET /api/model`` reports them."""
        card = self.card
        return {
            "name": card.name if card else self.params_path.stem,
            "params": self.params_path.name,
            "sha256": self.sha256,
            "verified": card is not None,
            "test_accuracy": card.test_accuracy if card else None,
            "epochs": card.epochs if card else None,
            "date": card.date if card else None,
            "command": card.command if card else None,
            "context": str(self.ctx),
        }
