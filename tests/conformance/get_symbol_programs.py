"""Recorded computations for autograd.get_symbol, run by MXNet 1.9.1 (gen_get_symbol.py) and by
mxtorch (tests/test_get_symbol.py). Plain Python: the reference venv imports it."""


def _dense_relu(nd, autograd):
    x = nd.ones((2, 3))
    x.attach_grad()
    w = nd.ones((4, 3))
    with autograd.record():
        y = nd.FullyConnected(x, w, num_hidden=4, no_bias=True)
        return nd.relu(y) * 2 + x.sum()


def _split_concat(nd, autograd):
    x = nd.arange(12).reshape((2, 6))
    x.attach_grad()
    with autograd.record():
        a, b, c = nd.split(x, num_outputs=3, axis=1)
        return nd.concat(c, a, dim=1) - b.mean()


def _shared_input(nd, autograd):
    x = nd.array([[1.0, -2.0], [3.0, 4.0]])
    x.attach_grad()
    with autograd.record():
        h = nd.tanh(x)
        return nd.dot(h, h, transpose_b=True) + nd.exp(x)


PROGRAMS = {"dense_relu": _dense_relu, "split_concat": _split_concat, "shared_input": _shared_input}
