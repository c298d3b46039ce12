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


@pytest.fixture(scope="session")
def lenet_params(tmp_path_factory):
    """A randomly initialised LeNet saved with its card: a model file the server can load.

    Its answers are arbitrary; tests that need a trained network use the shipped one.
    """
    import mxtorch as mx
    from mxtorch import nd
    from mxtorch.apps.digits.model import ModelCard, card_path, lenet
    from mxtorch._fileio.atomic import hexdigest

    net = lenet()
    net.initialize(mx.init.Xavier(magnitude=2.24))
    net(nd.zeros((1, 1, 28, 28)))
    path = tmp_path_factory.mktemp("model") / "lenet.params"
    net.save_parameters(str(path))
    ModelCard(name="lenet", sha256=hexdigest(path), epochs=0, command="random initialisation (test)",
              params=path.name).write(card_path(path))
    return path
