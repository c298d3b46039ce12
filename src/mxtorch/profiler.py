"""MXNet's profiler (``mx.profiler``) on ``torch.profiler``.

While the profiler runs, every operator mxtorch executes (``nd.X`` imperatively when
``profile_imperative``, each step of a bound graph when ``profile_symbolic``) is timed inside a
``torch.profiler.record_function`` range named after the MXNet operator (``FullyConnected``,
``relu``, ``_plus_scalar``). The user objects (:class:`Domain`, :class:`Task`, :class:`Frame`,
:class:`Event`, :class:`Counter`, :class:`Marker`) record their own events on the same clock
(wall time in microseconds, the clock torch's profiler stamps its events with).

:func:`dump` writes everything as a Chrome-trace JSON file (``{"traceEvents": [...],
"displayTimeUnit": "ms"}``, the format MXNet wrote and chrome://tracing or Perfetto read), with
the event phases MXNet used: ``B``/``E`` for operators and events, ``b``/``e`` for tasks, ``(``/``)``
for frames, ``C`` for counters and ``n`` for markers. With ``aggregate_stats=True``,
:func:`dumps` returns per-name counts and times as MXNet's table or JSON.

Differences from MXNet 1.9.1: no C API (``MXNET_C_API``) or memory (``Device Storage``) events
are written (``profile_api`` and ``profile_memory`` are accepted and have no effect);
``continuous_dump`` writes nothing by itself (call :func:`dump`); only the ``worker`` process is
profiled. :func:`start`, :func:`stop` and :func:`scope` are additions (``scope`` as in MXNet 2).
"""
from __future__ import annotations

import contextlib
import json
import threading
import time
import warnings
from typing import Any, Iterator, Optional

import torch

from .base import MXNetError

__all__ = ["set_config", "set_state", "start", "stop", "pause", "resume", "dump", "dumps",
           "profiler_set_config", "profiler_set_state", "dump_profile", "scope",
           "Domain", "Task", "Frame", "Event", "Counter", "Marker"]


class _Flags:
    """What the hot paths read, once per call: whether operators are to be timed now."""

    __slots__ = ("imperative", "symbolic")

    def __init__(self) -> None:
        self.imperative = False
        self.symbolic = False


_state = _Flags()

# set_config's keywords with MXNet 1.9.1's defaults (every call starts again from these)
_DEFAULTS = {"profile_all": False, "profile_symbolic": True, "profile_imperative": True,
             "profile_memory": True, "profile_api": True, "filename": "profile.json",
             "continuous_dump": True, "dump_period": 1.0, "aggregate_stats": False,
             "profile_process": "worker"}
_BOOLS = frozenset(k for k, v in _DEFAULTS.items() if isinstance(v, bool))
_SORT_KEYS = ("total", "avg", "min", "max", "count")
# the trace's scope letter for each Marker.mark scope
_MARKER_SCOPES = {"global": "g", "process": "p", "thread": "t", "task": "p", "marker": "p"}
_OPERATOR = "operator"


def _now_us() -> int:
    """Wall-clock microseconds: the clock torch's profiler stamps its events with."""
    return time.time_ns() // 1000


