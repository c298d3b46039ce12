"""``mxtorch train lenet`` killed at every write and resumed: the model is never half-written.

The test runs this file as a script (the *driver*), in a subprocess. The driver imports mxtorch
once, then forks one trainer per crash point, so that each of the many runs costs a training
and not an interpreter start. In a trainer the write path (``os.replace``, ``os.fsync``,
``os.unlink``, ``os.remove``, ``os.rename``) is wrapped to count the calls that touch the run's
folder and to end the process with ``os._exit(137)`` just before the N-th one: nothing is
flushed and no ``finally`` runs, as with ``kill -9``. A reference run counts the calls; every N
from 1 to that count is a crash point. One more trainer gets a real SIGKILL in the middle of
its second epoch.

After each crash the driver loads ``--out`` with the digit app's card check (torch runs in the
driver too, on one thread, so forking stays safe), then runs the command again with ``--resume``
(or, when the crash came before the first checkpoint, shows that ``--resume`` refuses and runs it
without). From two of the crash states the resumed run is itself killed at each of its calls,
and resumed again. The driver reports, as JSON, what the test asserts:

* after a crash, ``--out`` is absent or loads and matches its card;
* ``--resume`` refuses only when no checkpoint was complete;
* the rerun succeeds, leaves no temporary or stale file in either folder, and its result (the
  parameters' bytes, the card's accuracy, the per-epoch loss and accuracies) is that of an
  uninterrupted run with the same seed.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not os.path.isdir("/proc/self/fd"),
                                reason="the driver forks its trainers and names files by /proc/self/fd")

EPOCHS, BATCH, SEED = 2, 16, 7
TRAIN_IMAGES, TEST_IMAGES = 64, 32


# -- the test -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report(mnist_test, tmp_path_factory) -> dict:
    """Run the driver once over every crash point; its JSON report."""
    work = tmp_path_factory.mktemp("crash")
    images, labels = mnist_test
    np.savez(work / "digits.npz", images=images[:TRAIN_IMAGES + TEST_IMAGES],
             labels=labels[:TRAIN_IMAGES + TEST_IMAGES])
    done = subprocess.run([sys.executable, __file__, str(work)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads((work / "report.json").read_text())


def test_every_crash_point_was_reached(report):
    reference = report["reference"]
    assert reference["status"] == 0 and len(reference["events"]) >= 20, reference
    crashes = report["crashes"]
    assert [c["at"] for c in crashes] == list(range(1, len(reference["events"]) + 1))
    assert all(c["status"] == 137 for c in crashes), [c["at"] for c in crashes if c["status"] != 137]
    resumes = report["resume_crashes"]
    assert len(resumes) >= 10 and all(c["status"] == 137 for c in resumes), [c["at"] for c in resumes]
    assert report["sigkill"]["status"] == -signal.SIGKILL


def _failures(report: dict, check) -> list[str]:
    return [f"{c['at']} ({c['event']}): {problem}"
            for c in report["crashes"] + report["resume_crashes"] + [report["sigkill"]]
            for problem in [check(c)] if problem]


def test_out_after_a_crash_is_absent_or_matches_its_card(report):
    def check(crash: dict) -> str | None:
        loaded = crash["after_crash"]["out"]
        if loaded == "absent" or loaded.get("verified"):
            return None
        return f"--out does not load with its card: {loaded}"

    failures = _failures(report, check)
    assert not failures, "\n".join(failures)


def test_resume_completes_without_leftovers(report):
    def check(crash: dict) -> str | None:
        final = crash["final"]
        if final["status"] != 0:
            return f"rerun failed: {final['stderr']}"
        expected_out = ["lenet-checkpoints", "lenet.json", "lenet.params"]
        expected_checkpoints = ["checkpoint.json", f"lenet-{EPOCHS:04d}.params", f"lenet-{EPOCHS:04d}.states"]
        if final["files"] != expected_out or final["checkpoints"] != expected_checkpoints:
            return f"left over: {final['files']} {final['checkpoints']}"
        return None

    failures = _failures(report, check)
    assert not failures, "\n".join(failures)


def test_resume_refuses_only_when_no_checkpoint_was_complete(report):
    def check(crash: dict) -> str | None:
        resumed = crash["resume"]
        if crash["after_crash"]["has_record"]:
            return None if resumed["status"] == 0 else f"--resume failed: {resumed['stderr']}"
        if resumed["status"] == 1 and "--resume: no checkpoint in" in resumed["stderr"]:
            return None
        return f"--resume without a checkpoint: {resumed}"

    failures = _failures(report, check)
    assert not failures, "\n".join(failures)


def test_resumed_result_equals_an_uninterrupted_run(report):
    reference = report["reference"]["result"]

    def check(crash: dict) -> str | None:
        result = crash["final"]["result"]
        if result == reference:
            return None
        return f"got {result}, uninterrupted run {reference}"

    failures = _failures(report, check)
    assert not failures, "\n".join(failures)


# -- the driver (run as a script) ----------------------------------------------------------------
class _WritePath:
    """Counts the write-path calls on paths under ``folder``; ends the process before call ``crash_at``."""

    CALLS = ("replace", "rename", "fsync", "unlink", "remove")

    def __init__(self, folder: pathlib.Path, crash_at: int | None = None):
        self.folder, self.crash_at, self.events = str(folder) + os.sep, crash_at, []
        self._saved = {name: getattr(os, name) for name in self.CALLS}

    def __enter__(self) -> "_WritePath":
        for name, call in self._saved.items():
            setattr(os, name, self._wrap(name, call))
        return self

    def __exit__(self, *exc) -> None:
        for name, call in self._saved.items():
            setattr(os, name, call)

    def _wrap(self, name: str, call):
        def wrapper(target, *args, **kwargs):
            path = os.readlink(f"/proc/self/fd/{target}") if isinstance(target, int) else os.fspath(target)
            path = os.path.abspath(path)
            if path.startswith(self.folder):
                self.events.append(f"{name} {_plain(path[len(self.folder):])}")
                if len(self.events) == self.crash_at:
                    os._exit(137)
            return call(target, *args, **kwargs)

        return wrapper


def _plain(name: str) -> str:
    """A temporary file's name without its process id and random part."""
    import re

    return re.sub(r"\.\d+\.[0-9a-f]{8}\.tmp", ".tmp", name)


