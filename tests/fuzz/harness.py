"""Fuzzing mxtorch's readers of untrusted bytes.

A *target* is a module ``tests/fuzz/target_<name>.py`` that declares:

``NAME``
    The target's name (also its corpus folder, ``tests/fuzz/corpus/<NAME>/``).
``seeds() -> list[bytes]``
    Small valid inputs; each must be accepted without any exception.
``run(data: bytes) -> None``
    Feeds ``data`` to the code under test as a user's file or request would reach it.
``REFUSALS``
    The exception types a refusal may take (``(MXNetError,)`` for the file readers).
``DICTIONARY`` (optional)
    Byte strings worth splicing into inputs (JSON keys, magic numbers).

The mutator, the checks and the campaign loop live here once; ``test_fuzz.py`` runs a short,
deterministic round of them in ``make test`` and ``python -m tests.fuzz`` runs long campaigns
(coverage-guided with atheris when it is installed).
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import pathlib
import random
import re
import signal
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable, Iterator

FUZZ_DIR = pathlib.Path(__file__).resolve().parent
CORPUS_DIR = FUZZ_DIR / "corpus"
TIME_LIMIT_S = 2.0      # no single input may take longer than this
MAX_INPUT_BYTES = 1 << 20

# Values that sit on the edges readers get wrong: zero, signs, the ends of each integer width.
_INTERESTING_INTS = (0, 1, 2, 3, 7, 16, 32, 33, 64, 100, 127, 128, 255, 256, 1023, 1024, 4096,
                     65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53, 2**63 - 1, 2**63,
                     2**64 - 1)
_INTERESTING_TEXT = (b"0", b"-1", b"1e999", b"-1e999", b"NaN", b"Infinity", b"99999999999999999999",
                     b"(" + b"1, " * 64 + b"1)", b"[" * 64, b"{" * 64, b'"', b"\\u0000", b"\xff\xfe",
                     b"null", b"true", b"()", b"(0, 0)", b"(-1, -1)", b"2147483648", b"1" * 5000)


def discover() -> dict[str, ModuleType]:
    """The fuzz targets, by name."""
    targets = {}
    for path in sorted(FUZZ_DIR.glob("target_*.py")):
        module = importlib.import_module(f"tests.fuzz.{path.stem}")
        targets[module.NAME] = module
    return targets


def corpus(name: str) -> list[pathlib.Path]:
    """Inputs kept for ``name``: crashers found earlier, replayed as regression tests."""
    folder = CORPUS_DIR / name
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


# -- mutation ----------------------------------------------------------------------------------
@dataclass
class _Context:
    rng: random.Random
    seeds: list
    dictionary: tuple


def _flip_bit(data: bytes, c: _Context) -> bytes:
    if not data:
        return data
    i = c.rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << c.rng.randrange(8))]) + data[i + 1:]


def _set_byte(data: bytes, c: _Context) -> bytes:
    if not data:
        return bytes([c.rng.randrange(256)])
    i = c.rng.randrange(len(data))
    value = c.rng.choice((0, 1, 0x7F, 0x80, 0xFF, c.rng.randrange(256)))
    return data[:i] + bytes([value]) + data[i + 1:]


def _set_integer(data: bytes, c: _Context) -> bytes:
    """Overwrite 4 or 8 bytes with an edge value: binary formats store counts and shapes so."""
    width = c.rng.choice((4, 8))
    if len(data) < width:
        return data
    i = c.rng.randrange(len(data) - width + 1)
    value = c.rng.choice(_INTERESTING_INTS) * c.rng.choice((1, 1, -1))
    packed = (value % 2 ** (8 * width)).to_bytes(width, "little")   # negatives as two's complement
    return data[:i] + packed + data[i + width:]


_DIGITS = re.compile(rb"[0-9]+")
_NUMBER_TOKENS = _INTERESTING_TEXT + tuple(str(v).encode() for v in _INTERESTING_INTS)


def _replace_number(data: bytes, c: _Context) -> bytes:
    """Swap a run of digits in text for an edge value: text formats store counts so."""
    runs = [m.span() for m in _DIGITS.finditer(data)]
    if not runs:
        return _insert_token(data, c)
    i, j = c.rng.choice(runs)
    return data[:i] + c.rng.choice(_NUMBER_TOKENS) + data[j:]


def _insert_token(data: bytes, c: _Context) -> bytes:
    token = c.rng.choice(_INTERESTING_TEXT + c.dictionary) if c.dictionary or c.rng.random() < 0.5 \
        else bytes(c.rng.randrange(256) for _ in range(c.rng.randrange(1, 9)))
    i = c.rng.randrange(len(data) + 1)
    return data[:i] + token + data[i:]


def _truncate(data: bytes, c: _Context) -> bytes:
    return data[:c.rng.randrange(len(data) + 1)]


def _delete_chunk(data: bytes, c: _Context) -> bytes:
    if not data:
        return data
    i = c.rng.randrange(len(data))
    return data[:i] + data[i + c.rng.randrange(1, 64):]


def _duplicate_chunk(data: bytes, c: _Context) -> bytes:
    if not data:
        return data
    i = c.rng.randrange(len(data))
    chunk = data[i:i + c.rng.randrange(1, 256)]
    j = c.rng.randrange(len(data) + 1)
    return data[:j] + chunk * c.rng.choice((1, 2, 8)) + data[j:]


def _splice(data: bytes, c: _Context) -> bytes:
    other = c.rng.choice(c.seeds)
    i, j = c.rng.randrange(len(data) + 1), c.rng.randrange(len(other) + 1)
    return data[:i] + other[j:]


_MUTATIONS: tuple[Callable[[bytes, _Context], bytes], ...] = (
    _flip_bit, _set_byte, _set_integer, _set_integer, _replace_number, _replace_number, _insert_token,
    _truncate, _delete_chunk, _duplicate_chunk, _splice)


def mutate(seeds: list, rng: random.Random, dictionary: tuple = ()) -> bytes:
    """One input: a seed (or, now and then, random bytes) under a few stacked mutations."""
    c = _Context(rng, seeds, dictionary)
    if rng.random() < 0.03:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    data = rng.choice(seeds)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 8))):
        data = rng.choice(_MUTATIONS)(data, c)
    return data[:MAX_INPUT_BYTES]


# -- checking ----------------------------------------------------------------------------------
class InputTookTooLong(Exception):
    """Raised inside the code under test when it runs past its time limit."""


@contextlib.contextmanager
def deadline(seconds: float = TIME_LIMIT_S) -> Iterator[None]:
    """Interrupt the input after ``seconds`` of wall time (main thread only: SIGALRM)."""
    def _expired(signum, frame):
        raise InputTookTooLong(f"an input took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Finding(AssertionError):
    """An input the target mishandled: an exception other than a refusal, or too slow."""

    def __init__(self, target: str, data: bytes, problem: str):
        super().__init__(f"fuzz target {target!r}: {problem} (input of {len(data)} bytes, "
                         f"sha1 {hashlib.sha1(data).hexdigest()[:12]}: {data[:120]!r}...)")
        self.data = data


def check(target: ModuleType, data: bytes, time_limit: float = TIME_LIMIT_S) -> bool:
    """Run one input; True if accepted, False if refused properly; raises Finding otherwise."""
    start = time.perf_counter()
    try:
        with deadline(time_limit):
            target.run(data)
        return True
    except target.REFUSALS as err:
        if not str(err):
            raise Finding(target.NAME, data, f"a refusal without a message: {type(err).__name__}") from err
        return False
    except InputTookTooLong as err:
        raise Finding(target.NAME, data, str(err)) from None
    except Exception as err:  # noqa: BLE001 (every other exception type is the finding)
        raise Finding(target.NAME, data, f"{type(err).__name__}: {err} after "
                                         f"{time.perf_counter() - start:.2f} s") from err


# The first inputs pay for lazy imports and first-call set-up (a CUDA context where torch sees a
# GPU: seconds on a loaded machine); only later inputs are held to TIME_LIMIT_S.
WARM_UP_LIMIT_S = 120.0


def warm_up(target: ModuleType) -> list:
    """Run the target's seeds once, each of which must be accepted; returns them."""
    seeds = target.seeds()
    for data in seeds:
        if not check(target, data, time_limit=WARM_UP_LIMIT_S):
            raise Finding(target.NAME, data, "one of the target's own seeds was refused")
    return seeds