class _Profiler:
    """The process's one profiler: configuration, state and what it has recorded."""

    def __init__(self) -> None:
        # before any set_config MXNet profiles bound graphs only
        self.config = dict(_DEFAULTS, profile_imperative=False, profile_api=False)
        self.running = False
        self.paused = False
        self.session: Optional[torch.profiler.profile] = None
        self.events: list = []          # trace events, Chrome-trace dicts without pid
        self.stats: dict = {}           # category -> name -> [durations in us] or counter values
        self.counters: set = set()      # (category, name) of counters, whose stats are values
        self.aggregating = False        # whether aggregate_stats was ever on (dumps is '' if not)
        self.lock = threading.Lock()

    @property
    def recording(self) -> bool:
        return self.running and not self.paused

    # -- torch sessions ---------------------------------------------------------------------------
    def open_session(self) -> None:
        """Start timing operators: a torch profiler session and the hot paths' flags."""
        every = self.config["profile_all"]
        imperative = every or self.config["profile_imperative"]
        symbolic = every or self.config["profile_symbolic"]
        if imperative or symbolic:
            session = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU])
            session.start()
            self.session = session
        _state.imperative, _state.symbolic = imperative, symbolic

    def close_session(self) -> None:
        """Stop timing operators and keep the operator ranges the session saw."""
        _state.imperative = _state.symbolic = False
        session, self.session = self.session, None
        if session is None:
            return
        session.stop()
        start_us = session.profiler.kineto_results.trace_start_ns() / 1000.0
        for evt in session.events():
            # only record_function ranges: mxtorch's operators, not torch's aten calls
            if not evt.is_user_annotation or evt.device_type != torch.autograd.DeviceType.CPU:
                continue
            begin = start_us + evt.time_range.start
            self.duration(_OPERATOR, evt.name, begin, begin + evt.time_range.elapsed_us(),
                          "B", "E", evt.thread)

    def refresh(self) -> None:
        """Fold the running session's operators into what is recorded (for dump and dumps)."""
        if self.recording and self.session is not None:
            self.close_session()
            self.open_session()

    # -- recording ----------------------------------------------------------------------------
    def duration(self, cat: str, name: str, begin: float, end: float, ph_begin: str, ph_end: str,
                 tid: Optional[int] = None, **extra: Any) -> None:
        tid = threading.get_native_id() if tid is None else tid
        base = {"name": name, "cat": cat}
        with self.lock:
            self.events.append({**base, "ph": ph_begin, "ts": int(begin), **extra, "tid": tid})
            self.events.append({**base, "ph": ph_end, "ts": int(end), **extra, "tid": tid})
            if self.config["aggregate_stats"]:
                self.stats.setdefault(cat, {}).setdefault(name, []).append(end - begin)

    def instant(self, cat: str, name: str, ph: str, stat: Optional[float] = None,
                **extra: Any) -> None:
        event = {"name": name, "cat": cat, "ph": ph, "ts": _now_us(), **extra,
                 "tid": threading.get_native_id()}
        with self.lock:
            self.events.append(event)
            if self.config["aggregate_stats"]:
                names = self.stats.setdefault(cat, {})
                if stat is not None:
                    names.setdefault(name, []).append(stat)
                    self.counters.add((cat, name))


_profiler = _Profiler()


# -- configuration and state ------------------------------------------------------------------------
def _parse_value(key: str, value: Any) -> Any:
    if key in _BOOLS:
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "1"):
                return True
            if lowered in ("false", "0"):
                return False
            raise MXNetError(f"set_config: {key} must be a boolean, got {value!r}")
        return bool(value)
    if key == "dump_period":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise MXNetError(f"set_config: dump_period must be a number, got {value!r}") from None
    if key == "profile_process":
        return _check_process(value)
    return str(value)


def _check_process(profile_process: Any) -> str:
    if profile_process == "worker":
        return profile_process
    if profile_process == "server":
        raise MXNetError("profile_process='server' is not supported by mxtorch: there are no "
                         "kvstore server processes to profile; use 'worker'")
    raise MXNetError(f"profile_process must be 'worker' or 'server', got {profile_process!r}")


def set_config(**kwargs: Any) -> None:
    """Configure the profiler (keyword arguments only).

    Each call starts from the defaults below and applies the keywords given.

    Parameters
    ----------
    profile_all : bool, default False
        Profile everything (both operator kinds).
    profile_symbolic : bool, default True
        Time the operators of bound graphs (executors, Module, hybridized blocks).
    profile_imperative : bool, default True
        Time the operators called imperatively (``nd.X``, NDArray arithmetic).
    profile_memory : bool, default True
        Accepted for compatibility; no memory events are written.
    profile_api : bool, default True
        Accepted for compatibility; mxtorch has no C API to profile.
    filename : str, default 'profile.json'
        The file :func:`dump` writes.
    continuous_dump : bool, default True
        Accepted for compatibility; the trace is written by :func:`dump`.
    dump_period : float, default 1.0
        Accepted for compatibility.
    aggregate_stats : bool, default False
        Keep per-name counts and times for :func:`dumps`.
    profile_process : str, default 'worker'
        Only ``'worker'`` is supported.
    """
    unknown = [k for k in kwargs if k not in _DEFAULTS]
    if unknown:
        raise MXNetError(f"Cannot find argument '{unknown[0]}', possible arguments: "
                         f"{', '.join(_DEFAULTS)}")
    config = dict(_DEFAULTS)
    config.update({k: _parse_value(k, v) for k, v in kwargs.items()})
    p = _profiler
    if p.recording:   # the new operator kinds take effect now
        p.close_session()
        p.config = config
        p.open_session()
    else:
        p.config = config
    p.aggregating = p.aggregating or config["aggregate_stats"]


