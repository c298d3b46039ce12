"""The talk's worked examples of convolution and pooling (../shared/seed)."""
import numpy as np

from mxtorch import nd

TALK_INPUT = np.array([[12, 31, 12, 167, 255],
                       [45, 54, 67, 254, 254],
                       [0, 25, 238, 254, 254],
                       [10, 196, 254, 254, 251],
                       [127, 254, 254, 238, 98]], dtype=np.float32)
TALK_KERNEL = np.array([[1, 0, -1], [1, 1, 0], [-1, 0, 1]], dtype=np.float32)


def test_talk_convolution_example():
    data = nd.array(TALK_INPUT.reshape(1, 1, 5, 5))
    weight = nd.array(TALK_KERNEL.reshape(1, 1, 3, 3))
    out = nd.Convolution(data, weight, kernel=(3, 3), stride=(2, 2), pad=(1, 1), num_filter=1,
                         no_bias=True).asnumpy()
    assert out.shape == (1, 1, 3, 3)
    assert out[0, 0, 0, 1] == 243
    assert out[0, 0, 1, 0] == 142


def test_talk_convolution_example_string_attributes():
    # symbol JSON stores attributes as strings; the operator accepts them
    data = nd.array(TALK_INPUT.reshape(1, 1, 5, 5))
    weight = nd.array(TALK_KERNEL.reshape(1, 1, 3, 3))
    out = nd.Convolution(data, weight, kernel="(3, 3)", stride="(2, 2)", pad="(1, 1)",
                         num_filter="1", no_bias="True").asnumpy()
    assert out[0, 0, 1, 0] == 142


def test_talk_max_pooling_halves_height_and_width():
    data = nd.array(np.arange(2 * 3 * 8 * 6, dtype=np.float32).reshape(2, 3, 8, 6))
    out = nd.Pooling(data, pool_type="max", kernel=(2, 2), stride=(2, 2))
    assert out.shape == (2, 3, 4, 3)
    np.testing.assert_array_equal(out.asnumpy()[0, 0, 0], [7, 9, 11])
