"""``mxtorch train lenet`` on a slice of MNIST: progress, checkpoints, resume, the model card."""
import json
import os

import numpy as np
import pytest

from mxtorch import gluon, nd
from mxtorch.apps import train as train_module
from mxtorch.apps.digits.model import DigitClassifier, ModelCard, ModelIntegrityError, card_path
from mxtorch._fileio.atomic import hexdigest
from mxtorch.apps.train import TrainConfig, train_lenet
from mxtorch.cli import main


@pytest.fixture
def small_mnist(monkeypatch, mnist_test):
    """Train on 192 and test on 64 real MNIST digits, as batches shaped like MNIST's own."""
    images, labels = mnist_test
    data = nd.array(images[:, :, :, None], dtype="uint8")

    def loaders(root, batch_size):
        train = gluon.data.ArrayDataset(data[:192], labels[:192].astype(np.int32))
        test = gluon.data.ArrayDataset(data[192:], labels[192:].astype(np.int32))
        return (gluon.data.DataLoader(train, batch_size=batch_size, shuffle=True, last_batch="discard"),
                gluon.data.DataLoader(test, batch_size=1000))

    monkeypatch.setattr(train_module, "_mnist_loaders", loaders)


def test_train_writes_model_card_and_checkpoint(small_mnist, tmp_path, capsys):
    out = tmp_path / "lenet.params"
    record = train_lenet(TrainConfig(epochs=2, batch_size=32, lr=0.1, out=str(out), command="test run"))
    assert record["epoch"] == 2 and len(record["history"]) == 2
    card = ModelCard.read(card_path(out))
    assert card.sha256 == hexdigest(out) and card.epochs == 2 and card.command == "test run"
    assert card.test_accuracy == pytest.approx(record["history"][-1]["test_accuracy"], abs=1e-6)
    checkpoints = tmp_path / "lenet-checkpoints"
    assert sorted(p.name for p in checkpoints.iterdir()) == ["checkpoint.json", "lenet-0002.params",
                                                             "lenet-0002.states"]
    err = capsys.readouterr().err
    assert "epoch 1/2" in err and "samples/s" in err and "test accuracy" in err
    assert DigitClassifier(out).info()["verified"] is True
    umask = os.umask(0)
    os.umask(umask)
    for path in [out, card_path(out), *checkpoints.iterdir()]:  # the umask's mode, not mkstemp's 0600
        assert (path.stat().st_mode & 0o777) == 0o666 & ~umask, path


def test_resume_continues_from_the_last_checkpoint(small_mnist, tmp_path, capsys):
    out = tmp_path / "lenet.params"
    settings = dict(batch_size=32, momentum=0.9, lr=0.02, out=str(out))
    train_lenet(TrainConfig(epochs=1, **settings))
    first = json.loads((tmp_path / "lenet-checkpoints" / "checkpoint.json").read_text())
    record = train_lenet(TrainConfig(epochs=3, resume=True, **settings))
    assert record["epoch"] == 3
    assert record["history"][0] == first["history"][0]  # epoch 1 was not trained again
    assert "resuming after epoch 1" in capsys.readouterr().err
    assert not (tmp_path / "lenet-checkpoints" / "lenet-0001.params").exists()


def test_interrupted_checkpoint_leaves_the_previous_one(small_mnist, tmp_path, monkeypatch):
    out = tmp_path / "lenet.params"
    train_lenet(TrainConfig(epochs=1, batch_size=32, out=str(out)))
    before = {p.name: p.read_bytes() for p in (tmp_path / "lenet-checkpoints").iterdir()}

    def crash(self, filename):
        with open(filename, "wb") as f:
            f.write(b"half a file")
        raise KeyboardInterrupt

    save_states = gluon.Trainer.save_states
    monkeypatch.setattr(gluon.Trainer, "save_states", crash)
    with pytest.raises(KeyboardInterrupt):
        train_lenet(TrainConfig(epochs=2, batch_size=32, out=str(out), resume=True))
    after = {p.name: p.read_bytes() for p in (tmp_path / "lenet-checkpoints").iterdir()}
    # The new epoch's parameters may be in place, but the record still names epoch 1's complete files.
    assert {k: v for k, v in after.items() if "0002" not in k} == before
    assert not [name for name in after if name.endswith(".tmp")]
    monkeypatch.setattr(gluon.Trainer, "save_states", save_states)
    record = train_lenet(TrainConfig(epochs=2, batch_size=32, out=str(out), resume=True))
    assert record["epoch"] == 2 and len(record["history"]) == 2