def set_state(state: str = "stop", profile_process: str = "worker") -> None:
    """Run or stop the profiler.

    Parameters
    ----------
    state : {'stop', 'run'}, default 'stop'
        ``'run'`` starts recording, ``'stop'`` ends it (what was recorded stays for :func:`dump`
        and :func:`dumps`).
    profile_process : str, default 'worker'
        Only ``'worker'`` is supported.
    """
    _check_process(profile_process)
    if state not in ("run", "stop"):
        raise MXNetError(f"profiler state must be 'run' or 'stop', got {state!r}")
    p = _profiler
    if state == "run" and not p.running:
        p.running, p.paused = True, False
        p.open_session()
    elif state == "stop" and p.running:
        if not p.paused:
            p.close_session()
        p.running = p.paused = False


def start(profile_process: str = "worker") -> None:
    """Start recording: ``set_state('run')``."""
    set_state("run", profile_process)


def stop(profile_process: str = "worker") -> None:
    """Stop recording: ``set_state('stop')``."""
    set_state("stop", profile_process)


def pause(profile_process: str = "worker") -> None:
    """Pause a running profiler: nothing is recorded until :func:`resume`.

    Parameters
    ----------
    profile_process : str, default 'worker'
        Only ``'worker'`` is supported.
    """
    _check_process(profile_process)
    p = _profiler
    if p.recording:
        p.close_session()
        p.paused = True


def resume(profile_process: str = "worker") -> None:
    """Resume a paused profiler.

    Parameters
    ----------
    profile_process : str, default 'worker'
        Only ``'worker'`` is supported.
    """
    _check_process(profile_process)
    p = _profiler
    if p.running and p.paused:
        p.paused = False
        p.open_session()


def profiler_set_config(mode: str = "symbolic", filename: str = "profile.json") -> None:
    """Configure the profiler (deprecated: use :func:`set_config`).

    Parameters
    ----------
    mode : {'symbolic', 'all'}, default 'symbolic'
        What to profile.
    filename : str, default 'profile.json'
        The file :func:`dump` writes.
    """
    warnings.warn("profiler.profiler_set_config() is deprecated. Please use "
                  "profiler.set_config() instead")
    if mode not in ("symbolic", "all"):
        raise MXNetError(f"profiler mode must be 'symbolic' or 'all', got {mode!r}")
    set_config(**{f"profile_{mode}": True, "filename": filename})


def profiler_set_state(state: str = "stop") -> None:
    """Run or stop the profiler (deprecated: use :func:`set_state`)."""
    warnings.warn("profiler.profiler_set_state() is deprecated. Please use "
                  "profiler.set_state() instead")
    set_state(state)


# -- output ---------------------------------------------------------------------------------------
def _trace() -> dict:
    """The recorded events as a Chrome trace: one process (``pid``) per category, named by a
    ``process_name`` metadata event; operators in process 0, ``cpu/0``, as MXNet wrote them."""
    pids = {_OPERATOR: 0}
    names = {0: "cpu/0"}
    events = []
    for event in sorted(_profiler.events, key=lambda e: e["ts"]):
        cat = event["cat"]
        if cat not in pids:
            pids[cat] = len(pids)
            names[pids[cat]] = cat
        events.append({**event, "pid": pids[cat]})
    meta = [{"ph": "M", "args": {"name": n}, "pid": pid, "name": "process_name"}
            for pid, n in names.items()]
    return {"traceEvents": meta + events, "displayTimeUnit": "ms"}


def dump(finished: bool = True, profile_process: str = "worker") -> None:
    """Write what has been recorded to the configured file as Chrome-trace JSON.

    The file is complete JSON after every call. Recording goes on if the profiler runs.

    Parameters
    ----------
    finished : bool, default True
        Whether this is the last dump of these events: if True they are cleared, so the next
        dump starts afresh; if False the next dump writes them again along with the newer ones.
    profile_process : str, default 'worker'
        Only ``'worker'`` is supported.
    """
    _check_process(profile_process)
    p = _profiler
    p.refresh()
    with p.lock:
        trace = _trace()
        if finished:
            p.events = []
    with open(p.config["filename"], "w", encoding="utf-8") as f:
        json.dump(trace, f, indent=4)


def dump_profile() -> None:
    """Write the trace (deprecated: use :func:`dump`)."""
    warnings.warn("profiler.dump_profile() is deprecated. Please use profiler.dump() instead")
    dump(True)


