"""``im2rec``: list the images of a folder tree and pack them into RecordIO files (MXNet's
``tools/im2rec.py``, same options, same ``.lst`` text and same records).

Two steps, as in MXNet::

    mxtorch im2rec --list --recursive data/train images/      # writes data/train.lst
    mxtorch im2rec data/train images/ --resize 256 --quality 90 # writes data/train.rec + .idx

A ``.lst`` line is ``index<TAB>label[<TAB>label...]<TAB>relative/path``, labels written with
``%f``. Each record is :func:`mxtorch.recordio.pack_img` of the image (re-encoded as JPEG or PNG
after the optional centre crop and resize) or :func:`~mxtorch.recordio.pack` of the file's bytes
(``--pass-through``), with the header ``IRHeader(0, label, index, 0)``. Images are decoded and
encoded with Pillow where MXNet used OpenCV; resizing follows OpenCV's interpolation
(:func:`mxtorch.image.imresize`).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from typing import Any, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .._fileio.lst import read_lst

__all__ = ["list_image", "write_list", "make_list", "read_list", "image_encode", "add_arguments",
           "make_records", "main"]

Item = List[Any]   # [index, relative path, label, label, ...]


def list_image(root: str, recursive: bool, exts: Sequence[str]) -> Iterator[Tuple[int, str, int]]:
    """Yield ``(index, path relative to root, label)`` for each image file under ``root``.

    With ``recursive``, every folder holding images gets its own label (0, 1, ... in walking order,
    folders and files sorted) and the folder-to-label table is printed; otherwise only the files in
    ``root`` itself are listed, all with label 0.
    """
    exts = [e.lower() for e in exts]
    i = 0
    if recursive:
        cat: dict = {}
        for path, dirs, files in os.walk(root, followlinks=True):
            dirs.sort()
            files.sort()
            for fname in files:
                fpath = os.path.join(path, fname)
                if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
                    if path not in cat:
                        cat[path] = len(cat)
                    yield (i, os.path.relpath(fpath, root), cat[path])
                    i += 1
        for folder, label in sorted(cat.items(), key=lambda kv: kv[1]):
            print(os.path.relpath(folder, root), label)
    else:
        for fname in sorted(os.listdir(root)):
            fpath = os.path.join(root, fname)
            if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
                yield (i, os.path.relpath(fpath, root), 0)
                i += 1


def write_list(path_out: str, image_list: Sequence[Sequence[Any]]) -> None:
    """Write ``(index, path, label, ...)`` items as ``.lst`` lines."""
    with open(path_out, "w") as fout:
        for item in image_list:
            labels = "".join("%f\t" % label for label in item[2:])
            fout.write("%d\t%s%s\n" % (item[0], labels, item[1]))


def make_list(args: argparse.Namespace) -> List[str]:
    """Write the ``.lst`` file(s) for ``args.root``: shuffled with seed 100 unless ``--no-shuffle``,
    cut into ``--chunks`` and each chunk split into test, train and val lists by the ratios.
    Returns the paths written."""
    image_list = list(list_image(args.root, args.recursive, args.exts))
    if args.shuffle:
        random.seed(100)
        random.shuffle(image_list)
    n = len(image_list)
    chunk_size = (n + args.chunks - 1) // args.chunks
    written = []
    for i in range(args.chunks):
        chunk = image_list[i * chunk_size:(i + 1) * chunk_size]
        base = args.prefix + ("_%d" % i if args.chunks > 1 else "")
        sep = int(chunk_size * args.train_ratio)
        sep_test = int(chunk_size * args.test_ratio)
        if args.train_ratio == 1.0:
            parts = [(base + ".lst", chunk)]
        else:
            parts = []
            if args.test_ratio:
                parts.append((base + "_test.lst", chunk[:sep_test]))
            if args.train_ratio + args.test_ratio < 1.0:
                parts.append((base + "_val.lst", chunk[sep_test + sep:]))
            parts.append((base + "_train.lst", chunk[sep_test:sep_test + sep]))
        for path, items in parts:
            write_list(path, items)
            written.append(path)
    return written


def read_list(path_in: str) -> Iterator[Item]:
    """Yield ``[index, path, label, ...]`` for each line of a ``.lst`` file; malformed lines are
    reported and skipped, as MXNet's im2rec does."""
    def report(line: str, err: Exception) -> None:
        print("im2rec: skipping list line %r: %s" % (line, err))

    for index, labels, relpath in read_lst(path_in, on_error=report):
        yield [index, relpath.strip()] + labels


