"""Symbol-building programs run by both MXNet 1.9.1 (tests/conformance/gen_symbol.py) and mxtorch.

Each case is source code using ``mx`` that leaves the symbol in ``out``; it runs inside a fresh
``mx.name.NameManager()`` so automatic names start from 0. ``shapes`` are passed to infer_shape,
``partial`` to infer_shape_partial and ``types`` to infer_type.
"""

LENET = """
data = mx.sym.Variable('data')
conv1 = mx.sym.Convolution(data=data, kernel=(5,5), num_filter=20)
tanh1 = mx.sym.Activation(data=conv1, act_type="tanh")
pool1 = mx.sym.Pooling(data=tanh1, pool_type="max", kernel=(2,2), stride=(2,2))
conv2 = mx.sym.Convolution(data=pool1, kernel=(5,5), num_filter=50)
tanh2 = mx.sym.Activation(data=conv2, act_type="tanh")
pool2 = mx.sym.Pooling(data=tanh2, pool_type="max", kernel=(2,2), stride=(2,2))
flatten = mx.sym.Flatten(data=pool2)
fc1 = mx.symbol.FullyConnected(data=flatten, num_hidden=500)
tanh3 = mx.sym.Activation(data=fc1, act_type="tanh")
fc2 = mx.sym.FullyConnected(data=tanh3, num_hidden=10)
out = mx.sym.SoftmaxOutput(data=fc2, name='softmax')
"""

# A LeNet small enough for committed checkpoints (about 5k parameters).
SMALL_LENET = """
data = mx.sym.Variable('data')
conv1 = mx.sym.Convolution(data=data, kernel=(5,5), num_filter=4, name='conv1')
tanh1 = mx.sym.Activation(data=conv1, act_type="tanh", name='tanh1')
pool1 = mx.sym.Pooling(data=tanh1, pool_type="max", kernel=(2,2), stride=(2,2), name='pool1')
conv2 = mx.sym.Convolution(data=pool1, kernel=(5,5), num_filter=8, name='conv2')
bn2 = mx.sym.BatchNorm(data=conv2, fix_gamma=False, name='bn2')
tanh2 = mx.sym.Activation(data=bn2, act_type="tanh", name='tanh2')
pool2 = mx.sym.Pooling(data=tanh2, pool_type="max", kernel=(2,2), stride=(2,2), name='pool2')
flatten = mx.sym.Flatten(data=pool2, name='flatten')
fc1 = mx.symbol.FullyConnected(data=flatten, num_hidden=32, name='fc1')
tanh3 = mx.sym.Activation(data=fc1, act_type="tanh", name='tanh3')
fc2 = mx.sym.FullyConnected(data=tanh3, num_hidden=10, name='fc2')
out = mx.sym.SoftmaxOutput(data=fc2, name='softmax')
"""

