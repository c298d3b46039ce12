"""A short, deterministic round of fuzzing for every target in ``tests/fuzz/`` (see harness.py).

Longer campaigns: ``python -m tests.fuzz --seconds 1800`` (``make fuzz``).
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import harness
from tests.conftest import ROOT

TARGETS = harness.discover()
EXAMPLES = int(os.environ.get("MXTORCH_FUZZ_EXAMPLES", "300"))
# Peak resident memory may grow by at most this much over a warmed-up process while it reads hostile
# inputs (all under 1 MB); a reader that trusts a declared size blows through it at once.
MEMORY_BUDGET_MB = 160


@functools.lru_cache(maxsize=None)
def _seeds(name: str) -> tuple:
    return tuple(TARGETS[name].seeds())


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seeds_are_accepted(name):
    seeds = _seeds(name)
    assert seeds, f"target {name} has no seeds"
    harness.warm_up(TARGETS[name])


@pytest.mark.parametrize("path", [p for name in sorted(TARGETS) for p in harness.corpus(name)],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_input_is_handled(path):
    harness.check(TARGETS[path.parent.name], path.read_bytes())


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_mutated_inputs_are_accepted_or_refused(name):
    target = TARGETS[name]
    dictionary = tuple(getattr(target, "DICTIONARY", ()))

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(rng=st.randoms(use_true_random=False))
    def one_input(rng):
        harness.check(target, harness.mutate(list(_seeds(name)), rng, dictionary))

    one_input()


@pytest.fixture(scope="module")
def memory_report() -> dict:
    """One fresh process fuzzing every target in turn, so that ru_maxrss measures the readers alone:
    its growth over each target's warm-up bounds what that target's inputs made the process hold."""
    out = subprocess.run([sys.executable, "-m", "tests.fuzz", "--examples", "150", "--seed", "7", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.stdout, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_peak_memory_is_bounded(name, memory_report):
    report = memory_report[name]
    assert report["findings"] == 0, report
    growth_mb = (report["peak_rss_kb"] - report["warm_rss_kb"]) / 1024
    assert growth_mb < MEMORY_BUDGET_MB, report
