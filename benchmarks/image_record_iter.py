"""ImageRecordIter throughput: mxtorch against MXNet 1.9.1 on the same JPEG .rec, same threads.

Generates ``--images`` JPEGs of 500x375 (quality 90, smooth noise so they compress like photos)
into a .rec/.idx cached under ``--cache`` (made once per image count), then reads it in batches
of ``--batch-size`` 224x224 images with the ImageNet training augmentation (shorter edge to 256,
random crop, random mirror, mean/std) through ``mx.io.ImageRecordIter``, one epoch per round.
When the reference venv exists (``.ref``, or ``--ref-python``), MXNet 1.9.1's ImageRecordIter reads
the same file in a worker process with the same ``preprocess_threads``; the two alternate round by
round and the script prints images/s for each and the ratio.

    .venv/bin/python benchmarks/image_record_iter.py --threads 8 --rounds 5
    .venv/bin/python benchmarks/image_record_iter.py --images 64 --rounds 1   # smoke run
    .ref/bin/python benchmarks/image_record_iter.py --threads 8   # MXNet alone, on the cached .rec
"""
from __future__ import annotations

import argparse
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SETTINGS = dict(data_shape=(3, 224, 224), resize=256, rand_crop=True, rand_mirror=True,
                mean_r=123.68, mean_g=116.28, mean_b=103.53, std_r=58.395, std_g=57.12, std_b=57.375,
                prefetch_buffer=4)


def make_rec(folder: pathlib.Path, count: int) -> pathlib.Path:
    """Write ``count`` 500x375 JPEGs into ``folder/images_<count>.rec`` unless already there."""
    import numpy as np
    from PIL import Image

    import mxtorch as mx

    rec = folder / f"images_{count}.rec"
    idx = folder / f"images_{count}.idx"
    if rec.exists() and idx.exists():
        return rec
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    tmp_rec, tmp_idx = rec.with_suffix(".rec.part"), idx.with_suffix(".idx.part")
    writer = mx.recordio.MXIndexedRecordIO(str(tmp_idx), str(tmp_rec), "w")
    for i in range(count):
        coarse = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
        img = Image.fromarray(coarse).resize((500, 375), Image.BICUBIC)
        noisy = np.clip(np.asarray(img, dtype=np.int16) + rng.integers(-12, 13, (375, 500, 3)), 0, 255)
        buf = io.BytesIO()
        Image.fromarray(noisy.astype(np.uint8)).save(buf, format="JPEG", quality=90)
        header = mx.recordio.IRHeader(0, float(i % 1000), i, 0)
        writer.write_idx(i, mx.recordio.pack(header, buf.getvalue()))
    writer.close()
    os.replace(tmp_rec, rec)
    os.replace(tmp_idx, idx)
    return rec


def worker(rec: str, threads: int, batch_size: int) -> None:
    """In the reference venv: run one MXNet epoch per line read from stdin, answer the count."""
    import mxnet as mx

    it = mx.io.ImageRecordIter(path_imgrec=rec, path_imgidx=rec[:-4] + ".idx", batch_size=batch_size,
                               preprocess_threads=threads, **SETTINGS)
    for _ in sys.stdin:
        it.reset()   # here, not after the epoch: no prefetching while the other contender runs
        count = 0
        for batch in it:
            batch.data[0].wait_to_read()
            count += batch.data[0].shape[0] - batch.pad
        print(json.dumps({"images": count}), flush=True)


def mxnet_alone(args: argparse.Namespace) -> None:
    """Time MXNet's ImageRecordIter by itself (run with the reference venv's python)."""
    import mxnet as mx

    rec = os.path.join(args.cache, f"images_{args.images}.rec")
    if not os.path.exists(rec):
        sys.exit(f"{rec} is missing: run this script once with the project venv to make it")
    it = mx.io.ImageRecordIter(path_imgrec=rec, path_imgidx=rec[:-4] + ".idx", batch_size=args.batch_size,
                               preprocess_threads=args.threads, **SETTINGS)
    for round_ in range(args.rounds + 1):   # round 0 warms up
        it.reset()
        start, count = time.perf_counter(), 0
        for batch in it:
            batch.data[0].wait_to_read()
            count += batch.data[0].shape[0] - batch.pad
        if round_:
            print(f"mxnet    {count / (time.perf_counter() - start):9.1f} images/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "mxtorch_bench_rec"))
    parser.add_argument("--ref-python", default=str(ROOT / ".ref" / "bin" / "python"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.threads, args.batch_size)
        return

    try:
        import mxtorch as mx
    except ImportError:   # the reference venv: MXNet alone, on a .rec the project venv made
        mxnet_alone(args)
        return
    from _common import alternate, machine

    rec = str(make_rec(pathlib.Path(args.cache), args.images))
    ours = mx.io.ImageRecordIter(path_imgrec=rec, path_imgidx=rec[:-4] + ".idx",
                                 batch_size=args.batch_size, preprocess_threads=args.threads, **SETTINGS)

    def mxtorch_epoch() -> int:
        ours.reset()   # here, not after the epoch: no prefetching while the other contender runs
        count = 0
        for batch in ours:
            count += batch.data[0].shape[0] - batch.pad
        return count

    contenders = {"mxtorch": mxtorch_epoch}
    ref = None
    if os.path.exists(args.ref_python):
        ref = subprocess.Popen([args.ref_python, __file__, "--worker", rec, "--threads", str(args.threads),
                                "--batch-size", str(args.batch_size)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

        def mxnet_epoch() -> int:
            ref.stdin.write("epoch\n")
            ref.stdin.flush()
            line = ref.stdout.readline()
            if not line:
                raise RuntimeError("the MXNet worker exited")
            return json.loads(line)["images"]

        contenders["mxnet"] = mxnet_epoch
    print(machine())
    print(f"{args.images} JPEGs 500x375 -> {args.batch_size}x3x224x224, {args.threads} threads, "
          f"{args.rounds} rounds")
    start = time.perf_counter()
    for work in contenders.values():   # warm-up epoch: thread pools, caches, page cache
        work()
    print(f"warm-up {time.perf_counter() - start:.1f}s")
    rates = alternate(contenders, args.rounds)
    for name, rate in rates.items():
        print(f"{name:8s} {rate:9.1f} images/s")
    if "mxnet" in rates:
        print(f"ratio mxtorch/mxnet {rates['mxtorch'] / rates['mxnet']:.2f}")
    ours.close()
    if ref is not None:
        ref.stdin.close()
        ref.wait(timeout=60)


if __name__ == "__main__":
    main()