def save_finding(name: str, data: bytes) -> pathlib.Path:
    """Keep a crasher in the target's corpus folder, named by its content."""
    folder = CORPUS_DIR / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{hashlib.sha1(data).hexdigest()[:16]}"
    path.write_bytes(data)
    return path


@dataclass
class CampaignResult:
    tried: int = 0
    accepted: int = 0
    refused: int = 0
    findings: list = field(default_factory=list)


def campaign(target: ModuleType, *, seconds: float | None = None, examples: int | None = None,
             seed: int = 0, keep_going: bool = False,
             on_finding: Callable[[Finding], None] | None = None) -> CampaignResult:
    """Mutate the target's seeds until the time or the example budget is spent."""
    rng = random.Random(seed)
    seeds = warm_up(target)
    dictionary = tuple(getattr(target, "DICTIONARY", ()))
    result = CampaignResult()
    deadline = time.monotonic() + seconds if seconds is not None else None
    while (examples is None or result.tried < examples) and (deadline is None or time.monotonic() < deadline):
        data = mutate(seeds, rng, dictionary)
        result.tried += 1
        try:
            if check(target, data):
                result.accepted += 1
            else:
                result.refused += 1
        except Finding as finding:
            result.findings.append(finding)
            if on_finding is not None:
                on_finding(finding)
            if not keep_going:
                break
    return result
