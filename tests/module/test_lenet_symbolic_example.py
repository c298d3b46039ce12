"""examples/lenet_symbolic.py (the talk's first program) on a few MNIST images: it trains through
FeedForward with MXNet's log lines and draws the network. The full ten-epoch run (score > 0.98)
is the example itself: ``.venv/bin/python examples/lenet_symbolic.py``."""
import importlib.util
import logging
import shutil

import numpy as np
import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("lenet_symbolic", ROOT / "examples" / "lenet_symbolic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mnist_arrays(example):
    from tests.conftest import MNIST_ROOT
    if not (MNIST_ROOT / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found in {MNIST_ROOT}")
    return example.mx.test_utils.get_mnist(str(MNIST_ROOT))


def test_get_mnist_matches_the_notebook_layout(mnist_arrays):
    data = mnist_arrays
    assert data["train_data"].shape == (60000, 1, 28, 28) and data["test_label"].shape == (10000,)
    assert data["train_data"].dtype == np.float32 and data["train_data"].max() == 1.0
    assert data["train_label"].dtype == np.int8  # as MXNet's get_mnist
    assert data["train_label"][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert data["test_label"][:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert (data["test_label"] == 0).sum() == 980 and (data["test_label"] == 1).sum() == 1135


@pytest.mark.skipif(shutil.which("dot") is None, reason="Debian's graphviz is not installed")
def test_talk_program_trains_and_draws(example, mnist_arrays, monkeypatch, tmp_path, caplog):
    full = mnist_arrays
    small = {"train_data": full["train_data"][:300], "train_label": full["train_label"][:300],
             "test_data": full["test_data"][:200], "test_label": full["test_label"][:200]}
    monkeypatch.setattr(example.mx.test_utils, "get_mnist", lambda root: small)
    with caplog.at_level(logging.INFO):
        score = example.train(epochs=1, plot=str(tmp_path / "lenet.svg"))
    assert 0.0 <= score <= 1.0
    assert "Start training with [cpu(0)]" in caplog.text
    assert "Epoch[0] Resetting Data Iterator" in caplog.text
    assert "Epoch[0] Validation-accuracy=" in caplog.text
    assert ">Convolution<" in (tmp_path / "lenet.svg").read_text()
