import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MNIST_ROOT = pathlib.Path(os.environ.get("MXTORCH_MNIST", ROOT.parent / "shared" / "data" / "mnist"))
GOLDEN = ROOT / "tests" / "conformance" / "golden"


@pytest.fixture
def mnist_root() -> pathlib.Path:
    if not (MNIST_ROOT / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found in {MNIST_ROOT}")
    return MNIST_ROOT
