"""Fuzz target: optimizer-state files (``Trainer.load_states``, ``Module.load_optimizer_states``).

The bytes go to ``Updater.set_states``, the one reader behind those entry points and the train
command's checkpoints. Seeds are small states files written by MXNet 1.9.1 and by mxtorch.
"""
from __future__ import annotations

import pathlib

from mxtorch import optimizer as opt
from mxtorch.base import MXNetError

NAME = "states"
REFUSALS = (MXNetError,)
DICTIONARY = (b"mxnet.ndarray.ndarray", b"NDArray", b"builtins", b"bytearray", b"handle",
              b"mxnet.optimizer.optimizer", b"SGD", b"Adam", b"mxnet.lr_scheduler",
              b"FactorScheduler", b"lr_scheduler", b"\xc9\xfa\x93\xf9", b"\x80\x04", b"\x93",
              b"\x81", b"R", b"b", b"os", b"system", b"posix")
_GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "conformance" / "golden" / "states"
_SEEDS = ("mx_sgd_momentum_trainer", "mx_adam_factor_trainer", "mx_sgd_module",
          "mxt_nag_multifactor", "mxt_sgd_fp16_multi_precision_cosine", "mxt_adam_states_only")


def seeds() -> list:
    return [(_GOLDEN / f"{stem}.states").read_bytes() for stem in _SEEDS]


def run(data: bytes) -> None:
    updater = opt.get_updater(opt.SGD(momentum=0.9))
    updater.set_states(data)
