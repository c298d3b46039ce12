"""The model store against a local HTTP server: good zip, wrong checksum, truncated, server down."""
import hashlib
import http.server
import io
import os
import threading
import zipfile

import pytest

from mxtorch.base import MXNetError
from mxtorch.gluon.model_zoo import model_store

PAYLOAD = b"pretend these are parameters" * 100
NAME = "tinynet"


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    declared_length = None
    requests: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(self.declared_length or len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    handler = type("Handler", (_Handler,), {"requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("MXNET_GLUON_REPO", f"http://127.0.0.1:{httpd.server_address[1]}")
    yield handler
    httpd.shutdown()
    httpd.server_close()


def _zip(name: str, payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name + ".params", payload)
    return buf.getvalue()


@pytest.fixture
def registered(monkeypatch):
    sha1 = hashlib.sha1(PAYLOAD).hexdigest()
    monkeypatch.setitem(model_store._model_sha1, NAME, sha1)
    return f"{NAME}-{sha1[:8]}", sha1


def _leftovers(root) -> list:
    return sorted(os.listdir(root))


def test_download_verifies_and_caches(server, registered, tmp_path):
    file_name, _ = registered
    server.body = _zip(file_name, PAYLOAD)
    path = model_store.get_model_file(NAME, root=str(tmp_path))
    assert path == str(tmp_path / f"{file_name}.params")
    assert open(path, "rb").read() == PAYLOAD
    assert server.requests == [f"/gluon/models/{file_name}.zip"]
    assert _leftovers(tmp_path) == [f"{file_name}.params"]  # no zip or temp folder left
    # cached: a second call does not download
    assert model_store.get_model_file(NAME, root=str(tmp_path)) == path
    assert len(server.requests) == 1
    model_store.purge(str(tmp_path))
    assert _leftovers(tmp_path) == []


def test_wrong_checksum_is_never_used(server, registered, tmp_path):
    file_name, sha1 = registered
    server.body = _zip(file_name, PAYLOAD + b"tampered")
    with pytest.raises(MXNetError, match=f"different SHA-1 than the expected {sha1}"):
        model_store.get_model_file(NAME, root=str(tmp_path))
    assert _leftovers(tmp_path) == []


def test_corrupt_cached_file_is_replaced(server, registered, tmp_path):
    file_name, _ = registered
    (tmp_path / f"{file_name}.params").write_bytes(b"corrupt")
    server.body = _zip(file_name, PAYLOAD)
    path = model_store.get_model_file(NAME, root=str(tmp_path))
    assert open(path, "rb").read() == PAYLOAD


def test_truncated_download_leaves_nothing(server, registered, tmp_path):
    file_name, sha1 = registered
    full = _zip(file_name, PAYLOAD)
    server.body = full[: len(full) // 2]
    server.declared_length = len(full)
    with pytest.raises(MXNetError, match=f"SHA-1 {sha1}"):
        model_store.get_model_file(NAME, root=str(tmp_path))
    assert _leftovers(tmp_path) == []


def test_server_down_names_file_checksum_and_place(registered, tmp_path, monkeypatch):
    file_name, sha1 = registered
    monkeypatch.setenv("MXNET_GLUON_REPO", "http://127.0.0.1:9")  # discard port: refused
    with pytest.raises(MXNetError) as err:
        model_store.get_model_file(NAME, root=str(tmp_path))
    message = str(err.value)
    assert f"{file_name}.params" in message and sha1 in message
    assert str(tmp_path / f"{file_name}.params") in message
    assert _leftovers(tmp_path) == []


def test_unknown_model_name():
    with pytest.raises(ValueError, match="Pretrained model for nosuchnet is not available"):
        model_store.get_model_file("nosuchnet")


def test_default_root_follows_mxnet_home(monkeypatch, tmp_path, registered):
    file_name, _ = registered
    monkeypatch.setenv("MXNET_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / f"{file_name}.params").write_bytes(PAYLOAD)
    assert model_store.get_model_file(NAME) == str(tmp_path / "models" / f"{file_name}.params")