def _train(out: pathlib.Path, *flags: str) -> int:
    """``mxtorch train lenet`` on the tiny data set, in this process."""
    from mxtorch.cli import main

    return main(["train", "lenet", "--epochs", str(EPOCHS), "--batch-size", str(BATCH),
                 "--seed", str(SEED), "--out", str(out), *flags])


def _fork(run, log: pathlib.Path) -> tuple[int, int]:
    """Start ``run()`` in a child writing its stderr to ``log``; the child's pid and a pipe's read end.

    The child writes one byte to the pipe when it wants to be killed (see ``_sigkill_mid_epoch``).
    """
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        status = 99
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 2)
            sys.stderr = open(2, "w", closefd=False)
            status = run(ready_w)
        except BaseException:  # report, and leave without running the parent's cleanup
            import traceback

            traceback.print_exc()
        sys.stderr.flush()
        os._exit(status)
    os.close(ready_w)
    return pid, ready_r


def _wait(pid: int, ready: int) -> int:
    os.close(ready)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _in_child(run, log: pathlib.Path) -> int:
    """Run ``run()`` in a child process; its exit status (negative: the signal that ended it)."""
    return _wait(*_fork(lambda ready: run(), log))


def _sigkill_mid_epoch(out: pathlib.Path, log: pathlib.Path) -> int:
    """A trainer that pauses half-way through its second epoch, where this process SIGKILLs it."""
    from mxtorch import gluon

    steps_per_epoch = TRAIN_IMAGES // BATCH

    def run(ready: int) -> int:
        step, count = gluon.Trainer.step, [0]

        def step_then_pause(self, *args, **kwargs):
            step(self, *args, **kwargs)
            count[0] += 1
            if count[0] == steps_per_epoch + steps_per_epoch // 2:
                os.write(ready, b"!")
                signal.pause()

        gluon.Trainer.step = step_then_pause
        return _train(out)

    pid, ready = _fork(run, log)
    if os.read(ready, 1):
        os.kill(pid, signal.SIGKILL)
    return _wait(pid, ready)


def _listing(folder: pathlib.Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _load(out: pathlib.Path) -> dict | str:
    """What the digit app makes of ``out``: absent, refused (why), or loaded (verified or not)."""
    from mxtorch.apps.digits.model import DigitClassifier

    if not out.exists():
        return "absent"
    try:
        info = DigitClassifier(out).info()
    except Exception as err:  # noqa: BLE001 - the report says which refusal it was
        return {"refused": f"{type(err).__name__}: {err}"}
    return {"verified": info["verified"], "epochs": info["epochs"], "sha256": info["sha256"]}


def _result(work: pathlib.Path) -> dict:
    """The finished run: its parameters' sha256, card and checkpoint record, without timings."""
    from mxtorch._fileio.atomic import hexdigest

    out = work / "lenet.params"
    if not out.is_file() or not (work / "lenet.json").is_file():
        return {"missing": _listing(work)}
    card = json.loads((work / "lenet.json").read_text())
    record_path = work / "lenet-checkpoints" / "checkpoint.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    return {"sha256": hexdigest(out), "loads": _load(out), "epochs": card.get("epochs"),
            "test_accuracy": card.get("test_accuracy"),
            "history": [[h.get("loss"), h.get("train_accuracy"), h.get("test_accuracy")]
                        for h in record.get("history", [])]}


