"""The ``mxtorch`` command: its subcommands, and one-line errors instead of tracebacks."""
import httpx
import pytest

from mxtorch.apps.digits.model import card_path
from mxtorch.cli import main
from tests.apps.live_server import digits_command


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "train" in out and "digits" in out


def test_digits_serves_the_app(lenet_params):
    with digits_command(lenet_params) as server:
        assert httpx.get(f"{server.url}/api/model", timeout=5).json()["verified"] is True
    assert "sha256 verified" in server.log and f"open {server.url}/" in server.log


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


def test_gpu_context_without_a_gpu_names_the_cli_option(capsys, monkeypatch):
    import mxtorch as mx

    monkeypatch.setattr(mx, "num_gpus", lambda: 0)
    with pytest.raises(SystemExit) as exit_info:
        main(["digits", "--ctx", "gpu"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "0 GPU(s)" in err and "--ctx cpu" in err and "mx.cpu()" not in err


def test_busy_port_is_said_before_the_model_loads(capsys, monkeypatch):
    import socket

    from mxtorch.apps.digits import server

    loaded = []
    monkeypatch.setattr(server, "DigitClassifier", lambda *a, **k: loaded.append(1))
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert main(["digits", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "--port N" in err and "make digits PORT=N" in err
    assert not loaded


def test_train_speaks_of_root_option_when_mnist_is_missing(tmp_path, capsys, monkeypatch):
    from mxtorch.gluon.data.vision import datasets

    def offline(*args, **kwargs):
        raise OSError("no network here")

    monkeypatch.setattr(datasets, "download", offline)
    assert main(["train", "lenet", "--epochs", "1", "--root", str(tmp_path),
                 "--out", str(tmp_path / "l.params")]) == 1
    err = capsys.readouterr().err
    assert "pass --root a folder that holds them" in err and "root=" not in err


def test_train_refuses_a_root_that_is_not_a_folder(tmp_path, capsys):
    assert main(["train", "lenet", "--root", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert f"--root {tmp_path / 'nowhere'}: no such folder" in err