def _aggregate(cat: str, name: str, values: list) -> dict:
    """Count, Total, Min, Max, Avg of one name, in milliseconds; a counter's Total is its last
    value (counter values are shown in the same columns as times, as MXNet shows them)."""
    ms = [v / 1000.0 for v in values]
    total = ms[-1] if (cat, name) in _profiler.counters else sum(ms)
    return {"Count": len(ms), "Total": total, "Min": min(ms), "Max": max(ms),
            "Avg": sum(ms) / len(ms)}


def dumps(reset: bool = False, format: str = "table", sort_by: str = "total",
          ascending: bool = False) -> str:
    """The aggregate statistics (``aggregate_stats=True``) as a printable string.

    Parameters
    ----------
    reset : bool, default False
        Whether to clear the statistics after reading them.
    format : {'table', 'json'}, default 'table'
        A text table per category, or JSON ``{"Time": {category: {name: {"Count", "Total",
        "Min", "Max", "Avg"}}}, "Memory": {}, "Unit": {"Time": "ms", "Memory": "kB"}}``.
    sort_by : {'total', 'avg', 'min', 'max', 'count'}, default 'total'
        The statistic the names of each category are ordered by.
    ascending : bool, default False
        Whether to order ascending.

    Returns
    -------
    str
        The statistics; the empty string if ``aggregate_stats`` was never enabled.
    """
    if format not in ("table", "json"):
        raise MXNetError(f"Invalid value provided for format: {format}. Support: 'table', 'json'")
    if sort_by not in _SORT_KEYS:
        raise MXNetError(f"Invalid value provided for sort_by: {sort_by}. Support: 'total', "
                         "'avg', 'min', 'max', 'count'")
    if not isinstance(ascending, bool) or not isinstance(reset, bool):
        raise MXNetError("dumps: reset and ascending must be True or False")
    p = _profiler
    if not p.aggregating:
        return ""
    p.refresh()
    key = "Count" if sort_by == "count" else sort_by.capitalize()
    with p.lock:
        table = {}
        for cat in sorted(p.stats):
            rows = [(name, _aggregate(cat, name, values)) for name, values in p.stats[cat].items()]
            rows.sort(key=lambda r: r[1][key], reverse=not ascending)
            table[cat] = rows
        if reset:
            p.stats, p.counters = {}, set()
    if format == "json":
        return json.dumps({"Time": {cat: {name: {k: round(v, 4) for k, v in s.items()}
                                          for name, s in rows}
                                    for cat, rows in table.items()},
                           "Memory": {}, "Unit": {"Time": "ms", "Memory": "kB"}}, indent=4) + "\n"
    heads = ("Time (ms)", "Min Time (ms)", "Max Time (ms)", "Avg Time (ms)")
    header = f"{'Name':<30}{'Total Count':>11}" + "".join(f"{h:>17}" for h in heads)
    rule = f"{'----':<30}{'-' * 11:>11}" + "".join(f"{'-' * len(h):>17}" for h in heads)
    out = ["\nProfile Statistics:\n\tNote the difference in units for different entries.\n"]
    for cat, rows in table.items():
        out.append(f"{cat}\n=================\n{header}\n{rule}\n")
        for name, s in rows:
            out.append(f"{name:<30}{s['Count']:>11}" + "".join(
                f"{s[k]:>17.4f}" for k in ("Total", "Min", "Max", "Avg")) + "\n")
        out.append("\n")
    return "".join(out)


# -- user objects ---------------------------------------------------------------------------------
class Domain:
    """A named group of tasks, frames, counters and markers: their category in the trace.

    Parameters
    ----------
    name : str
        Name of the domain.
    """

    def __init__(self, name: str):
        self.name = str(name)

    def __str__(self) -> str:
        return self.name

    def new_task(self, name: str) -> "Task":
        """A :class:`Task` of this domain named ``name``."""
        return Task(self, name)

    def new_frame(self, name: str) -> "Frame":
        """A :class:`Frame` of this domain named ``name``."""
        return Frame(self, name)

    def new_counter(self, name: str, value: Optional[int] = None) -> "Counter":
        """A :class:`Counter` of this domain named ``name``, set to ``value`` if given."""
        return Counter(self, name, value)

    def new_marker(self, name: str) -> "Marker":
        """A :class:`Marker` of this domain named ``name``."""
        return Marker(self, name)