def _load(fullpath: str, color: int) -> np.ndarray:
    """``cv2.imread(fullpath, color)``: uint8 BGR (or grey, or BGRA for -1) as a NumPy array."""
    from ..recordio import _imdecode_cv

    with open(fullpath, "rb") as fin:
        return _imdecode_cv(fin.read(), color)


def _center_crop(img: np.ndarray) -> np.ndarray:
    height, width = img.shape[:2]
    if height > width:
        margin = (height - width) // 2
        return img[margin:margin + width]
    margin = (width - height) // 2
    return img[:, margin:margin + height]


def _resize_short(img: np.ndarray, size: int, inter_method: int) -> np.ndarray:
    """Resize so the shorter edge is ``size`` (the longer one scaled and floored), with OpenCV's
    interpolation ``inter_method``."""
    import torch

    from ..image import imresize
    from ..ndarray.ndarray import NDArray

    height, width = img.shape[:2]
    if height > width:
        new_w, new_h = size, height * size // width
    else:
        new_w, new_h = width * size // height, size
    hwc = img if img.ndim == 3 else img[:, :, None]
    out = imresize(NDArray(torch.from_numpy(np.ascontiguousarray(hwc))), new_w, new_h,
                   interp=inter_method).asnumpy()
    return out if img.ndim == 3 else out[:, :, 0]


def image_encode(args: argparse.Namespace, item: Item) -> Tuple[Optional[bytes], Optional[str]]:
    """Make the record for one ``.lst`` item: ``(record, None)``, or ``(None, reason)`` when the
    image cannot be read or encoded."""
    from .. import recordio

    fullpath = os.path.join(args.root, item[1])
    label: Any = item[2:] if len(item) > 3 and args.pack_label else item[2]
    header = recordio.IRHeader(0, label, item[0], 0)
    try:
        if args.pass_through:
            with open(fullpath, "rb") as fin:
                return recordio.pack(header, fin.read()), None
        img = _load(fullpath, args.color)
        if args.center_crop:
            img = _center_crop(img)
        if args.resize:
            img = _resize_short(img, args.resize, args.inter_method)
        return recordio.pack_img(header, img, quality=args.quality, img_fmt=args.encoding), None
    except Exception as err:  # noqa: BLE001  (one bad image is reported and skipped, as MXNet does)
        return None, f"{fullpath}: {err}"


class _Encoder:
    """``item -> (item, record, error)`` for the worker threads."""

    def __init__(self, args: argparse.Namespace):
        self.args = args

    def __call__(self, item: Item) -> Tuple[Item, Optional[bytes], Optional[str]]:
        record, error = image_encode(self.args, item)
        return item, record, error


