import numpy as np
import pytest

from tests.apps.mnist_idx import mnist_test_set
from tests.conftest import MNIST_ROOT


@pytest.fixture(scope="session")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """The first 200 MNIST test images and labels."""
    if not (MNIST_ROOT / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found in {MNIST_ROOT}")
    return mnist_test_set(MNIST_ROOT, 200)
