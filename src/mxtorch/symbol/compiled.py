"""Compiled execution of a lowered graph: a Program turned into one Python function per mode and
handed to ``torch.compile``.

A :class:`~mxtorch.symbol.executor.Program` runs its steps in a loop; that loop is the eager path
and stays as it is (monitors and the profiler see each operator there). For compilation the same
steps are written out as the source of a straight-line function over raw tensors, one per
training/predicting mode (the table's operators branch on ``is_train`` in Python, so the flag is a
constant of the generated code), calling each operator's torch implementation with its parsed
attributes as literals. Each generated function has a code object of its own, so torch's
compilation cache keeps one entry per graph and input signature, never shared between graphs.

Training compiles too: the function is traced by TorchDynamo and differentiated by AOTAutograd;
gradients reach the tensors handed in exactly as the eager path's do, so ``grad_req``, the
persistent gradient buffers and the output layers' gradients (SoftmaxOutput...) are unchanged; the
in-place updates of auxiliary states (BatchNorm's moving statistics) are input mutations that the
compiled function applies.

The setting comes from ``hybridize(backend=...)`` or, for every graph, from the environment
variable ``MXTORCH_COMPILE``:

- ``0`` (or ``off``): the eager executor;
- ``1`` (or ``on``, ``inductor``): ``torch.compile`` with Inductor;
- ``max-autotune``, ``reduce-overhead``, ``max-autotune-no-cudagraphs``: Inductor in that mode;
- any other torch.compile backend name (``aot_eager``, ``eager``, ``cudagraphs``...).

Left unset, graphs on a CUDA device compile with Inductor and graphs on the CPU run eagerly: on a
GPU the fused kernels and CUDA graphs repay a compile of seconds within a few hundred iterations,
while on a small CPU host Inductor's C++ compile takes tens of seconds per graph (forward and
backward, per input shape) for a gain of a few tens of percent on networks the size of LeNet, more
than a typical short run, a test or a one-off prediction, can win back. ``MXTORCH_COMPILE=1`` (or
``hybridize(backend='inductor')``) asks for it on the CPU too.

Each new input signature (shapes, dtypes, device, training mode) compiles once, as MXNet's
CachedOp planned once per shape; after ``MXTORCH_COMPILE_MAX_SHAPES`` (default 8) signatures of one
graph, further ones run eagerly with a warning. When compilation fails, that signature runs on the
eager executor from then on and the reason is logged once; a second failure sends the whole graph
back to the eager executor (a compiler that cannot work here fails once or twice, not per shape).
Inductor's graph cache and AOTAutograd's
cache persist compiled code across runs (``TORCHINDUCTOR_CACHE_DIR``).

On the CPU a compiled graph runs its convolutions on channels-last data (``mxtorch.ops.layout``
says which operators keep that layout); shapes and values are those of the row-major graph up to
float rounding. ``MXTORCH_CHANNELS_LAST=0`` keeps every tensor row-major.
"""
from __future__ import annotations

import itertools
import linecache
import logging
import math
import os
import warnings
from typing import Any, Optional, Sequence

import torch

from .. import profiler
from ..base import MXNetError
from ..ops import layout

__all__ = ["CompileSetting", "setting_from", "default_setting", "CompiledProgram", "compiled",
           "ENV", "MAX_SHAPES_ENV"]

ENV = "MXTORCH_COMPILE"
MAX_SHAPES_ENV = "MXTORCH_COMPILE_MAX_SHAPES"
CHANNELS_LAST_ENV = "MXTORCH_CHANNELS_LAST"
_DEFAULT_MAX_SHAPES = 8
_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
_OFF = ("0", "off", "false", "no", "none", "eager-executor")
_ON = ("1", "on", "true", "yes", "inductor")

log = logging.getLogger(__name__)
_profiling = profiler._state  # .symbolic: the profiler wants each operator: run eagerly
_counter = itertools.count()


class CompileSetting:
    """How graphs are compiled: a torch.compile backend (None: the eager executor), its mode and
    options; ``auto`` is the default that compiles only graphs on a CUDA device."""

    __slots__ = ("backend", "mode", "options", "auto")

    def __init__(self, backend: Optional[str], mode: Optional[str] = None,
                 options: Optional[dict] = None, auto: bool = False):
        self.backend = backend
        self.mode = mode
        self.options = dict(options or {})
        self.auto = auto

    def key(self) -> tuple:
        return (self.backend, self.mode, tuple(sorted(self.options.items())), self.auto)

    def __repr__(self) -> str:
        if self.backend is None:
            return "CompileSetting(eager)"
        mode = f", mode={self.mode!r}" if self.mode else ""
        auto = ", CUDA only" if self.auto else ""
        return f"CompileSetting({self.backend!r}{mode}{auto})"


