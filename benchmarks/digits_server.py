"""Latency and throughput of the digit app's ``POST /api/predict`` under 1, 8 and 32 concurrent clients.

Starts ``mxtorch digits`` as its own process (a real uvicorn server, as a user runs it), sends
canvas-like PNG data URLs of MNIST test digits from concurrent HTTP clients, and reports latency
p50/p99 and requests per second for each level of concurrency. Any failed request is counted
and makes the run exit with status 1.

Usage::

    .venv/bin/python benchmarks/digits_server.py [--seconds 10] [--clients 1 8 32] [--params FILE]
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import pathlib
import platform
import socket
import subprocess
import sys
import time

import httpx
import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[1]
MNIST = pathlib.Path(os.environ.get("MXTORCH_MNIST", ROOT.parent / "shared" / "data" / "mnist"))
sys.path.insert(0, str(ROOT))
from tests.apps.mnist_idx import mnist_test_set  # noqa: E402


def canvas_payloads(count: int, side: int = 360) -> list[bytes]:
    """JSON bodies as the page sends them: MNIST digits as black ink on a transparent square canvas."""
    images, _ = mnist_test_set(MNIST, count)
    bodies = []
    for image in images:
        ink = Image.fromarray(image).resize((side * 3 // 4, side * 3 // 4), Image.Resampling.BICUBIC)
        alpha = Image.new("L", (side, side))
        alpha.paste(ink, (side // 8, side // 8))
        canvas = Image.new("RGBA", (side, side))
        canvas.putalpha(alpha)
        buffer = io.BytesIO()
        canvas.save(buffer, format="PNG")
        url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
        bodies.append(('{"image": "%s"}' % url).encode("ascii"))
    return bodies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, params: str | None) -> subprocess.Popen:
    command = [sys.executable, "-m", "mxtorch.cli", "digits", "--port", str(port)]
    if params:
        command += ["--params", params]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited: {server.stderr.read().decode()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


async def load(url: str, bodies: list[bytes], clients: int, seconds: float) -> dict:
    """``clients`` concurrent clients posting back to back for ``seconds``; latencies in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    headers = {"Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def one_client(offset: int) -> None:
            k = offset
            while time.perf_counter() < stop:
                begin = time.perf_counter()
                response = await client.post("/api/predict", content=bodies[k % len(bodies)], headers=headers)
                latencies.append((time.perf_counter() - begin) * 1000)
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {response.text[:200]}")
                k += clients

        start = time.perf_counter()
        await asyncio.gather(*(one_client(i) for i in range(clients)))
        elapsed = time.perf_counter() - start
    ms = np.array(latencies)
    return {"clients": clients, "requests": len(ms), "errors": len(errors), "first_error": errors[:1],
            "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "requests_per_s": len(ms) / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each level (default 10)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32], help="concurrency levels")
    parser.add_argument("--params", default=None, help="parameter file (default: the shipped LeNet)")
    args = parser.parse_args()
    bodies = canvas_payloads(200)
    port = free_port()
    server = start_server(port, args.params)
    try:
        url = f"http://127.0.0.1:{port}"
        asyncio.run(load(url, bodies, 1, 1.0))  # warm-up
        rows = [asyncio.run(load(url, bodies, clients, args.seconds)) for clients in args.clients]
    finally:
        server.terminate()
        server.wait(10)
    print(f"POST /api/predict, 360x360 canvas PNGs, {args.seconds:g} s per level, {os.cpu_count()} CPUs, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print("| clients | requests | errors | p50 ms | p99 ms | requests/s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
              f"| {r['requests_per_s']:.1f} |")
    failed = [r for r in rows if r["errors"]]
    for r in failed:
        print(f"{r['errors']} errors with {r['clients']} clients, first: {r['first_error']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
