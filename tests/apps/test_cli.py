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