def _known_backends() -> list:
    import torch._dynamo
    return sorted(torch._dynamo.list_backends(exclude_tags=()))


def setting_from(value: Optional[str], options: Optional[dict] = None,
                 what: str = "backend") -> CompileSetting:
    """Parse a backend name as ``hybridize(backend=...)`` and ``MXTORCH_COMPILE`` spell it."""
    options = dict(options or {})
    mode = options.pop("mode", None)
    if mode is not None and mode not in _MODES:
        raise MXNetError(f"{what}: mode must be one of {_MODES}, got {mode!r}")
    text = str(value).strip().lower()
    if text in _OFF:
        return CompileSetting(None)
    if text in _ON:
        return CompileSetting("inductor", mode, options)
    if text in _MODES:
        return CompileSetting("inductor", text, options)
    backends = _known_backends()
    if text not in backends:
        raise MXNetError(f"{what}: unknown compile backend {value!r}; expected 0 or 1, one of "
                         f"the Inductor modes {list(_MODES)}, or a torch.compile backend "
                         f"{backends}")
    return CompileSetting(text, mode, options)


def default_setting() -> CompileSetting:
    """The setting ``MXTORCH_COMPILE`` asks for; unset, Inductor on CUDA and eager on the CPU."""
    value = os.environ.get(ENV)
    if value is None or not value.strip():
        return CompileSetting("inductor", auto=True)
    return setting_from(value, what=ENV)


def _channels_last_on(device: torch.device) -> bool:
    """Whether graphs compiled for ``device`` run convolutions channels-last: on the CPU, unless
    ``MXTORCH_CHANNELS_LAST`` is 0/off (cuDNN picks its own layouts on a GPU)."""
    value = os.environ.get(CHANNELS_LAST_ENV, "1").strip().lower()
    if value not in ("", "0", "1", "on", "off", "true", "false"):
        raise MXNetError(f"{CHANNELS_LAST_ENV} must be 0 or 1, got {value!r}")
    return device.type == "cpu" and value not in ("0", "off", "false")


def _max_shapes() -> int:
    value = os.environ.get(MAX_SHAPES_ENV, "")
    try:
        cap = int(value) if value.strip() else _DEFAULT_MAX_SHAPES
    except ValueError:
        raise MXNetError(f"{MAX_SHAPES_ENV} must be a positive integer, got {value!r}") from None
    if cap < 1:
        raise MXNetError(f"{MAX_SHAPES_ENV} must be a positive integer, got {value!r}")
    return cap


# -- the generated function -----------------------------------------------------------------------
def _pick(result: Any, i: int) -> torch.Tensor:
    """Output ``i`` of an operator's result, a 0-d tensor made 1-d as the executor keeps them."""
    r = result[i] if isinstance(result, (tuple, list)) else result
    return r.reshape(1) if r.dim() == 0 else r