def test_seed_makes_a_run_reproducible(small_mnist, tmp_path):
    runs = [tmp_path / "a.params", tmp_path / "b.params"]
    for out in runs:
        train_lenet(TrainConfig(epochs=1, batch_size=32, out=str(out), seed=3))
    assert hexdigest(runs[0]) == hexdigest(runs[1])


def test_resume_without_checkpoint_is_a_clear_error(tmp_path, capsys):
    status = main(["train", "lenet", "--resume", "--out", str(tmp_path / "lenet.params"),
                   "--root", str(tmp_path)])
    assert status == 1
    assert "--resume: no checkpoint in" in capsys.readouterr().err


def test_resumed_run_equals_an_uninterrupted_one(small_mnist, tmp_path):
    whole, halves = tmp_path / "whole" / "lenet.params", tmp_path / "halves" / "lenet.params"
    train_lenet(TrainConfig(epochs=2, batch_size=32, momentum=0.9, out=str(whole), seed=5))
    train_lenet(TrainConfig(epochs=1, batch_size=32, momentum=0.9, out=str(halves), seed=5))
    # No --seed this time: the checkpoint's record keeps the run's seed.
    train_lenet(TrainConfig(epochs=2, batch_size=32, momentum=0.9, out=str(halves), resume=True))
    assert hexdigest(whole) == hexdigest(halves)


def test_resume_finishes_publishing_the_last_checkpoint(small_mnist, tmp_path, capsys):
    out = tmp_path / "lenet.params"
    train_lenet(TrainConfig(epochs=1, batch_size=32, out=str(out), seed=2))
    first = {path: path.read_bytes() for path in (out, card_path(out))}
    train_lenet(TrainConfig(epochs=2, batch_size=32, out=str(out), resume=True))
    for path, content in first.items():  # as if killed after the checkpoint, before --out
        path.write_bytes(content)
    record = train_lenet(TrainConfig(epochs=2, batch_size=32, out=str(out), resume=True))
    assert "nothing to do" in capsys.readouterr().err
    card = ModelCard.read(card_path(out))
    assert card.epochs == 2 and card.previous is None
    assert hexdigest(out) == card.sha256 == record["params_sha256"]
    assert DigitClassifier(out).info()["epochs"] == 2


def test_card_with_previous_describes_the_file_being_replaced(lenet_params, tmp_path):
    params = tmp_path / "lenet.params"
    params.write_bytes(lenet_params.read_bytes())
    old = ModelCard.read(card_path(lenet_params))
    ModelCard(name="lenet", sha256="f" * 64, epochs=7, previous=old).write(card_path(params))
    info = DigitClassifier(params).info()  # the old file is still in place: its card applies
    assert info["verified"] and info["epochs"] == old.epochs
    params.write_bytes(lenet_params.read_bytes() + b"\0")  # neither the new file nor the old one
    with pytest.raises(ModelIntegrityError, match="is damaged or was replaced"):
        DigitClassifier(params)


@pytest.mark.parametrize("record, message", [
    ("[1, 2]", "expected a JSON object"),
    ('{"epoch": 1, "history": []}', "'history' must list 1 epochs"),
    (json.dumps({"epoch": 1, "history": [{"test_accuracy": 0.5}], "params": "../../lenet.params",
                 "params_sha256": "0" * 64, "states": "lenet-0001.states", "states_sha256": "0" * 64,
                 "batch_size": 32, "lr": 0.1}), "'params' must be a file name in the checkpoint folder"),
])
def test_resume_refuses_a_damaged_record(tmp_path, capsys, record, message):
    folder = tmp_path / "lenet-checkpoints"
    folder.mkdir()
    (folder / "checkpoint.json").write_text(record)
    status = main(["train", "lenet", "--resume", "--out", str(tmp_path / "lenet.params")])
    assert status == 1
    err = capsys.readouterr().err
    assert "checkpoint record" in err and message in err


@pytest.mark.parametrize("flag, value, message", [("--epochs", "0", "--epochs must be at least 1"),
                                                  ("--batch-size", "0", "--batch-size must be at least 1"),
                                                  ("--lr", "-1", "--lr must be positive"),
                                                  ("--momentum", "1", "--momentum must be in [0, 1)"),
                                                  ("--seed", "-1", "--seed must be in [0, 2**32)"),
                                                  ("--out", "lenet.json", "overwritten by its own card")])
def test_bad_settings_are_refused(flag, value, message, capsys):
    assert main(["train", "lenet", flag, value]) == 1
    assert message in capsys.readouterr().err
