"""The fuzz harness itself: it must catch what it is there to catch."""
from __future__ import annotations

import struct
import time
import types

import pytest

from mxtorch.base import MXNetError
from tests.fuzz import harness


def _target(run, seeds=(b"\x12\x01\x00\x00\x00\x00\x00\x00" * 4,)):
    return types.SimpleNamespace(NAME="planted", REFUSALS=(MXNetError,), run=run,
                                 seeds=lambda: list(seeds))


def test_refusal_and_acceptance_are_told_apart():
    def run(data):
        if not data:
            raise MXNetError("empty")
    assert harness.check(_target(run), b"x") is True
    assert harness.check(_target(run), b"") is False


def test_other_exception_types_are_findings():
    def run(data):
        raise KeyError("x")
    with pytest.raises(harness.Finding, match="KeyError"):
        harness.check(_target(run), b"x")


def test_refusal_without_message_is_a_finding():
    def run(data):
        raise MXNetError()
    with pytest.raises(harness.Finding, match="without a message"):
        harness.check(_target(run), b"x")


def test_slow_input_is_a_finding():
    def run(data):
        time.sleep(5)
    start = time.monotonic()
    with pytest.raises(harness.Finding, match="took more than"):
        harness.check(_target(run), b"x", time_limit=0.2)
    assert time.monotonic() - start < 2


def test_campaign_reaches_integer_edge_values():
    # A reader that trusts a 32-bit count near INT32_MAX: the mutator must find it within a few
    # thousand inputs, as it must find the real ones.
    def run(data):
        for (count,) in struct.iter_unpack("<i", data[:len(data) // 4 * 4]):
            if count >= 2**31 - 1:
                raise OverflowError("allocating 2**31 items")
    result = harness.campaign(_target(run), examples=5000, seed=1)
    assert result.findings and "OverflowError" in str(result.findings[0])


def test_campaign_reaches_large_numbers_in_text():
    def run(data):
        for token in data.split(b","):
            if token.strip().isdigit() and int(token) > 2**40:
                raise MemoryError("huge count")
    result = harness.campaign(_target(run, seeds=(b'{"num_outputs": "2", "kernel": "(3, 3)"}',)),
                              examples=5000, seed=1)
    assert result.findings
