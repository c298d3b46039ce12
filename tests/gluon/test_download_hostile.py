"""gluon.utils.download against a hostile local server: size caps, time limits, interrupts, plain http.

Every server here listens on 127.0.0.1 only, is stopped at the end of its test, and never sends for
longer than the test needs (trickling handlers stop when the fixture ends).
"""
import http.server
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from mxtorch.base import MXNetError
from mxtorch.gluon import utils


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``body``; ``declared`` as Content-Length (None: no header, the body ends at close);
    ``trickle`` seconds between single bytes; ``endless`` repeats the body until stopped."""

    body = b""
    declared: object = "auto"
    trickle = 0.0
    endless = False
    stall_after = None  # send this many bytes, then hold the connection open without sending
    stop: threading.Event
    sigterm_seen: list

    def do_GET(self):  # noqa: N802 - http.server's name
        cls = type(self)
        cls.sigterm_seen.append(signal.getsignal(signal.SIGTERM))
        self.send_response(200)
        declared = len(cls.body) if cls.declared == "auto" else cls.declared
        if declared is not None:
            self.send_header("Content-Length", str(declared))
        else:
            self.close_connection = True
        self.end_headers()
        try:
            if cls.stall_after is not None:
                self.wfile.write(cls.body[:cls.stall_after])
                self.wfile.flush()
                cls.stop.wait(30)
            elif cls.trickle:
                for i in range(len(cls.body)):
                    if cls.stop.wait(cls.trickle):
                        return
                    self.wfile.write(cls.body[i:i + 1])
                    self.wfile.flush()
            elif cls.endless:
                while not cls.stop.is_set():
                    self.wfile.write(cls.body)
            else:
                self.wfile.write(cls.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop, "sigterm_seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{httpd.server_address[1]}/model.params"
    yield handler
    stop.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_env_limits(monkeypatch):
    for var in ("MXTORCH_DOWNLOAD_MAX_BYTES", "MXTORCH_DOWNLOAD_TOTAL_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)


def _left(folder) -> list:
    return sorted(os.listdir(folder))


def test_declared_length_over_cap_is_refused_before_reading(server, tmp_path, capsys):
    server.body = b"w" * 10_000
    with pytest.raises(MXNetError, match=r"declares 10000 bytes.*limit of 1000 bytes"):
        utils.download(server.url, path=str(tmp_path), max_bytes=1000, retries=3)
    assert _left(tmp_path) == []
    assert len(server.sigterm_seen) == 1  # a refusal by the size limit is not retried


def test_cap_from_environment(server, tmp_path, monkeypatch, capsys):
    server.body = b"w" * 10_000
    monkeypatch.setenv("MXTORCH_DOWNLOAD_MAX_BYTES", "1000")
    with pytest.raises(MXNetError, match="MXTORCH_DOWNLOAD_MAX_BYTES"):
        utils.download(server.url, path=str(tmp_path), retries=0)
    assert _left(tmp_path) == []
    monkeypatch.setenv("MXTORCH_DOWNLOAD_MAX_BYTES", "a lot")
    with pytest.raises(MXNetError, match=r"MXTORCH_DOWNLOAD_MAX_BYTES.*'a lot'.*positive integer"):
        utils.download(server.url, path=str(tmp_path), retries=0)


@pytest.mark.parametrize("endless", [False, True])
def test_undeclared_body_over_cap_is_cut_off(server, tmp_path, endless, capsys):
    server.body = b"w" * 4096
    server.declared = None
    server.endless = endless
    if not endless:
        server.body *= 4  # 16 KiB, then the connection closes
    start = time.monotonic()
    with pytest.raises(MXNetError, match="more than the limit of 8192 bytes"):
        utils.download(server.url, path=str(tmp_path), max_bytes=8192, retries=0)
    assert time.monotonic() - start < 10
    assert _left(tmp_path) == []


def test_body_shorter_than_declared_is_refused(server, tmp_path, capsys):
    server.body = b"w" * 5000
    server.declared = 10_000
    with pytest.raises(MXNetError, match="5000 of the 10000 bytes"):
        utils.download(server.url, path=str(tmp_path), retries=2)
    assert len(server.sigterm_seen) == 2  # a short transfer is a network failure: retried
    assert _left(tmp_path) == []


def test_body_within_cap_is_kept(server, tmp_path, capsys):
    server.body = b"w" * 8192
    path = utils.download(server.url, path=str(tmp_path), max_bytes=8192)
    assert open(path, "rb").read() == server.body
    server.declared = None
    path = utils.download(server.url, path=str(tmp_path / "undeclared.params"), max_bytes=8192)
    assert open(path, "rb").read() == server.body
    assert _left(tmp_path) == ["model.params", "undeclared.params"]


def test_trickling_server_hits_the_total_time_limit(server, tmp_path, capsys):
    server.body = b"w" * 1000
    server.trickle = 0.02  # 20 s for the whole body; every single read is quick
    start = time.monotonic()
    with pytest.raises(MXNetError, match=r"total time limit of 1(\.0)? s"):
        utils.download(server.url, path=str(tmp_path), total_timeout=1.0, retries=3)
    assert time.monotonic() - start < 4
    assert len(server.sigterm_seen) == 1  # the limit covers all attempts together
    assert _left(tmp_path) == []


def test_stalled_server_hits_the_total_time_limit_before_the_read_timeout(server, tmp_path,
                                                                         capsys, monkeypatch):
    server.body = b"w" * 1000
    server.stall_after = 10
    monkeypatch.setenv("MXTORCH_DOWNLOAD_TOTAL_TIMEOUT", "0.5")
    start = time.monotonic()
    with pytest.raises(MXNetError, match="total time limit"):
        utils.download(server.url, path=str(tmp_path), timeout=30.0, retries=0)
    assert time.monotonic() - start < 4
    assert _left(tmp_path) == []


def test_bad_limits_are_refused(tmp_path, monkeypatch):
    with pytest.raises(MXNetError, match="max_bytes.*positive"):
        utils.download("http://127.0.0.1:9/x", path=str(tmp_path), max_bytes=0)
    with pytest.raises(MXNetError, match="total_timeout.*positive"):
        utils.download("http://127.0.0.1:9/x", path=str(tmp_path), total_timeout=-1)
    with pytest.raises(MXNetError, match="timeout.*positive"):
        utils.download("http://127.0.0.1:9/x", path=str(tmp_path), timeout=float("nan"))
    monkeypatch.setenv("MXTORCH_DOWNLOAD_TOTAL_TIMEOUT", "soon")
    with pytest.raises(MXNetError, match="MXTORCH_DOWNLOAD_TOTAL_TIMEOUT.*'soon'"):
        utils.download("http://127.0.0.1:9/x", path=str(tmp_path))
    assert _left(tmp_path) == []


def test_keyboard_interrupt_leaves_no_temporary_file(server, tmp_path, capsys):
    server.body = b"w" * 1000
    server.trickle = 0.01
    main = threading.main_thread().ident

    def interrupt():
        deadline = time.monotonic() + 10
        while not os.listdir(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # some bytes are in the temporary file by now
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=interrupt)
    thread.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            utils.download(server.url, path=str(tmp_path), retries=0)
    finally:
        thread.join()
    assert _left(tmp_path) == []


_CHILD = textwrap.dedent("""
    import sys
    from mxtorch.gluon import utils
    from mxtorch.gluon.model_zoo import model_store
    if sys.argv[1] == "download":
        utils.download(sys.argv[2], path=sys.argv[3], retries=0)
    else:
        model_store.get_model_file("resnet18_v1", root=sys.argv[3])
