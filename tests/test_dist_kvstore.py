"""Distributed kvstores on torch.distributed (Gloo, 127.0.0.1): 2 and 3 worker processes.

The workers are tests/dist_worker.py, started by ``mxtorch launch`` (torchrun) or here with
torchrun's variables; every run is bounded
(a timeout on the whole job, MXTORCH_DIST_TIMEOUT inside it) and its processes always killed.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from mxtorch.kvstore import dist

from . import dist_worker   # (not via sys.path: tests/ on it would shadow installed packages, gluoncv)

HERE = Path(__file__).resolve().parent

JOB_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_env(rank: int, world: int, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DMLC_", "TORCHELASTIC_"))}
    env.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
               MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), MXTORCH_DIST_TIMEOUT="20",
               OMP_NUM_THREADS="1")
    return env


def run_job(scenario: str, world: int, out: Path, expect_ok: bool = True) -> list:
    """Starts ``world`` workers of ``scenario``; returns their (returncode, output)."""
    port = free_port()
    procs = [subprocess.Popen([sys.executable, str(HERE / "dist_worker.py"), scenario, str(out)],
                              env=worker_env(r, world, port), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
             for r in range(world)]
    return _wait(procs, scenario, expect_ok)


def launch_job(scenario: str, world: int, out: Path) -> list:
    """The same job started as users do: ``mxtorch launch -n world --launcher local``."""
    env = {k: v for k, v in worker_env(0, 1, 0).items()
           if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    proc = subprocess.Popen([sys.executable, "-m", "mxtorch", "launch", "-n", str(world),
                             "--launcher", "local", sys.executable, str(HERE / "dist_worker.py"),
                             scenario, str(out)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    return _wait([proc], scenario, True)


def _wait(procs: list, scenario: str, expect_ok: bool) -> list:
    results = []
    deadline = time.monotonic() + JOB_TIMEOUT
    try:
        for proc in procs:
            text, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            results.append((proc.returncode, text))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if expect_ok:
        failed = [f"process {i} of {scenario} exited with {code}:\n{text[-6000:]}"
                  for i, (code, text) in enumerate(results) if code != 0]
        assert not failed, "\n".join(failed)
    return results


def reference_trainer(world: int) -> dict:
    """One process trained on the combined batch with the same step(batch_size)."""
    x, y = dist_worker.data(world)
    net = dist_worker.make_net(seed=0)
    tr = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    return dist_worker.train(net, tr, x, y)


@pytest.mark.parametrize("world", [2, 3])
def test_dist_sync_kvstore_trainer_and_module(tmp_path: Path, world: int) -> None:
    # 2 workers as users start them (torchrun's environment), 3 started here with its variables
    if world == 2:
        launch_job("kvstore,trainer,module", world, tmp_path)
    else:
        run_job("kvstore,trainer", world, tmp_path)
    expected = reference_trainer(world)
    for rank in range(world):
        got = np.load(tmp_path / f"trainer-{rank}.npz")
        for tag in ("kv", "grads", "hvd"):
            for name, value in expected.items():
                np.testing.assert_allclose(got[f"{tag}/{name}"], value, rtol=1e-5, atol=1e-6,
                                           err_msg=f"rank {rank} {tag} {name}")
    if world == 2:
        x, y = dist_worker.data(world)
        ref = dist_worker._fit_module(x.reshape(-1, 1, 8, 8), y.reshape(-1), seed=0,
                                      kvstore="local", batch_size=world * dist_worker.BATCH)
        args, _ = ref.get_params()
        for rank in range(world):
            for tag in ("module", "module-local-update"):
                got = np.load(tmp_path / f"{tag}-{rank}.npz")
                for name, value in args.items():
                    np.testing.assert_allclose(got[name], value.asnumpy(), rtol=1e-5, atol=1e-6,
                                               err_msg=f"rank {rank} {tag} {name}")


def test_killed_worker_ends_the_job_with_an_error(tmp_path: Path) -> None:
    start = time.monotonic()
    results = run_job("die", 2, tmp_path, expect_ok=False)
    assert results[1][0] == 3
    assert results[0][0] == 4, results[0][1][-3000:]
    text = (tmp_path / "die-0.txt").read_text()
    assert "failed on rank 0 of 2 workers" in text and "key 0" in text
    assert time.monotonic() - start < JOB_TIMEOUT


def test_one_process_without_a_job_is_a_job_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RANK", "WORLD_SIZE", "DMLC_NUM_WORKER", "DMLC_ROLE"):
        monkeypatch.delenv(name, raising=False)
    kv = mx.kv.create("dist_sync")
    assert (kv.type, kv.rank, kv.num_workers) == ("dist_sync", 0, 1)
    kv.init("a", mx.nd.ones((2,)))
    kv.push("a", [mx.nd.ones((2,)), mx.nd.ones((2,))])
    out = mx.nd.zeros((2,))
    kv.pull("a", out=out)
    assert (out.asnumpy() == 2).all()
    kv._barrier()
    assert mx.kv.create("horovod").is_capable("optimizer") is False
    assert mx.kv.create("nccl").is_capable("optimizer") is True
    with pytest.raises(MXNetError, match="Unknown type for gradient compression 1bit"):
        kv.set_gradient_compression({"type": "1bit"})
    with pytest.raises(MXNetError, match="threshold must be greater than 0"):
        kv.set_gradient_compression({"type": "2bit", "threshold": 0})
    with pytest.raises(MXNetError, match="'type' is missing"):
        kv.set_gradient_compression({"threshold": 1})
    with pytest.warns(UserWarning, match="synchronously"):
        dist._warned_async = False
        assert mx.kv.create("dist_async").type == "dist_async"


def test_environment_of_torchrun_and_dmlc() -> None:
    job = dist._job_from_env
    assert job({}) == (0, 1, "", "")
    assert job({"RANK": "1", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "9"}) == \
        (1, 2, "h", "9")
    assert job({"DMLC_ROLE": "worker", "DMLC_NUM_WORKER": "4", "DMLC_TASK_ID": "3",
                "DMLC_PS_ROOT_URI": "10.0.0.1", "DMLC_PS_ROOT_PORT": "9091"}) == \
        (3, 4, "10.0.0.1", "9091")
    with pytest.raises(MXNetError, match="DMLC_ROLE='server'.*no parameter servers"):
        job({"DMLC_ROLE": "server"})
    with pytest.raises(MXNetError, match="no worker rank"):
        job({"DMLC_NUM_WORKER": "2", "DMLC_PS_ROOT_URI": "h", "DMLC_PS_ROOT_PORT": "1"})
    with pytest.raises(MXNetError, match="WORLD_SIZE not set"):
        job({"RANK": "0"})
    with pytest.raises(MXNetError, match="rank 2 of 2"):
        job({"RANK": "2", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "1"})
    with pytest.raises(MXNetError, match="MASTER_ADDR and MASTER_PORT"):
        job({"RANK": "0", "WORLD_SIZE": "2"})


def test_a_worker_alone_gives_up_joining_in_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    code = ("import mxtorch as mx\n"
            "try:\n    mx.kv.create('dist_sync')\n"
            "except mx.base.MXNetError as err:\n    print(err)\n    raise SystemExit(5)\n")
    env = worker_env(1, 2, free_port())
    env["MXTORCH_DIST_TIMEOUT"] = "3"
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=JOB_TIMEOUT)
    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert "rank 1 could not join the job of 2 workers" in proc.stdout
    assert time.monotonic() - start < 40


def test_split_sampler_shards_the_data_per_worker() -> None:
    parts = [list(mx.gluon.data.SplitSampler(10, 3, i)) for i in range(3)]
    assert [len(p) for p in parts] == [3, 3, 3]
    assert sorted(sum(parts, [])) == list(range(9))
    assert list(mx.gluon.data.SplitSampler(10, 3, 1, shuffle=False)) == [3, 4, 5]
    assert len(mx.gluon.data.SplitSampler(10, 3, 2)) == 3
    data = mx.gluon.data.ArrayDataset(np.arange(10, dtype=np.float32))
    loader = mx.gluon.data.DataLoader(
        data, batch_size=2, sampler=mx.gluon.data.SplitSampler(10, 2, 1, shuffle=False))
    assert [b.asnumpy().tolist() for b in loader] == [[5, 6], [7, 8], [9]]
    with pytest.raises(ValueError, match="part_index 3 must be in"):
        mx.gluon.data.SplitSampler(10, 3, 3)