CASES = {
    "lenet": {"code": LENET, "shapes": {"data": [2, 1, 28, 28]},
              "partial": {"data": [0, 1, 28, 28]}, "types": {"data": "float32"}},
    "small_lenet": {"code": SMALL_LENET, "shapes": {"data": [2, 1, 28, 28]},
                    "types": {"data": "float32"}},
    "arithmetic": {"code": """
a = mx.sym.Variable('a')
b = mx.sym.Variable('b')
out = mx.sym.Group([a + b, a - b, a * b, a / b, a ** b, a % b, a + 1, 1 + a, a - 1.5, 1 - a,
                    a * 2, 2 * a, a / 2, 2 / a, a ** 2, 2 ** a, -a, abs(a), a > b, a >= 1, a < b,
                    a <= b, a == b, a != 2, mx.sym.maximum(a, b), mx.sym.minimum(a, 3),
                    mx.sym.pow(2, a), mx.sym.hypot(a, b), mx.sym.elemwise_add(a, b),
                    mx.sym.broadcast_mul(a, b), mx.sym.exp(a), a.reshape((-1,)),
                    mx.sym.reshape(a, shape=(0, -1)), a.sum(axis=1), mx.sym.sum(a, axis=(0, 1))])
""", "shapes": {"a": [2, 3], "b": [2, 3]}, "types": {"a": "float64", "b": "float64"}},
    "batchnorm": {"code": """
x = mx.sym.Variable('x')
c = mx.sym.Convolution(x, kernel=(3, 3), num_filter=4, pad=(1, 1), no_bias=True)
bn = mx.sym.BatchNorm(c, fix_gamma=False, eps=1e-5)
mm = mx.sym.Variable('shared_mean')
bn2 = mx.sym.BatchNorm(bn, moving_mean=mm, name='bn_b')
act = mx.sym.LeakyReLU(bn2, act_type='prelu')
d = mx.sym.Dropout(act, p=0.3)
f = mx.sym.FullyConnected(d, num_hidden=5, flatten=True)
out = mx.sym.LinearRegressionOutput(f)
""", "shapes": {"x": [2, 3, 5, 5]}, "partial": {"x": [2, 3, 5, 5]}, "types": {"x": "float32"}},
    "attributes": {"code": """
a = mx.sym.Variable('a', shape=(2, 3), lr_mult=2.0, wd_mult=0.5, dtype='float16',
                    init='["zero", {}]', attr={'mood': 'angry'}, __extra__='x')
with mx.AttrScope(ctx_group="dev1"):
    b = mx.sym.Variable('b')
    fc = mx.sym.FullyConnected(a, num_hidden=4, lr_mult=3, attr={'__foo__': 'bar'})
with mx.name.Prefix('net_'):
    fc2 = mx.sym.FullyConnected(fc, num_hidden=2, name='fc')
    fc3 = mx.sym.FullyConnected(fc2, num_hidden=2)
out = mx.sym.Group([fc3, b])
""", "shapes": {"b": [1]}, "partial": {}},
    "multi_output": {"code": """
x = mx.sym.Variable('x')
parts = mx.sym.split(x, num_outputs=3, axis=1)
y = parts[0] + parts[2]
bn = mx.sym.BatchNorm(x, output_mean_var=True, name='bn')
out = mx.sym.Group([y, parts[1], bn['bn_var'], mx.sym.Concat(parts[0], parts[1], dim=1)])
""", "shapes": {"x": [2, 3, 4]}},
    "compose": {"code": """
data = mx.sym.Variable('data')
net1 = mx.sym.FullyConnected(data=data, name='fc1', num_hidden=10)
net2 = mx.sym.FullyConnected(name='fc3', num_hidden=10)
composed = net2(fc3_data=net1, name='composed')
act = mx.sym.Activation(act_type='relu', name='act')
out = act(act_data=composed)
""", "shapes": {"data": [4, 7]}},
    "creation": {"code": """
z = mx.sym.zeros((2, 3))
out = mx.sym.Group([z + 1, mx.sym.ones((2,), dtype='int32'), mx.sym.full((2,), 3), mx.sym.arange(5),
                    mx.sym.arange(1, 7, 2, repeat=2), mx.sym.eye(3, k=1, dtype='float64')])
""", "shapes": {}, "types": {}},
    # Operators to which MXNet gives hidden outputs (counted in the JSON's node_row_ptr only).
    "hidden_outputs": {"code": """
d = mx.sym.Variable('d')
a = mx.sym.Pooling(d, kernel=(2, 2), pool_type='avg')
b = mx.sym.Pooling(a, kernel=(2, 2), pool_type='max', layout='NHWC')
c = mx.sym.Pooling(b, global_pool=True, pool_type='max')
e = mx.sym.Pooling(c, kernel=(2,), pool_type='max')
f = mx.sym.LayerNorm(mx.sym.LRN(e, nsize=3))
g = mx.sym.GroupNorm(mx.sym.InstanceNorm(f), num_groups=2)
h = mx.sym.topk(mx.sym.sort(g), k=2, ret_typ='value')
k = mx.sym.topk(h, k=2, ret_typ='both')
drop = mx.sym.Dropout(k[0], p=0.2)
out = mx.sym.Group([mx.sym.BatchNorm(drop, output_mean_var=True), mx.sym.LeakyReLU(drop, act_type='rrelu')])
"""},
    # dmlc's JSON layout: arrays of more than ten items on several lines, escaped strings.
    "json_layout": {"code": """
parts = [mx.sym.Variable('v%d' % i) for i in range(11)]
odd = mx.sym.Variable('a"b\\\\c\\té', attr={'note': 'x\\ny'})
out = mx.sym.Group([mx.sym.concat(*parts, dim=1)] + [p + 1 for p in parts] + [odd * 2])
"""},
}