""")


@pytest.mark.parametrize("entry", ["download", "get_model_file"])
def test_sigterm_mid_download_leaves_no_temporary_file(server, tmp_path, entry):
    server.body = b"w" * 1000
    server.trickle = 0.02
    repo = server.url.rsplit("/", 1)[0]
    env = dict(os.environ, MXNET_GLUON_REPO=repo)
    root = tmp_path / "root"
    root.mkdir()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, entry, server.url, str(root)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not server.sigterm_seen and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        assert server.sigterm_seen, child.stderr.read().decode()
        time.sleep(0.2)  # the body is arriving
        assert os.listdir(root)  # the temporary file exists before the signal
        child.send_signal(signal.SIGTERM)
        returncode = child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()
    assert returncode == -signal.SIGTERM  # still ends as a SIGTERM would have ended it
    assert _left(root) == []


def test_sigterm_handler_only_during_download_in_main_thread(server, tmp_path, capsys):
    server.body = b"w" * 100
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as a plain program has it
    try:
        _check_sigterm_handling(server, tmp_path)
    finally:
        signal.signal(signal.SIGTERM, before)


def _check_sigterm_handling(server, tmp_path):
    utils.download(server.url, path=str(tmp_path / "a"))
    assert callable(server.sigterm_seen[-1])  # installed while the body was served
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # and restored after

    worker = threading.Thread(target=utils.download, args=(server.url,),
                              kwargs={"path": str(tmp_path / "b")})
    worker.start()
    worker.join(30)
    assert server.sigterm_seen[-1] is signal.SIG_DFL  # never from another thread
    assert (tmp_path / "b").read_bytes() == server.body

    def mine(signum, frame):
        pass

    signal.signal(signal.SIGTERM, mine)
    utils.download(server.url, path=str(tmp_path / "c"))
    assert server.sigterm_seen[-1] is mine  # a program's own handler is left alone
    assert signal.getsignal(signal.SIGTERM) is mine


def test_plain_http_mirror_warns_once(monkeypatch, recwarn):
    monkeypatch.setattr(utils, "_warned_plain_http", set())
    monkeypatch.setenv("MXNET_GLUON_REPO", "http://mirror.example.com/")
    utils._get_repo_url()
    utils._get_repo_url()
    warned = [w for w in recwarn if "plain http" in str(w.message)]
    assert len(warned) == 1 and "mirror.example.com" in str(warned[0].message)
    recwarn.clear()
    for repo in ("https://mirror.example.com/", "http://127.0.0.1:8000/", "http://localhost/",
                 "http://[::1]:8000/"):
        monkeypatch.setenv("MXNET_GLUON_REPO", repo)
        utils._get_repo_url()
    assert not [w for w in recwarn if "plain http" in str(w.message)]


def test_plain_http_download_url_warns(monkeypatch, tmp_path, recwarn, capsys):
    monkeypatch.setattr(utils, "_warned_plain_http", set())

    def refuse(*args, **kwargs):
        raise OSError("no network in tests")

    monkeypatch.setattr(utils.urllib.request, "urlopen", refuse)
    with pytest.raises(OSError):
        utils.download("http://data.example.org/x.params", path=str(tmp_path), retries=0)
    warned = [w for w in recwarn if "plain http" in str(w.message)]
    assert len(warned) == 1 and "data.example.org" in str(warned[0].message)
