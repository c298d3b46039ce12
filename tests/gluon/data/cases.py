"""DataLoader cases shared by the golden generator (run with MXNet) and the tests (mxtorch).

Each case builds its dataset and DataLoader keyword arguments from a library module ``mx``
(``mxnet`` or ``mxtorch``), so both libraries see the same data.
"""
import numpy as np


def _ints(n):
    return list(range(n))


def loader_cases(mx):
    """name -> (dataset, DataLoader kwargs)."""
    nd, gd = mx.nd, mx.gluon.data
    f64 = np.arange(14, dtype=np.float64).reshape(7, 2)
    u8 = (np.arange(5 * 3 * 3) % 251).astype(np.uint8).reshape(5, 3, 3, 1)
    return {
        "np_f64_and_int_list": (gd.ArrayDataset(f64, _ints(7)), dict(batch_size=3)),
        "nd_2d_and_nd_1d": (gd.ArrayDataset(nd.arange(14).reshape((7, 2)), nd.arange(7)),
                            dict(batch_size=3, last_batch="discard")),
        "float_list": ([1.5, 2.5, 3.5], dict(batch_size=2)),
        "mixed_list": ([1, 2.5, 3], dict(batch_size=2)),
        "bool_list": ([True, False, True], dict(batch_size=2)),
        "np_int_raw": (np.arange(12).reshape(6, 2), dict(batch_size=4)),
        "nd_2d_raw": (nd.arange(12).reshape((6, 2)), dict(batch_size=4)),
        "nd_1d_raw": (nd.arange(6), dict(batch_size=4)),
        "single_uint8": (gd.ArrayDataset(u8), dict(batch_size=2)),
        "f32_scalars_np_int32": (gd.ArrayDataset(np.arange(5, dtype=np.float32),
                                                 np.arange(5, dtype=np.int32)), dict(batch_size=2)),
        "shard": (gd.ArrayDataset(f64, _ints(7)).shard(3, 1), dict(batch_size=2)),
        "take": (gd.ArrayDataset(f64, _ints(7)).take(4), dict(batch_size=3)),
        "transform_first": (gd.ArrayDataset(nd.arange(10).reshape((5, 2)),
                                            np.arange(5, dtype=np.int32)).transform_first(
                                                lambda x: x * 2), dict(batch_size=2)),
        "filter": (gd.SimpleDataset(_ints(10)).filter(lambda x: x % 3 == 0), dict(batch_size=3)),
        "tuple_items": (gd.SimpleDataset([(np.float32(i), i) for i in range(5)]),
                        dict(batch_size=2)),
        "nested_array_dataset": (gd.ArrayDataset(gd.ArrayDataset(f64, _ints(7)),
                                                 np.arange(7, dtype=np.float32)),
                                 dict(batch_size=4)),
        "rollover": (gd.ArrayDataset(np.arange(7, dtype=np.float32)),
                     dict(batch_size=3, last_batch="rollover")),
    }


def flatten(batch, prefix=""):
    """Leaves of a (nested list) batch as (path, value) with the container kinds in the path."""
    if isinstance(batch, (list, tuple)):
        out = []
        for i, b in enumerate(batch):
            out += flatten(b, f"{prefix}{i}.")
        return out
    return [(prefix.rstrip(".") or "x", batch)]


def transform_cases(T):
    """name -> (transform, input key of the image golden's inputs), for deterministic transforms
    of gluon.data.vision.transforms ``T``."""
    norm = dict(mean=(0.1, 0.2, 0.3), std=(0.5, 0.25, 2.0))
    return {
        "to_tensor": (T.ToTensor(), "img"),
        "to_tensor_batch": (T.ToTensor(), "batch"),
        "normalize": (T.Normalize(**norm), "tensor"),
        "normalize_scalar": (T.Normalize(0.5, 0.25), "tensor"),
        "normalize_batch": (T.Normalize(**norm), "tensors"),
        "cast_default": (T.Cast(), "img"),
        "cast_float16": (T.Cast("float16"), "img"),
        "resize_int": (T.Resize(8), "img"),
        "resize_keep_ratio": (T.Resize(8, keep_ratio=True), "img"),
        "resize_wh_nearest": (T.Resize((9, 4), interpolation=0), "img"),
        "resize_batch": (T.Resize((5, 4)), "batch"),
        "center_crop": (T.CenterCrop(4), "img"),
        "center_crop_wh": (T.CenterCrop((5, 3)), "img"),
        "center_crop_upsample": (T.CenterCrop((10, 8)), "img"),
        "crop_resize": (T.CropResize(1, 2, 4, 3), "img"),
        "crop_resize_size": (T.CropResize(1, 2, 4, 3, size=(6, 5), interpolation=1), "img"),
        "crop_resize_batch": (T.CropResize(1, 2, 4, 3), "batch"),
        "brightness_zero": (T.RandomBrightness(0), "img"),
        "lighting_zero": (T.RandomLighting(0), "img"),
        "compose": (T.Compose([T.Resize(10), T.CenterCrop(8), T.ToTensor(),
                               T.Normalize((0.4, 0.5, 0.6), (0.2, 0.2, 0.2))]), "img"),
    }