def _ordered(pool: Any, fn: Any, items: Sequence[Item], window: int) -> Iterator[Any]:
    """``pool.map(fn, items)`` with at most ``window`` items in flight, so a list of millions of
    images never holds more than a window of encoded records in memory."""
    from collections import deque

    pending: deque = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def make_records(args: argparse.Namespace, lst_path: str, working_dir: str) -> Tuple[int, int]:
    """Pack the images of one ``.lst`` file into ``<name>.rec`` and ``<name>.idx`` in
    ``working_dir``, in list order, ``--num-thread`` threads encoding. Returns
    ``(records written, images skipped)``."""
    from tqdm import tqdm

    from .. import recordio

    name = os.path.splitext(os.path.basename(lst_path))[0]
    items = list(read_list(lst_path))
    encode = _Encoder(args)
    written = skipped = 0
    record = recordio.MXIndexedRecordIO(os.path.join(working_dir, name + ".idx"),
                                        os.path.join(working_dir, name + ".rec"), "w")
    pool = None
    try:
        if args.num_thread > 1:
            from concurrent.futures import ThreadPoolExecutor

            # Pillow's decoders and encoders and torch's resize release the GIL: threads overlap
            # the work without the start-up cost of processes; map() keeps the list order.
            pool = ThreadPoolExecutor(args.num_thread)
            results = _ordered(pool, encode, items, window=16 * args.num_thread)
        else:
            results = map(encode, items)
        for item, rec, error in tqdm(results, total=len(items), desc=name, unit="img",
                                     file=sys.stderr, disable=not items):
            if rec is None:
                print("im2rec: skipping %s" % error, file=sys.stderr)
                skipped += 1
                continue
            record.write_idx(item[0], rec)
            written += 1
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        record.close()
    return written, skipped


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare MXNet im2rec's arguments on ``parser``."""
    parser.add_argument("prefix", help="path prefix of the .lst files and of the .rec/.idx files")
    parser.add_argument("root", help="folder the images are in (paths in .lst files are relative to it)")
    cgroup = parser.add_argument_group("listing images (with --list)")
    cgroup.add_argument("--list", action="store_true",
                        help="create image list(s) <prefix>.lst by walking root instead of packing "
                             "<prefix>*.lst into record files")
    cgroup.add_argument("--exts", nargs="+", default=[".jpeg", ".jpg", ".png"],
                        help="file extensions counted as images when listing")
    cgroup.add_argument("--chunks", type=int, default=1, help="split the list into this many .lst files")
    cgroup.add_argument("--train-ratio", type=float, default=1.0,
                        help="share of each chunk written to the _train list")
    cgroup.add_argument("--test-ratio", type=float, default=0,
                        help="share of each chunk written to the _test list")
    cgroup.add_argument("--recursive", action="store_true",
                        help="walk subfolders, one label per folder; otherwise list the images of "
                             "root only, with label 0")
    cgroup.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                        help="keep the listing order in <prefix>.lst instead of shuffling it")
    cgroup.add_argument("--shuffle", dest="shuffle", type=_parse_bool, nargs="?", const=True,
                        default=True, help="shuffle the list (the default; older im2rec's flag)")
    rgroup = parser.add_argument_group("packing records (without --list)")
    rgroup.add_argument("--pass-through", action="store_true",
                        help="store the image files' bytes as they are, without decoding")
    rgroup.add_argument("--resize", type=int, default=0,
                        help="resize the shorter edge of each image to this size (0: keep the size)")
    rgroup.add_argument("--center-crop", action="store_true",
                        help="crop the centre square of each image")
    rgroup.add_argument("--quality", type=int, default=95,
                        help="JPEG quality (1-100) with --encoding .jpg; zlib level (0-9) with .png")
    rgroup.add_argument("--num-thread", type=int, default=1,
                        help="number of threads encoding images (records stay in list order)")
    rgroup.add_argument("--color", type=int, default=1, choices=[-1, 0, 1],
                        help="1: colour (transparency dropped), 0: grayscale, -1: as stored, alpha kept")
    rgroup.add_argument("--encoding", type=str, default=".jpg", choices=[".jpg", ".png"],
                        help="image format of the packed records")
    rgroup.add_argument("--pack-label", action="store_true",
                        help="pack every label of a multi-label .lst line into the record header")
    rgroup.add_argument("--inter-method", type=int, default=1, choices=[0, 1, 2, 3, 4],
                        help="OpenCV interpolation for --resize: 0 nearest, 1 bilinear (default), "
                             "2 bicubic, 3 area, 4 Lanczos")


def _parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def run(args: argparse.Namespace) -> int:
    """Do what the parsed arguments ask: write lists (``--list``) or pack every ``<prefix>*.lst``."""
    args.prefix = os.path.abspath(args.prefix)
    args.root = os.path.abspath(args.root)
    if args.chunks < 1:
        raise ValueError(f"--chunks must be at least 1, got {args.chunks}")
    if args.num_thread < 1:
        raise ValueError(f"--num-thread must be at least 1, got {args.num_thread}")
    if args.list:
        if not os.path.isdir(args.root):
            raise FileNotFoundError(f"image folder {args.root!r} does not exist")
        for path in make_list(args):
            print("wrote", path)
        return 0
    working_dir = args.prefix if os.path.isdir(args.prefix) else os.path.dirname(args.prefix)
    lists = sorted(os.path.join(working_dir, f) for f in os.listdir(working_dir)
                   if os.path.isfile(os.path.join(working_dir, f)))
    lists = [f for f in lists if f.startswith(args.prefix) and f.endswith(".lst")]
    if not lists:
        print("im2rec: no .lst file starting with %s (make one with --list)" % args.prefix)
        return 1
    status = 0
    for lst in lists:
        print("Creating .rec file from", lst, "in", working_dir)
        written, skipped = make_records(args, lst, working_dir)
        print(f"{written} records written, {skipped} images skipped")
        status = status or int(skipped > 0)
    return status


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m mxtorch.tools.im2rec``: the same as ``mxtorch im2rec``."""
    parser = argparse.ArgumentParser(
        prog="im2rec", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="List the images of a folder tree (--list), or pack the images of <prefix>*.lst "
                    "into .rec/.idx RecordIO files.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