def _is_literal(value: Any) -> bool:
    """Whether ``repr(value)`` reads back as an equal value in generated source."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, tuple):
        return all(_is_literal(v) for v in value)
    return False


def _channels_last(t: torch.Tensor) -> torch.Tensor:
    """A 4-d tensor in channels-last memory order (same shape and values, NHWC strides)."""
    return t.contiguous(memory_format=torch.channels_last) if t.dim() == 4 else t


def _dense(t: torch.Tensor) -> torch.Tensor:
    """A graph output in the usual row-major order, whatever order its kernels left it in."""
    return t.contiguous()


def generate(program: Any, is_train: bool, channels_last: bool = False) -> Any:
    """The program's steps as the source of one function ``forward(*inputs)`` returning a tuple
    of the outputs; attributes become literals (or module globals when they have no literal).

    With ``channels_last``, convolutions and the operators after them run on channels-last data
    (see ``mxtorch.ops.layout``); shapes and values are unchanged, outputs are row-major."""
    n_inputs = len(program.arg_names) + len(program.aux_names)
    names = [f"x{i}" for i in range(n_inputs)]
    scope: dict = {"_pick": _pick, "_channels_last": _channels_last, "_dense": _dense}
    lines = [f"def forward({', '.join(names)}{',' if len(names) == 1 else ''}):"]
    slot_name = {i: names[i] for i in range(n_inputs)}
    maybe_cl: set = set()   # slots that may hold channels-last tensors
    for k, (entry, attrs, ins, out, n_out, _frees) in enumerate(program._steps):
        scope[f"op{k}"] = entry.impl
        kwargs = dict(attrs)
        if entry.train_aware:
            kwargs["is_train"] = is_train
        parts = [slot_name[i] for i in ins]
        fresh_layout = False
        if channels_last:
            if layout.wants_channels_last(entry.name, attrs):
                parts[0] = f"_channels_last({parts[0]})"
                fresh_layout = True
            elif layout.keeps_layout(entry.name, attrs):
                fresh_layout = any(i in maybe_cl for i in ins)
            else:
                parts = [f"_dense({p})" if i in maybe_cl else p for i, p in zip(ins, parts)]
        for key, value in kwargs.items():
            if _is_literal(value):
                parts.append(f"{key}={value!r}")
            else:
                scope[f"c{k}_{key}"] = value
                parts.append(f"{key}=c{k}_{key}")
        lines.append(f"    r{k} = op{k}({', '.join(parts)})  # {program._nodes[k][1]}")
        for i in range(n_out):
            slot_name[out + i] = f"s{out + i}"
            if fresh_layout:
                maybe_cl.add(out + i)
            lines.append(f"    s{out + i} = _pick(r{k}, {i})")
        lines.append(f"    del r{k}")
    outs = [f"_dense({slot_name[i]})" if i in maybe_cl else slot_name[i] for i in program.outputs]
    lines.append(f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})")
    source = "\n".join(lines) + "\n"
    filename = f"<mxtorch graph {next(_counter)} {'train' if is_train else 'predict'}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), scope)  # noqa: S102 - source generated above
    return scope["forward"]


# -- compiling and running ------------------------------------------------------------------------
def _prepare_torch(cap: int) -> None:
    """Let torch keep one compiled entry per signature up to the cap (per grad mode), and keep
    its persistent caches on."""
    import torch._dynamo.config as dynamo_config
    need = 2 * cap + 2
    if dynamo_config.recompile_limit < need:
        dynamo_config.recompile_limit = need
    try:
        import torch._inductor.config as inductor_config
        inductor_config.fx_graph_cache = True
        import torch._functorch.config as functorch_config
        functorch_config.enable_autograd_cache = True
    except (ImportError, AttributeError):  # an older torch without these caches
        pass


try:  # Inductor's hook for a custom forward/backward split (torch 2.6 and later)
    from torch._inductor.custom_graph_pass import CustomPartitionerFn as _PartitionerBase
except ImportError:  # an older torch: Inductor's own partition
    _PartitionerBase = None


if _PartitionerBase is not None:
    class SaveForwardValues(_PartitionerBase):
        """The forward/backward split for training graphs Inductor compiles for the CPU:
        AOTAutograd's plain partition, which saves the forward's values that the backward reads
        and recomputes nothing.

        Inductor's default (min-cut) partition prefers saving one-byte masks, ReLU's ``x <= 0``
        and the like, over the four-byte activations they come from; the C++ kernels of the torch
        this was measured with store and load bool tensors element by element, so on the CPU those
        masks cost more than all the rest (LeNet's first ReLU mask, 737,280 elements: 3.6 ms
        against 57 µs for the float32 activation; the LeNet training step runs about 1.5x faster
        with the plain partition, see benchmarks/RESULTS.md). ``hybridize(backend='inductor',
        custom_partitioner_fn=None)`` asks for the min-cut partition back.
        """

        def __call__(self, gm: Any, joint_inputs: Sequence[object], **kwargs: Any) -> tuple:
            from torch._functorch.partitioners import default_partition
            kwargs.pop("compiler", None)
            kwargs.pop("static_lifetime_input_indices", None)
            return default_partition(gm, joint_inputs, **kwargs)

        def uuid(self) -> str:   # Inductor's cache key
            return "mxtorch-save-forward-values-1"

        def __reduce__(self) -> tuple:   # pickled into the cache key: by name, no state
            return (SaveForwardValues, ())


def _cpu_partitioner() -> Any:
    """The partitioner CPU training graphs compile with (None: Inductor's own)."""
    return None if _PartitionerBase is None else SaveForwardValues()


class CompiledProgram:
    """A Program run through ``torch.compile``: ``cp(inputs, is_train)`` as ``program(...)``."""

    def __init__(self, program: Any, setting: CompileSetting, static: bool = False):
        self.program = program
        self.setting = setting
        self.static = static
        self.max_shapes = _max_shapes()
        self.failure: Optional[str] = None   # set when the whole graph has gone eager
        self._reason: Optional[str] = None    # the first compile failure, as logged
        self._eager: set = set()              # signatures whose compile failed
        self._fns: dict = {}
        self._seen: set = set()
        self._capped = False

    def enabled_for(self, device: torch.device) -> bool:
        """Whether calls on ``device`` go through the compiled function."""
        if self.failure is not None or self.setting.backend is None:
            return False
        return not self.setting.auto or device.type == "cuda"

    def _mode(self, device: torch.device) -> Optional[str]:
        if self.setting.mode is not None:
            return self.setting.mode
        if self.static and device.type == "cuda" and self.setting.backend == "inductor":
            return "reduce-overhead"   # static_alloc + static_shape: CUDA graphs
        return None

    def _function(self, is_train: bool, device: torch.device) -> tuple:
        key = (is_train, device.type)
        hit = self._fns.get(key)
        if hit is None:
            _prepare_torch(self.max_shapes)
            mode = self._mode(device)
            fn = torch.compile(generate(self.program, is_train, channels_last=_channels_last_on(device)),
                               **self.compile_kwargs(is_train, device))
            graphs = device.type == "cuda" and mode in ("reduce-overhead", "max-autotune")
            hit = self._fns[key] = (fn, graphs)
        return hit

    def compile_kwargs(self, is_train: bool, device: torch.device) -> dict:
        """The keywords ``torch.compile`` gets for this graph in one mode on one device."""
        mode = self._mode(device)
        kwargs: dict = {"backend": self.setting.backend, "dynamic": False}
        options = dict(self.setting.options)
        if self.setting.backend == "inductor" and device.type == "cpu" and is_train:
            partitioner = _cpu_partitioner()
            if partitioner is not None:
                options.setdefault("custom_partitioner_fn", partitioner)
        if options:   # torch.compile takes a mode or options, not both
            if mode is not None and self.setting.backend == "inductor":
                from torch._inductor import list_mode_options
                options = {**list_mode_options(mode), **options}
            kwargs["options"] = options
        elif mode is not None:
            kwargs["mode"] = mode
        return kwargs

    def __call__(self, inputs: Sequence[torch.Tensor], is_train: bool = False,
                 monitor: Any = None) -> list:
        if monitor is not None or not inputs or _profiling.symbolic:
            return self.program(inputs, is_train, monitor)
        device = inputs[0].device
        if not self.enabled_for(device):
            return self.program(inputs, is_train)
        # what makes a new compile: mode, grad mode, device, data type and the shapes (torch's
        # own guards catch any other change; this key only counts signatures, cheaply)
        signature = (is_train, torch.is_grad_enabled(), device, inputs[0].dtype,
                     tuple([t.shape for t in inputs]))
        new = signature not in self._seen
        if new:
            if len(self._seen) >= self.max_shapes:
                if not self._capped:
                    self._capped = True
                    warnings.warn(f"mxtorch: a compiled graph has met {len(self._seen)} input "
                                  f"signatures, the cap ({MAX_SHAPES_ENV}={self.max_shapes}); new "
                                  "shapes of this graph run on the eager executor from now on "
                                  f"(this one: {[tuple(s) for s in signature[4]]}). Pad or bucket "
                                  "inputs to a few shapes, or raise the cap.", stacklevel=3)
                return self.program(inputs, is_train)
            self._seen.add(signature)
        elif signature in self._eager:
            return self.program(inputs, is_train)
        fn, graphs = self._function(is_train, device)
        try:
            outs = fn(*inputs)
        except Exception as err:  # noqa: BLE001 - any failure of the compiler falls back
            if new:
                self._seen.discard(signature)
            # the eager executor raises the user's own error with its message; if it succeeds,
            # the compiler was at fault: this signature runs eagerly from now on, and after a
            # second such failure the whole graph does
            outs = self.program(inputs, is_train)
            self._seen.add(signature)
            self._eager.add(signature)
            self._fail(err)
            return outs
        if graphs:  # CUDA graph outputs are overwritten by the next replay: give them memory
            return [o.clone() for o in outs]
        return list(outs)

    def _fail(self, err: Exception) -> None:
        # torch wraps the compiler's own exception (BackendCompilerFailed): report that one
        cause = getattr(err, "inner_exception", None) or err
        first = str(cause).strip().splitlines()
        reason = f"{type(cause).__name__}: {first[0] if first else ''}"
        if self._reason is not None:   # logged once; a second failure gives up on the graph
            self.failure = self._reason
            return
        self._reason = reason
        if len(self._eager) > 1:
            self.failure = reason
        log.warning("mxtorch: compiling a graph with %r failed, those inputs run on the eager "
                    "executor (%s)", self.setting, reason)
        warnings.warn(f"mxtorch: compiling a graph with {self.setting!r} failed, those inputs run "
                      f"on the eager executor ({reason})", stacklevel=3)


def compiled(program: Any, setting: CompileSetting, static: bool = False,
             device: Optional[torch.device] = None) -> Any:
    """The program as run with ``setting`` (on ``device`` when known): the program itself when
    that is the eager executor, else its CompiledProgram (one per setting, cached on the
    program)."""
    if setting.backend is None or (setting.auto and device is not None and device.type != "cuda"):
        return program
    key = setting.key() + (static,)
    cache = program._compiled
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = CompiledProgram(program, setting, static)
    return hit
