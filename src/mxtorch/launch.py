"""``mxtorch launch``: start a distributed job as MXNet's tools/launch.py does, on torchrun.

``mxtorch launch -n 4 python train.py --kv-store dist_sync`` starts four workers on this machine;
``mxtorch launch -n 8 -H hosts --launcher ssh python train.py ...`` spreads eight workers over the
machines listed in ``hosts`` (one host name per line), logging in with ssh. Either way each
machine runs one ``torchrun`` (``python -m torch.distributed.run``) that starts its share of the
workers and meets the other machines at a c10d rendezvous on the first host; the workers find the
job in torchrun's environment, which the distributed kvstores read. There are no parameter
servers: ``-s/--num-servers`` and ``--env-server`` are accepted for MXNet's command lines and
ignored. When one worker fails, torchrun stops the others and the launch ends with its status.
"""
from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from typing import Any, Optional, Sequence

__all__ = ["add_launch", "launch", "read_hostfile", "worker_counts", "torchrun_command",
           "ssh_commands", "DEFAULT_PORT"]

#: the rendezvous port on the first host of an ssh job (a free port is taken for a local job)
DEFAULT_PORT = 29500
_MAX_HOSTFILE_BYTES = 1 << 20


def add_launch(subparsers: Any) -> None:
    """``mxtorch launch``: MXNet launch.py's options, run on torchrun."""
    p = subparsers.add_parser(
        "launch", help="launch a distributed job (MXNet's tools/launch.py on torchrun)",
        description="Launch a distributed job: start NUM_WORKERS copies of COMMAND with torchrun "
                    "(c10d rendezvous), on this machine (--launcher local) or on the machines of "
                    "a hostfile over ssh (--launcher ssh). The workers' kvstores ('dist_sync', "
                    "...) read the job from torchrun's environment.")
    p.add_argument("-n", "--num-workers", required=True, type=int,
                   help="number of worker processes to launch")
    p.add_argument("-s", "--num-servers", type=int, default=None,
                   help="accepted for MXNet command lines and ignored: there are no servers")
    p.add_argument("-H", "--hostfile", type=str, default=None,
                   help="file of the machines to run on, one host name per line (ssh launcher)")
    p.add_argument("--sync-dst-dir", type=str, default=None,
                   help="with the ssh launcher, first copy the current folder to this folder of "
                        "every machine (rsync) and run COMMAND there")
    p.add_argument("--launcher", type=str, default=None, choices=["local", "ssh", "mpi", "sge", "yarn"],
                   help="how to start the workers: 'local' (default without -H) or 'ssh' (default "
                        "with -H); mpi, sge and yarn are MXNet's and not available")
    p.add_argument("--env-server", action="append", default=[],
                   help="accepted for MXNet command lines and ignored: there are no servers")
    p.add_argument("--env-worker", action="append", default=[],
                   help="NAME:VALUE (or NAME, taking this shell's value) set in every worker")
    p.add_argument("--env", action="append", default=[],
                   help="NAME:VALUE (or NAME) set in every worker (MXNet: and every server)")
    p.add_argument("--port", type=int, default=None,
                   help=f"rendezvous port (default: a free one for local, {DEFAULT_PORT} for ssh)")
    p.add_argument("--ssh-port", type=int, default=None, help="ssh port of the machines")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND",
                   help="the command every worker runs, e.g. python train.py --kv-store dist_sync")
    p.set_defaults(run=_run_launch)


def _run_launch(args: argparse.Namespace, argv: Sequence[str]) -> int:
    return launch(args)


def _fail(text: str) -> None:
    raise ValueError(f"launch: {text}")


def read_hostfile(path: str) -> list:
    """The host names of a hostfile: one per line, blank lines and ``#`` comments skipped;
    a line's further fields (MPI's ``slots=``) are ignored."""
    try:
        size = os.path.getsize(path)
    except OSError as err:
        _fail(f"-H {path}: {err.strerror}")
    if size > _MAX_HOSTFILE_BYTES:
        _fail(f"-H {path}: {size} bytes, more than a hostfile's {_MAX_HOSTFILE_BYTES}")
    hosts = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if fields:
                hosts.append(fields[0])
    if not hosts:
        _fail(f"-H {path}: no host names in it (expected one per line)")
    return hosts