def _after_crash(work: pathlib.Path, status: int, log: pathlib.Path) -> dict:
    """The state a crash left, then ``--resume`` (and, when that is refused, a plain rerun)."""
    out = work / "lenet.params"
    report = {"status": status, "after_crash": {
        "files": _listing(work), "checkpoints": _listing(work / "lenet-checkpoints"),
        "has_record": (work / "lenet-checkpoints" / "checkpoint.json").is_file(), "out": _load(out)}}
    status = _in_child(lambda: _train(out, "--resume"), log)
    report["resume"] = {"status": status, "stderr": log.read_text()[-2000:]}
    if status != 0:
        status = _in_child(lambda: _train(out), log)
    report["final"] = {"status": status, "stderr": log.read_text()[-2000:], "files": _listing(work),
                       "checkpoints": _listing(work / "lenet-checkpoints"), "result": _result(work)}
    return report


def _crash_into(work: pathlib.Path, at: int) -> int:
    """A trainer killed before its write-path call number ``at``."""
    work.mkdir()
    with _WritePath(work, crash_at=at):
        return _train(work / "lenet.params")


def _crash_the_resume(base: pathlib.Path, state: pathlib.Path, first: int, log: pathlib.Path) -> list[dict]:
    """From a crashed run's folder, ``--resume`` killed at its 1st, 2nd, ... write-path call."""
    crashes = []
    for at in range(1, 1000):
        work = base / f"crash-{first:03d}-{at:03d}"
        shutil.copytree(state, work)

        def resume(work=work, at=at) -> int:
            with _WritePath(work, crash_at=at):
                return _train(work / "lenet.params", "--resume")

        status = _in_child(resume, log)
        if status == 0:  # the resume made fewer calls: every one has been a crash point
            return crashes
        crashes.append({"at": f"{first}, then resume {at}", "event": "", **_after_crash(work, status, log)})
    raise AssertionError("--resume never finished")


def drive(base: pathlib.Path) -> None:
    """The reference run, every crash point, then the SIGKILL; writes ``base/report.json``."""
    import torch

    from mxtorch import gluon, nd
    from mxtorch.apps import train

    # One thread: OpenMP's pool does not survive fork(), and this process trains before forking.
    torch.set_num_threads(1)
    digits = np.load(base / "digits.npz")
    images, labels = digits["images"][:, :, :, None], digits["labels"].astype(np.int32)

    def loaders(root, batch_size):
        data = nd.array(images, dtype="uint8")
        fit = gluon.data.ArrayDataset(data[:TRAIN_IMAGES], labels[:TRAIN_IMAGES])
        test = gluon.data.ArrayDataset(data[TRAIN_IMAGES:], labels[TRAIN_IMAGES:])
        return (gluon.data.DataLoader(fit, batch_size=batch_size, shuffle=True, last_batch="discard"),
                gluon.data.DataLoader(test, batch_size=1000))

    train._mnist_loaders = loaders
    log = base / "stderr.txt"
    reference = base / "reference"
    reference.mkdir()
    with _WritePath(reference) as calls:  # in this process: it also warms up what the children inherit
        status = _train(reference / "lenet.params")
    report = {"reference": {"status": status, "events": calls.events, "result": _result(reference)},
              "crashes": []}
    for at, event in enumerate(calls.events, start=1):
        work = base / f"crash-{at:03d}"
        status = _in_child(lambda work=work, at=at: _crash_into(work, at), log)
        report["crashes"].append({"at": at, "event": event, **_after_crash(work, status, log)})
    # The resumed run killed in turn, at each of its write-path calls, from two states: epoch 1
    # recorded but not yet published, and the final model half-published (its card written).
    report["resume_crashes"] = []
    first_record = calls.events.index("replace lenet-checkpoints/.checkpoint.json.tmp") + 2
    half_published = len(calls.events) - calls.events[::-1].index("replace .lenet.params.tmp")
    for at in (first_record, half_published):
        state = base / f"state-{at:03d}"
        _in_child(lambda state=state, at=at: _crash_into(state, at), log)
        report["resume_crashes"] += _crash_the_resume(base, state, at, log)
    work = base / "sigkill"
    work.mkdir()
    status = _sigkill_mid_epoch(work / "lenet.params", log)
    report["sigkill"] = {"at": "SIGKILL", "event": "half-way through epoch 2",
                         **_after_crash(work, status, log)}
    (base / "report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    drive(pathlib.Path(sys.argv[1]))
