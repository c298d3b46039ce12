"""``mxtorch launch``: MXNet launch.py's options on torchrun; the local launcher stops a job
whose worker fails, the ssh launcher's command lines are checked as built. (The 2-worker
kvstore, Trainer and Module checks of test_dist_kvstore.py run under the local launcher.)"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mxtorch import cli, launch

HERE = Path(__file__).resolve().parent
TIMEOUT = 90


def parse(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["launch", *argv])


def run_cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")}
    env.update(MXTORCH_DIST_TIMEOUT="20", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "mxtorch", "launch", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)


def test_a_failing_worker_stops_the_others_and_the_launch(tmp_path: Path) -> None:
    code = ("import os, time, pathlib\n"
            "rank = int(os.environ['RANK'])\n"
            "assert os.environ['MXTORCH_TEST_MARK'] == '7' and os.environ['WORLD_SIZE'] == '2'\n"
            f"pathlib.Path({str(tmp_path)!r}, f'pid-{{rank}}').write_text(str(os.getpid()))\n"
            "time.sleep(1 if rank else 300)\n"
            "raise SystemExit(3)\n")
    start = time.monotonic()
    proc = run_cli("-n", "2", "--env", "MXTORCH_TEST_MARK:7", sys.executable, "-c", code,
                   cwd=tmp_path)
    assert proc.returncode != 0
    assert time.monotonic() - start < 60, "the sleeping worker was not stopped"
    pid = int((tmp_path / "pid-0").read_text())
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_ssh_command_lines(tmp_path: Path) -> None:
    hostfile = tmp_path / "hosts"
    hostfile.write_text("# the machines\nnode1 slots=4\n\nnode2\nnode3\n")
    hosts = launch.read_hostfile(str(hostfile))
    assert hosts == ["node1", "node2", "node3"]
    assert launch.worker_counts(4, hosts) == [("node1", 2), ("node2", 1), ("node3", 1)]
    assert launch.worker_counts(2, hosts) == [("node1", 1), ("node2", 1)]
    args = parse("-n", "4", "-H", str(hostfile), "--sync-dst-dir", "/tmp/job", "--env", "A:1 2",
                 "--ssh-port", "2222", "python", "train.py", "--kv-store", "dist_sync")
    cmds = launch.ssh_commands(args, hosts, "job1", cwd="/home/me/proj")
    syncs, runs = cmds[:3], cmds[3:]
    assert [c[0] for c in syncs] == ["rsync"] * 3
    assert syncs[0][-2:] == ["/home/me/proj/", "node1:/tmp/job"]
    assert len(runs) == 3 and all(r[:5] == ["ssh", "-o", "StrictHostKeyChecking=no", "-o",
                                            "BatchMode=yes"] for r in runs)
    assert runs[1][5:8] == ["-p", "2222", "node2"]
    line = shlex.split(runs[0][-1])
    assert line[:4] == ["cd", "/tmp/job", "&&", "env"] and line[4] == "A=1 2"
    torchrun = line[5:]
    assert torchrun[1:3] == ["-m", "torch.distributed.run"]
    opts = dict(zip(torchrun[3:15:2], torchrun[4:15:2]))
    assert opts == {"--nnodes": "3", "--nproc-per-node": "2", "--rdzv-backend": "c10d",
                    "--rdzv-endpoint": f"node1:{launch.DEFAULT_PORT}", "--rdzv-id": "job1",
                    "--max-restarts": "0"}
    assert torchrun[15:] == ["--no-python", "python", "train.py", "--kv-store", "dist_sync"]
    assert shlex.split(runs[2][-1])[5:][6] == "1"  # node3 starts one worker


def test_refusals() -> None:
    with pytest.raises(ValueError, match="--launcher mpi is not available"):
        launch.launch(parse("-n", "2", "--launcher", "mpi", "python", "x.py"))
    with pytest.raises(ValueError, match="needs -H HOSTFILE"):
        launch.launch(parse("-n", "2", "--launcher", "ssh", "python", "x.py"))
    with pytest.raises(ValueError, match="no COMMAND"):
        launch.launch(parse("-n", "2"))
    with pytest.raises(ValueError, match="expected NAME:VALUE"):
        launch._worker_env(parse("-n", "1", "--env", "A B:1", "x"))
