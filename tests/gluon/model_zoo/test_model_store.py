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


@pytest.fixture(autouse=True)
def _no_env_limits(monkeypatch):
    for var in ("MXTORCH_DOWNLOAD_MAX_BYTES", "MXTORCH_DOWNLOAD_TOTAL_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)


def _zip_members(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for member, payload in members.items():
            zf.writestr(member, payload)
    return buf.getvalue()


@pytest.mark.parametrize("extra", ["README.txt", "../escape.params", "/etc/escape.params"])
def test_zip_with_other_members_is_refused(server, registered, tmp_path, extra):
    file_name, _ = registered
    server.body = _zip_members({file_name + ".params": PAYLOAD, extra: b"x"})
    with pytest.raises(MXNetError, match=f"only {file_name}.params.*{extra}"):
        model_store.get_model_file(NAME, root=str(tmp_path))
    assert _leftovers(tmp_path) == []
    assert not (tmp_path.parent / "escape.params").exists()


def test_oversized_member_list_is_refused_before_parsing(server, registered, tmp_path,
                                                       monkeypatch):
    file_name, _ = registered
    monkeypatch.setattr(model_store, "_MAX_CENTRAL_DIRECTORY", 200)
    server.body = _zip_members({f"{i}.bin": b"" for i in range(10)})
    with pytest.raises(MXNetError, match=r"member list takes \d+ bytes \(more than 200\)"):
        model_store.get_model_file(NAME, root=str(tmp_path))
    assert _leftovers(tmp_path) == []


def test_encrypted_member_is_refused(server, registered, tmp_path):
    file_name, _ = registered
    body = bytearray(_zip(file_name, PAYLOAD))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set "encrypted" bit
        at = body.index(signature) + offset
        body[at] |= 1
    server.body = bytes(body)
    with pytest.raises(MXNetError, match="encrypted"):
        model_store.get_model_file(NAME, root=str(tmp_path))
    assert _leftovers(tmp_path) == []


def _register(monkeypatch, payload: bytes) -> str:
    sha1 = hashlib.sha1(payload).hexdigest()
    monkeypatch.setitem(model_store._model_sha1, NAME, sha1)
    return f"{NAME}-{sha1[:8]}"


def test_member_larger_than_the_cap_is_refused_before_extracting(server, tmp_path, monkeypatch):
    payload = b"\0" * 200_000  # deflates to a few hundred bytes: the zip itself is under the cap
    file_name = _register(monkeypatch, payload)
    server.body = _zip_members({file_name + ".params": payload}, zipfile.ZIP_DEFLATED)
    assert len(server.body) < 10_000
    monkeypatch.setenv("MXTORCH_DOWNLOAD_MAX_BYTES", "10000")
    with pytest.raises(MXNetError, match=r"200000 bytes.*limit of 10000 bytes"):
        model_store.get_model_file(NAME, root=str(tmp_path))
    assert _leftovers(tmp_path) == []


def test_implausible_compression_ratio_is_refused(server, tmp_path, monkeypatch):
    payload = b"\0" * 2_000_000  # no trained network's weights compress a thousandfold
    file_name = _register(monkeypatch, payload)
    server.body = _zip_members({file_name + ".params": payload}, zipfile.ZIP_DEFLATED)
    with pytest.raises(MXNetError, match="compression ratio"):
        model_store.get_model_file(NAME, root=str(tmp_path))
    assert _leftovers(tmp_path) == []


def test_download_over_the_cap_is_refused_with_the_store_hint(server, registered, tmp_path,
                                                             monkeypatch):
    file_name, sha1 = registered
    server.body = _zip(file_name, PAYLOAD)
    monkeypatch.setenv("MXTORCH_DOWNLOAD_MAX_BYTES", "1000")
    with pytest.raises(MXNetError) as err:
        model_store.get_model_file(NAME, root=str(tmp_path))
    message = str(err.value)
    assert "limit of 1000 bytes" in message and "MXTORCH_DOWNLOAD_MAX_BYTES" in message
    assert sha1 in message and str(tmp_path / f"{file_name}.params") in message
    assert len(server.requests) == 1  # not retried
    assert _leftovers(tmp_path) == []


def test_cached_file_that_is_not_a_regular_file_is_not_read(server, registered, tmp_path):
    file_name, _ = registered
    os.symlink("/dev/zero", tmp_path / f"{file_name}.params")  # hashing it would never end
    server.body = _zip(file_name, PAYLOAD)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(
        model_store.get_model_file(NAME, root=str(tmp_path))), daemon=True)
    worker.start()
    worker.join(20)
    assert result == [str(tmp_path / f"{file_name}.params")]
    assert not os.path.islink(result[0]) and open(result[0], "rb").read() == PAYLOAD


def test_purge_removes_only_what_the_store_wrote(registered, tmp_path):
    file_name, _ = registered
    store_files = [f"{file_name}.params", f"resnet18_v1-{model_store.short_hash('resnet18_v1')}.params",
                   f"{file_name}.zip", f"{file_name}.zip.0123abcd-0123-4567-89ab-0123456789ab",
                   f"{file_name}.zip.0123abcd-0123-4567-89ab-0123456789ab."
                   "fedcba98-7654-3210-fedc-ba9876543210"]
    user_files = ["mine.params", "resnet18_v1-00000000.params", "notes.txt", "tinynet.params"]
    for name in store_files + user_files:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / f"{file_name}.extract.k2j4h5").mkdir()
    (tmp_path / f"{file_name}.extract.k2j4h5" / f"{file_name}.params").write_bytes(b"x")
    (tmp_path / "my_folder").mkdir()
    model_store.purge(str(tmp_path))
    assert _leftovers(tmp_path) == sorted(user_files + ["my_folder"])
