import numpy as np
import pytest

import mxtorch as mx
from mxtorch import nd


def test_comparisons_accept_ndarrays_and_numpy():
    a = nd.array([1.0, 2.0])
    assert mx.test_utils.same(a, np.array([1.0, 2.0]))
    assert not mx.test_utils.same(a, np.array([1.0, 2.5]))
    assert mx.test_utils.almost_equal(a, np.array([1.0, 2.0 + 1e-7]))
    # MXNet's dtype tolerances: float32 allows 1e-4 relative, float64 1e-5, integers none
    assert mx.test_utils.almost_equal(a, nd.array([1.0, 2.0002]))
    assert not mx.test_utils.almost_equal(np.array([1.0, 2.0]), np.array([1.0, 2.0002]))
    assert not mx.test_utils.almost_equal(np.array([1, 2]), np.array([1, 3]), rtol=None)
    assert mx.test_utils.get_tols(np.float16(1), np.float64(1), None, None) == (1e-2, 1e-1)
    mx.test_utils.assert_almost_equal(a, a.asnumpy())
    with pytest.raises(AssertionError, match="a vs b"):
        mx.test_utils.assert_almost_equal(a, np.array([1.0, 3.0]))


def test_get_mnist_missing_folder_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr("mxtorch.gluon.data.vision.datasets.download",
                        lambda *a, **k: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(mx.MXNetError, match="train-labels-idx1-ubyte"):
        mx.test_utils.get_mnist(str(tmp_path))
