"""Run an ASGI app in a real uvicorn server on a free port, in a background thread."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

import httpx
import uvicorn


@contextlib.contextmanager
def running_server(app: Any, timeout: float = 20.0, **config: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 and a free port; yields the base URL. ``config``
    goes to ``uvicorn.Config``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port meanwhile
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


@dataclass
class CommandServer:
    process: subprocess.Popen
    port: int
    log: str = ""     # what the command wrote to stderr, once it has stopped

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def digits_command(params: Any, timeout: float = 60.0) -> Iterator[CommandServer]:
    """``mxtorch digits`` as a user starts it, on a free port, once it answers ``/healthz``; stopped
    (and its log collected) after the block."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "mxtorch.cli", "digits", "--port", str(port),
                                "--params", str(params)], stderr=subprocess.PIPE, text=True)
    server = CommandServer(process, port)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                httpx.get(f"{server.url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "mxtorch digits did not start"
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        server.log = process.communicate(timeout=20)[1]
