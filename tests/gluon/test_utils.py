"""gluon.utils: data splitting, global-norm clipping, sha1 checks and download (from a local server)."""
import functools
import hashlib
import http.server
import threading

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import gluon, nd
from mxtorch.gluon import utils


def test_split_data_even_and_uneven():
    x = nd.arange(12).reshape((6, 2))
    parts = utils.split_data(x, 3)
    assert [p.shape for p in parts] == [(2, 2)] * 3
    assert parts[1].asnumpy().tolist() == [[4, 5], [6, 7]]
    with pytest.raises(ValueError, match=r"cannot be evenly split into 4 slices"):
        utils.split_data(x, 4)
    uneven = utils.split_data(x, 4, even_split=False)
    assert [p.shape[0] for p in uneven] == [2, 2, 1, 1]
    cols = utils.split_data(nd.arange(12).reshape((2, 6)), 2, batch_axis=1)
    assert cols[1].asnumpy().tolist() == [[3, 4, 5], [9, 10, 11]]


def test_split_and_load():
    data = np.arange(8, dtype=np.float32).reshape(4, 2)
    parts = utils.split_and_load(data, [mx.cpu(0), mx.cpu(1)])
    assert len(parts) == 2 and parts[0].asnumpy().tolist() == [[0, 1], [2, 3]]
    single = utils.split_and_load(nd.array(data), [mx.cpu()])
    assert single[0].shape == (4, 2)


def test_clip_global_norm():
    a, b = nd.array([3.0, 0.0]), nd.array([[4.0]])
    total = utils.clip_global_norm([a, b], 1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(a.asnumpy(), [0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(b.asnumpy(), [[0.8]], rtol=1e-6)
    c = nd.array([0.1, 0.2])
    norm = utils.clip_global_norm([c], 10.0, check_isfinite=False)
    assert isinstance(norm, nd.NDArray) and norm.shape == (1,)
    np.testing.assert_allclose(c.asnumpy(), [0.1, 0.2], rtol=1e-6)  # below max_norm: unchanged
    with pytest.warns(UserWarning, match="nan or inf"):
        utils.clip_global_norm([nd.array([np.inf])], 1.0)


def test_clip_global_norm_on_gradients():
    net = gluon.nn.Dense(2, in_units=2)
    net.initialize(mx.init.One())
    with mx.autograd.record():
        y = net(nd.ones((1, 2))) * 100
    y.backward()
    grads = [p.grad() for p in net.collect_params().values()]
    utils.clip_global_norm(grads, 1.0)
    total = np.sqrt(sum((g.asnumpy() ** 2).sum() for g in grads))
    assert total == pytest.approx(1.0, rel=1e-5)


def test_check_sha1(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"mxtorch")
    assert utils.check_sha1(str(path), hashlib.sha1(b"mxtorch").hexdigest())
    assert not utils.check_sha1(str(path), "0" * 40)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (root / "model.params").write_bytes(b"weights" * 100)
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_checks_sha1_and_is_atomic(server, tmp_path, capsys):
    sha1 = hashlib.sha1(b"weights" * 100).hexdigest()
    target = tmp_path / "out"
    target.mkdir()
    path = utils.download(f"{server}/model.params", path=str(target), sha1_hash=sha1)
    assert path == str(target / "model.params")
    assert (target / "model.params").read_bytes() == b"weights" * 100
    assert sorted(p.name for p in target.iterdir()) == ["model.params"]  # no temporary left
    (target / "model.params").write_bytes(b"local copy")
    assert utils.download(f"{server}/model.params", path=str(target)) == path  # kept, no sha1
    assert (target / "model.params").read_bytes() == b"local copy"
    utils.download(f"{server}/model.params", path=str(target), sha1_hash=sha1)  # stale: fetched
    assert (target / "model.params").read_bytes() == b"weights" * 100


def test_download_retries_then_raises(server, tmp_path, capsys):
    dest = tmp_path / "dl"
    with pytest.raises(Exception, match="404"):
        utils.download(f"{server}/missing.params", path=str(dest / "m.params"), retries=2)
    assert "retrying, 1 attempt left" in capsys.readouterr().out
    assert not list(dest.iterdir())  # nothing half-written is left behind
    with pytest.raises(UserWarning, match="content hash does not match"):
        utils.download(f"{server}/model.params", path=str(dest / "x.params"),
                       sha1_hash="0" * 40, retries=1)
    with pytest.raises(ValueError, match="retries"):
        utils.download(f"{server}/model.params", retries=-1)
