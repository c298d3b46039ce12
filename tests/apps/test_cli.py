"""The ``mxtorch`` command: its subcommands, and one-line errors instead of tracebacks."""
import socket
import subprocess
import sys
import time

import httpx
import pytest

from mxtorch.apps.digits.model import card_path
from mxtorch.cli import main


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "train" in out and "digits" in out


def test_digits_serves_the_app(lenet_params):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "mxtorch.cli", "digits", "--port", str(port),
                               "--params", str(lenet_params)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/model", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "mxtorch digits did not start"
                time.sleep(0.2)
        assert response.json()["verified"] is True
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert "sha256 verified" in err and f"open http://127.0.0.1:{port}/" in err


def test_cli_reports_bad_context(capsys):
    with pytest.raises(SystemExit):
        main(["train", "lenet", "--ctx", "tpu"])
    assert "invalid context 'tpu': expected cpu, gpu or gpu:N" in capsys.readouterr().err


def test_digits_refuses_a_damaged_model(lenet_params, tmp_path, capsys):
    params = tmp_path / "lenet.params"
    params.write_bytes(lenet_params.read_bytes()[:-1] + b"\x00")
    card_path(params).write_text(card_path(lenet_params).read_text())
    assert main(["digits", "--params", str(params)]) == 1
    assert "refusing to load" in capsys.readouterr().err
