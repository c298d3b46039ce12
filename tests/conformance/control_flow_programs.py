"""Graphs holding control flow, written once against the ``F`` interface so that MXNet 1.9.1
(gen_control_flow_json.py) and mxtorch (tests/symbol/test_control_flow_json.py) build the same
ones. Plain Python: the reference venv imports it."""


def foreach_graph(F, data, s0, w):
    """A tanh recurrence over the first axis, reading an outer weight."""
    def body(x, states):
        new = F.tanh(F.broadcast_mul(x, w) + states[0])
        return new * 2, [new]
    out, states = F.contrib.foreach(body, data, [s0])
    return [out, states[0]]


def nested_graph(F, data, s0):
    """A foreach whose body runs a foreach over the rows of each slice."""
    def inner(row, acc):
        return row + acc[0], [acc[0] + row * 0.5]

    def outer(x, states):
        rows, last = F.contrib.foreach(inner, x, [states[0]])
        return F.sum(rows, axis=0), [last[0]]
    out, states = F.contrib.foreach(outer, data, [s0])
    return [out, states[0]]


def batchnorm_graph(F, data, s0):
    """A foreach whose body holds a BatchNorm: its subgraph reads auxiliary states, which puts
    the subgraph's inputs in graph order apart from arguments-then-aux order."""
    def body(x, states):
        y = F.BatchNorm(x, name="bn") + states[0]
        return y, [y * 0.5]
    out, states = F.contrib.foreach(body, data, [s0])
    return [out, states[0]]


def while_graph(F, i, s, b):
    """Counts to 3, accumulating ``b`` into ``s``; four iterations at most."""
    outs, final = F.contrib.while_loop(lambda i, s: i < 3, lambda i, s: ([s * 2], [i + 1, s + b]),
                                       [i, s], max_iterations=4)
    return outs + final


def cond_graph(F, a, b):
    """The product when ``a`` sums to a positive number, else the difference and a square."""
    return F.contrib.cond(F.sum(a) > 0, lambda: [a * b, a + 1], lambda: [a - b, b * b])


#: case -> (builder, input shapes, inputs that get gradients, golden file stem). A case without
#: gradients is run for inference only: MXNet 1.9.1 fails the backward pass of a foreach whose body
#: holds a BatchNorm (a CachedOp output-count check), so the batchnorm case records outputs only.

#: Gradients computed but not recorded, case -> inputs. The while case's ``b``, which func reads at
#: every step: MXNet 1.9.1 keeps only the first step's share of its gradient (5 where the three
#: steps give 1 + 3 + 5 = 9), and binding ``b`` without a gradient fails there (a storage-type
#: check in its backward pass), so it is bound with one and left out of the goldens.
UNRECORDED_GRADS = {"while": ("b",)}
CASES = {
    "foreach": (foreach_graph, {"data": (4, 2, 3), "s0": (2, 3), "w": (3,)}, ("data", "s0", "w"),
                "foreach"),
    "nested": (nested_graph, {"data": (3, 2, 4), "s0": (4,)}, ("data", "s0"), "nested"),
    "batchnorm": (batchnorm_graph, {"data": (3, 2, 4), "s0": (2, 4), "bn_gamma": (4,),
                                    "bn_beta": (4,), "bn_moving_mean": (4,), "bn_moving_var": (4,)},
                  (), "batchnorm"),
    "while": (while_graph, {"i": (1,), "s": (2,), "b": (2,)}, ("s", "b"), "while"),
    "cond_pos": (cond_graph, {"a": (3,), "b": (3,)}, ("a", "b"), "cond"),
    "cond_neg": (cond_graph, {"a": (3,), "b": (3,)}, ("a", "b"), "cond"),
}

#: rows of each while-loop output that the loop fills (3 of its 4 iterations run); MXNet leaves
#: the rest uninitialized, so only these are recorded and compared
WHILE_STEPS = 3

#: the graph inputs, beyond the builder's arguments, that a case's symbol has (BatchNorm's own)
EXTRA_INPUTS = {"batchnorm": ("bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var")}


def build(F, case):
    """The case's graph as one grouped Symbol of namespace ``F`` (``mx.sym``)."""
    builder, shapes, _, _ = CASES[case]
    names = [k for k in shapes if k not in EXTRA_INPUTS.get(case, ())]
    return F.Group(builder(F, *[F.var(k) for k in names]))


def recurrent_block(gluon):
    """A HybridBlock class: a Dense layer applied step by step with a tanh state (the export
    case), for ``gluon`` of either library."""
    class Recurrent(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.dense = gluon.nn.Dense(4, flatten=False, in_units=3)

        def hybrid_forward(self, F, x, h):
            def step(d, states):
                new = F.tanh(self.dense(d) + states[0])
                return new, [new]
            out, states = F.contrib.foreach(step, x, [h])
            return out, states[0]
    return Recurrent