class _Duration:
    """A named span between ``start()`` and ``stop()``, recorded if the profiler is recording at
    both ends."""

    _phases = ("B", "E")

    def __init__(self, category: str, name: str):
        self.name = str(name)
        self._category = category
        self._begin: Optional[int] = None

    def start(self) -> None:
        """Start timing."""
        self._begin = _now_us() if _profiler.recording else None

    def stop(self) -> None:
        """Stop timing and record the span."""
        begin, self._begin = self._begin, None
        if begin is not None and _profiler.recording:
            _profiler.duration(self._category, self.name, begin, _now_us(), *self._phases,
                               **self._extra())

    def _extra(self) -> dict:
        return {}

    def __enter__(self) -> "_Duration":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __str__(self) -> str:
        return self.name


class Task(_Duration):
    """A unit of work in a domain; all its passes are counted together in :func:`dumps`.

    Parameters
    ----------
    domain : Domain
        The domain it belongs to.
    name : str
        Name of the task.
    """

    _phases = ("b", "e")   # Chrome's async begin/end, as MXNet wrote tasks

    def __init__(self, domain: Domain, name: str):
        super().__init__(domain.name, name)

    def _extra(self) -> dict:
        return {"id": id(self)}


class Frame(_Duration):
    """A frame of a domain (one pass of a repeated piece of work, such as a batch).

    Parameters
    ----------
    domain : Domain
        The domain it belongs to.
    name : str
        Name of the frame.
    """

    _phases = ("(", ")")

    def __init__(self, domain: Domain, name: str):
        super().__init__(f"{domain.name},frame", name)


class Event(_Duration):
    """A named span outside any domain (category ``event``).

    Parameters
    ----------
    name : str
        Name of the event.
    """

    def __init__(self, name: str):
        super().__init__("event", name)


class Counter:
    """A named integer whose every change is recorded (trace phase ``C``).

    Parameters
    ----------
    domain : Domain
        The domain it belongs to.
    name : str
        Name of the counter.
    value : int, optional
        Its initial value.
    """

    def __init__(self, domain: Domain, name: str, value: Optional[int] = None):
        self.name = str(name)
        self._category = domain.name
        self._value = 0
        if value is not None:
            self.set_value(value)

    def _record(self) -> None:
        if _profiler.recording:
            _profiler.instant(self._category, self.name, "C", stat=self._value,
                              args={self.name: self._value})

    def set_value(self, value: int) -> None:
        """Set the counter to ``value``."""
        self._value = int(value)
        self._record()

    def increment(self, delta: int = 1) -> None:
        """Add ``delta`` to the counter."""
        self._value += int(delta)
        self._record()

    def decrement(self, delta: int = 1) -> None:
        """Subtract ``delta`` from the counter."""
        self._value -= int(delta)
        self._record()

    def __iadd__(self, delta: int) -> "Counter":
        self.increment(delta)
        return self

    def __isub__(self, delta: int) -> "Counter":
        self.decrement(delta)
        return self

    def __str__(self) -> str:
        return self.name


class Marker:
    """A named instant of a domain (trace phase ``n``).

    Parameters
    ----------
    domain : Domain
        The domain it belongs to.
    name : str
        Name of the marker.
    """

    def __init__(self, domain: Domain, name: str):
        self.name = str(name)
        self.domain = domain

    def mark(self, scope: str = "process") -> None:
        """Record the instant.

        Parameters
        ----------
        scope : {'global', 'process', 'thread', 'task', 'marker'}, default 'process'
            What the instant applies to.
        """
        if scope not in _MARKER_SCOPES:
            raise MXNetError(f"Marker.mark: scope must be one of {list(_MARKER_SCOPES)}, "
                             f"got {scope!r}")
        if _profiler.recording:
            _profiler.instant(f"{self.domain.name},instant_marker", self.name, "n",
                              s=_MARKER_SCOPES[scope])


_scopes = threading.local()


@contextlib.contextmanager
def scope(name: str = "<unk>:", append_mode: bool = False) -> Iterator[str]:
    """Record the enclosed code as one span named ``name`` (category ``scope``).

    Parameters
    ----------
    name : str, default '<unk>:'
        Name of the span.
    append_mode : bool, default False
        Whether to append ``name`` to the enclosing scope's name instead of replacing it.

    Yields
    ------
    str
        The name the span is recorded under.
    """
    outer = getattr(_scopes, "name", "")
    full = outer + str(name) if append_mode and outer else str(name)
    _scopes.name = full
    span = _Duration("scope", full)
    span.start()
    try:
        yield full
    finally:
        span.stop()
        _scopes.name = outer