def worker_counts(num_workers: int, hosts: Sequence[str]) -> list:
    """(host, number of workers) with the workers spread round-robin over the hosts, as MXNet's
    ssh launcher places them; hosts left without a worker are dropped."""
    counts = [(host, num_workers // len(hosts) + (1 if i < num_workers % len(hosts) else 0))
              for i, host in enumerate(hosts)]
    return [(host, n) for host, n in counts if n]


def _worker_env(args: argparse.Namespace) -> dict:
    env = {}
    for item in list(args.env) + list(args.env_worker):
        name, sep, value = item.partition(":")
        if not name or not name.replace("_", "a").isalnum():
            _fail(f"--env {item!r}: expected NAME:VALUE or NAME")
        if not sep:
            if name not in os.environ:
                _fail(f"--env {name}: not set in this shell (give NAME:VALUE)")
            value = os.environ[name]
        env[name] = value
    return env


def torchrun_command(nnodes: int, nproc: int, endpoint: str, run_id: str, command: Sequence[str],
                     python: str = sys.executable) -> list:
    """The torchrun command line that starts ``nproc`` workers of ``command`` on one machine of
    a job of ``nnodes`` machines meeting at ``endpoint``; no restarts, so a failure ends the job."""
    return [python, "-m", "torch.distributed.run", "--nnodes", str(nnodes),
            "--nproc-per-node", str(nproc), "--rdzv-backend", "c10d",
            "--rdzv-endpoint", endpoint, "--rdzv-id", run_id, "--max-restarts", "0",
            "--no-python", *command]


def ssh_commands(args: argparse.Namespace, hosts: Sequence[str], run_id: str,
                 cwd: Optional[str] = None) -> list:
    """The command lines of an ssh job: the rsync ones (with ``--sync-dst-dir``) and then one
    ssh per machine running its torchrun, in the job's folder with the workers' variables."""
    placed = worker_counts(args.num_workers, hosts)
    port = args.port or DEFAULT_PORT
    endpoint = f"{placed[0][0]}:{port}"
    ssh = ["ssh", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes"]
    if args.ssh_port:
        ssh += ["-p", str(args.ssh_port)]
    folder = args.sync_dst_dir or cwd or os.getcwd()
    syncs = []
    if args.sync_dst_dir:
        local = (cwd or os.getcwd()).rstrip("/") + "/"
        for host, _ in placed:
            syncs.append(["rsync", "-az", "--rsh", shlex.join(ssh), local,
                          f"{host}:{args.sync_dst_dir}"])
    env = _worker_env(args)
    runs = []
    for host, nproc in placed:
        remote = torchrun_command(len(placed), nproc, endpoint, run_id, args.command)
        line = f"cd {shlex.quote(folder)} && " + \
            (f"env {' '.join(shlex.quote(f'{k}={v}') for k, v in env.items())} " if env else "") + \
            shlex.join(remote)
        runs.append(ssh + [host, line])
    return syncs + runs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs: Sequence[subprocess.Popen], grace: float = 10.0) -> None:
    """Ends the process groups still running: SIGTERM, then SIGKILL after ``grace`` seconds."""
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def _supervise(commands: Sequence[Sequence[str]], env: Optional[dict]) -> int:
    """Runs ``commands`` together, each in its own process group; the first to fail (or a
    SIGINT/SIGTERM of the launcher) stops the others. The first non-zero status, else 0."""
    procs = [subprocess.Popen(list(c), env=env, start_new_session=True) for c in commands]
    received: list = []

    def on_signal(signum: int, frame: Any) -> None:
        received.append(signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            codes = [p.poll() for p in procs]
            failed = [c for c in codes if c not in (None, 0)]
            if received:
                return 128 + received[0]
            if failed:
                return failed[0]
            if all(c == 0 for c in codes):
                return 0
            time.sleep(0.1)
    finally:
        _stop(procs)
        for s, handler in old.items():
            signal.signal(s, handler)


def launch(args: argparse.Namespace) -> int:
    """Starts the job ``args`` describes (the parsed options of ``mxtorch launch``) and waits for
    it; returns its exit status."""
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    args.command = command
    if not command:
        _fail("no COMMAND given (e.g. python train.py --kv-store dist_sync)")
    if args.num_workers < 1:
        _fail(f"-n {args.num_workers}: expected at least 1 worker")
    launcher = args.launcher or ("ssh" if args.hostfile else "local")
    if launcher in ("mpi", "sge", "yarn"):
        _fail(f"--launcher {launcher} is not available: use 'local' for one machine or 'ssh' with "
              "-H HOSTFILE for several (each runs torchrun)")
    if args.num_servers:
        print("mxtorch launch: -s/--num-servers ignored: the workers sum over torch.distributed, "
              "without servers", file=sys.stderr)
    run_id = uuid.uuid4().hex[:12]
    if launcher == "local":
        env = dict(os.environ)
        env.update(_worker_env(args))
        endpoint = f"127.0.0.1:{args.port or _free_port()}"
        return _supervise([torchrun_command(1, args.num_workers, endpoint, run_id, command)], env)
    if not args.hostfile:
        _fail("--launcher ssh needs -H HOSTFILE (the machines to run on, one per line)")
    commands = ssh_commands(args, read_hostfile(args.hostfile), run_id)
    syncs = [c for c in commands if c[0] == "rsync"]
    for sync in syncs:
        code = subprocess.call(sync)
        if code:
            _fail(f"{shlex.join(sync)} exited with {code}")
    return _supervise(commands[len(syncs):], None)
