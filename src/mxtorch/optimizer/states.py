"""Optimizer-state files (``.states``): MXNet's pickle format, read as data and written for MXNet.

MXNet's ``Updater.get_states`` pickles a dict from weight index to state (NDArrays, ``None`` and
tuples of them), optionally paired with the optimizer object. A pickle can name any Python callable
and have it called while loading, so these files are never handed to ``pickle.loads``:

* reading first walks the opcodes without running any (only the opcodes such files contain, memo
  indices within the file), then unpickles with every global resolved through a fixed allow-list --
  MXNet's ``NDArray`` (its bytes are one record of the ``.params`` format, decoded by the ``.params``
  reader), ``builtins.bytearray`` (given bytes only), and MXNet's optimizer and learning-rate
  scheduler classes, which resolve to stand-ins that only record the attributes the file gives them;
  the result is then checked (state dict keys, state values, attribute names and plain-data values)
  before any mxtorch object is built from it;
* writing emits the same globals MXNet does (``mxnet.ndarray.ndarray.NDArray`` holding one ``.params``
  record, ``mxnet.optimizer.optimizer.SGD``, ...), so MXNet 1.9.1 loads what mxtorch saves.

Every refusal is an ``MXNetError`` naming what was found and what was expected.
"""
from __future__ import annotations

import io
import pickle
import pickletools
import struct
from typing import Any, Optional

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray

__all__ = ["dumps", "loads"]

_WHAT = "optimizer states"
_MAX_DEPTH = 16  # states nest (weight32, (mean, var)); attribute dicts a few levels more

# The opcodes of protocols 0-5 that pickles of these structures use; nothing that reaches
# persistent ids, the extension registry, old-style instances, sets or out-of-band buffers.
_OPCODES = frozenset({
    "PROTO", "FRAME", "STOP", "MARK",
    "NONE", "NEWTRUE", "NEWFALSE", "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4",
    "FLOAT", "BINFLOAT", "STRING", "BINSTRING", "SHORT_BINSTRING",
    "UNICODE", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8",
    "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8",
    "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS", "EMPTY_LIST", "LIST", "APPEND", "APPENDS",
    "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3",
    "PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE", "GET", "BINGET", "LONG_BINGET",
    "GLOBAL", "STACK_GLOBAL", "REDUCE", "NEWOBJ", "BUILD",
})
_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})

_NDARRAY = ("mxnet.ndarray.ndarray", "NDArray")
_BYTEARRAY = ("builtins", "bytearray")
_OPTIMIZER_MODULES = ("mxnet.optimizer.optimizer", "mxnet.optimizer")  # 1.4+, and before
_SCHEDULER_MODULE = "mxnet.lr_scheduler"
_SCHEDULERS = ("FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler")


def _fail(message: str) -> MXNetError:
    return MXNetError(f"cannot load {_WHAT}: {message}")


# -- the allow-list -----------------------------------------------------------------------------
def _optimizer_classes() -> dict:
    """MXNet's own optimizers (mxtorch's classes of the same names), by MXNet module and name.
    Optimizers registered by user code are not among them: a file may not pick code to run."""
    from .adam import FTML, LAMB, Adam, Adamax, Nadam
    from .adaptive import AdaDelta, AdaGrad, Ftrl, RMSProp
    from .contrib import GroupAdaGrad
    from .optimizer import Test
    from .sgd import DCASGD, LARS, NAG, SGD, SGLD, Signum, ccSGD

    classes = {("mxnet.optimizer.contrib", "GroupAdaGrad"): GroupAdaGrad}
    for cls in (SGD, Signum, FTML, LARS, DCASGD, NAG, SGLD, ccSGD, Adam, AdaGrad, RMSProp,
                AdaDelta, Ftrl, Adamax, Nadam, LAMB, Test):
        for module in _OPTIMIZER_MODULES:
            classes[(module, cls.__name__)] = cls
    return classes


def _scheduler_classes() -> dict:
    from .. import lr_scheduler

    return {(_SCHEDULER_MODULE, name): getattr(lr_scheduler, name) for name in _SCHEDULERS}


_ALLOWED: Optional[dict] = None


def _allowed() -> dict:
    """MXNet's classes, and the program's own: optimizers it registered (``mx.optimizer.register``)
    and learning-rate schedulers it defined, under the module and name pickle records for them.
    A file may name those, as the program's ``Trainer.save_states`` wrote them; nothing else."""
    global _ALLOWED
    if _ALLOWED is None:
        _ALLOWED = {**_optimizer_classes(), **_scheduler_classes()}
    return {**_program_classes(), **_ALLOWED}


def _program_classes() -> dict:
    from ..lr_scheduler import LRScheduler
    from .optimizer import Optimizer

    classes = list(Optimizer.opt_registry.values())
    pending = list(LRScheduler.__subclasses__())
    while pending:
        cls = pending.pop()
        classes.append(cls)
        pending.extend(cls.__subclasses__())
    return {(cls.__module__, cls.__qualname__): cls for cls in classes
            if cls.__module__.split(".")[0] != "mxtorch"}


def _allowed_names() -> str:
    return (f"{'.'.join(_NDARRAY)}, {'.'.join(_BYTEARRAY)}, MXNet's optimizer classes "
            f"(mxnet.optimizer.optimizer.SGD, ...), {_SCHEDULER_MODULE}."
            f"{{{','.join(_SCHEDULERS)}}}, and the optimizers this program registered and the "
            "schedulers it defined")


# -- stand-ins the unpickler builds instead of running anything -----------------------------------
class _Array:
    """Stands in for ``mxnet.ndarray.ndarray.NDArray``: MXNet pickles an array as ``NDArray(None)``
    followed by the state ``{'handle': bytearray}``, the bytes of one ``.params`` record."""

    def __init__(self, *args: Any, **kwargs: Any):
        if args != (None,) or kwargs:
            raise _fail(f"{'.'.join(_NDARRAY)} is restored as NDArray(None), but the file calls it "
                        f"with {len(args)} argument(s) of type(s) "
                        f"{[type(a).__name__ for a in args]}")
        self.restored = False
        self.array: Optional[NDArray] = None

    def __setstate__(self, state: Any) -> None:
        from ..ndarray.utils import NDArrayFileReader

        if self.restored:
            raise _fail(f"an {_NDARRAY[1]} is given its state twice")
        self.restored = True
        if not isinstance(state, dict) or set(state) != {"handle"}:
            found = sorted(map(str, state)) if isinstance(state, dict) else type(state).__name__
            raise _fail(f"the state of an {_NDARRAY[1]} must be a dict with the one key 'handle', "
                        f"found {found}")
        handle = state["handle"]
        if handle is None:
            return
        if not isinstance(handle, (bytes, bytearray)):
            raise _fail(f"the 'handle' of an {_NDARRAY[1]} must be bytes (one .params record), "
                        f"found {type(handle).__name__}")
        reader = NDArrayFileReader(handle, f"{_WHAT}: pickled {_NDARRAY[1]}")
        array = reader.read_array()
        if reader.remaining:
            raise _fail(f"the 'handle' of an {_NDARRAY[1]} has {reader.remaining} "
                        f"trailing bytes after its record of {reader.offset} bytes")
        self.array = array


def _bytearray(*args: Any) -> bytearray:
    """``builtins.bytearray`` as states files call it: on bytes (protocols 3-4), or on a str with
    the 'latin-1' codec (protocol 2). Never on a size, which would allocate without bound."""
    if len(args) == 1 and isinstance(args[0], (bytes, bytearray)):
        return bytearray(args[0])
    if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin-1", "latin1"):
        try:
            return bytearray(args[0], "latin-1")
        except UnicodeEncodeError:
            raise _fail("builtins.bytearray is given a str that is not latin-1") from None
    if not args:
        return bytearray()
    raise _fail(f"builtins.bytearray is called on {[type(a).__name__ for a in args]}; "
                "states files call it on bytes only")


class _Object:
    """Stands in for an object of an allowed class: records the attributes the file gives it.
    ``target`` (the mxtorch class) and ``name`` are set on one subclass per allowed class."""

    target: type = object
    name: str = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> "_Object":
        if args or kwargs:
            raise _fail(f"{cls.name} is restored with no arguments, but the file passes "
                        f"{len(args) + len(kwargs)}")
        obj = super().__new__(cls)
        obj.attrs = None
        return obj

    def __init__(self, *args: Any, **kwargs: Any):
        # NEWOBJ never calls __init__; only REDUCE (calling the class) gets here
        raise _fail(f"{self.name} is called like a function; states files restore it through "
                    "NEWOBJ and BUILD, never by calling it")

    def __setstate__(self, state: Any) -> None:
        if self.attrs is not None:
            raise _fail(f"the {self.name} object is given its state twice")
        if not isinstance(state, dict):
            raise _fail(f"the state of the {self.name} object must be a dict of attributes, found "
                        f"{type(state).__name__}")
        self.attrs = state


_STAND_INS: dict = {}


def _stand_in(key: tuple, target: type) -> type:
    if (key, target) not in _STAND_INS:
        _STAND_INS[(key, target)] = type(f"_Restored{key[1]}", (_Object,),
                                         {"target": target, "name": ".".join(key)})
    return _STAND_INS[(key, target)]


class _Unpickler(pickle.Unpickler):
    """Resolves the globals of a states file through the allow-list, and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        key = (module, name)
        if key == _NDARRAY:
            return _Array
        if key == _BYTEARRAY:
            return _bytearray
        allowed = _allowed()
        if key in allowed:
            return _stand_in(key, allowed[key])
        hint = ""
        if module.split(".")[0] == "mxtorch":
            hint = (" (files written by mxtorch before it wrote MXNet's format name mxtorch's "
                    "classes; they cannot be read safely)")
        raise _fail(f"the file refers to {module}.{name}, which is not on the allow-list of "
                    f"optimizer-state files ({_allowed_names()}){hint}; nothing in it was run")

    def persistent_load(self, pid: Any) -> Any:
        raise _fail("the file uses a persistent id, which states files do not")


# -- reading ------------------------------------------------------------------------------------
def _scan(blob: bytes) -> None:
    """Walk the opcodes without executing them: only the allowed ones, memo indices within the
    file (the unpickler would grow its memo to any index it is given), nothing after STOP."""
    end = 0
    try:
        for op, arg, pos in pickletools.genops(blob):
            if op.name not in _OPCODES:
                raise _fail(f"opcode {op.name} at byte {pos}, which states files do not use")
            if op.name == "PROTO" and arg > pickle.HIGHEST_PROTOCOL:
                raise _fail(f"pickle protocol {arg}; this Python reads up to "
                            f"{pickle.HIGHEST_PROTOCOL}")
            if op.name in _PUTS and not 0 <= arg <= len(blob):
                raise _fail(f"memo index {arg} at byte {pos} in a file of {len(blob)} bytes")
            end = pos
    except MXNetError:
        raise
    except Exception as err:  # genops: ValueError for unknown opcodes and truncated arguments
        raise _fail(f"not a valid pickle ({_short(err)})") from None
    if end + 1 != len(blob):
        raise _fail(f"{len(blob) - end - 1} bytes after the end of the pickle at byte {end}")


def _short(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}"
    return text if len(text) <= 200 else text[:200] + "..."


def _state(value: Any, where: str, depth: int) -> Any:
    """One weight's state: NDArray, None, or tuples/lists of them."""
    if depth > _MAX_DEPTH:
        raise _fail(f"{where} is nested too deep (more than {_MAX_DEPTH} levels)")
    if value is None:
        return None
    if isinstance(value, _Array):
        return value.array
    if type(value) in (tuple, list):
        items = [_state(v, f"{where}[{k}]", depth + 1) for k, v in enumerate(value)]
        return tuple(items) if type(value) is tuple else items
    raise _fail(f"{where} holds a {_type_name(value)}; a state is an NDArray, None, or a tuple or "
                "list of them")


def _type_name(value: Any) -> str:
    return value.name if isinstance(value, _Object) else type(value).__name__


_PLAIN = (type(None), bool, int, float, str)


def _plain(value: Any, where: str, depth: int, seen: dict, arrays: bool) -> Any:
    """An attribute value: plain data (None, bool, int, float, str; tuples, lists and dicts of
    them), and, for optimizers, NDArrays. Containers the file shares stay shared."""
    if depth > _MAX_DEPTH:
        raise _fail(f"{where} is nested too deep (more than {_MAX_DEPTH} levels)")
    if type(value) in _PLAIN:
        return value
    if arrays and isinstance(value, _Array):
        return value.array
    if id(value) in seen:
        return seen[id(value)][1]
    if type(value) in (tuple, list):
        items = [_plain(v, f"{where}[{k}]", depth + 1, seen, arrays) for k, v in enumerate(value)]
        result: Any = tuple(items) if type(value) is tuple else items
    elif type(value) is dict:
        result = {}
        for key, item in value.items():
            key = _plain(key, f"a key of {where}", depth + 1, seen, False)
            result[key] = _plain(item, f"{where}[{key!r:.40}]", depth + 1, seen, arrays)
    else:
        kinds = "plain data (numbers, strings, None; tuples, lists, dicts of them)"
        raise _fail(f"{where} holds a {_type_name(value)}; expected {kinds}"
                    f"{' or NDArrays' if arrays else ''}")
    seen[id(value)] = (value, result)  # the value is kept alive so its id stays unique
    return result


def _attribute_name(cls: type, key: Any, owner: str) -> str:
    """An attribute the file may set: a name that does not shadow a method or property."""
    if not isinstance(key, str) or not key.isidentifier() or key.startswith("__"):
        raise _fail(f"the {owner} object has attribute name {key!r:.60}; expected an identifier "
                    "not starting with '__'")
    for klass in cls.__mro__:
        if key in vars(klass) and not isinstance(vars(klass)[key], _PLAIN):
            raise _fail(f"the {owner} object sets attribute {key!r}, which would replace the "
                        f"{type(vars(klass)[key]).__name__} {klass.__name__}.{key}")
    return key


def _build(obj: _Object, seen: dict) -> Any:
    """The mxtorch object a checked stand-in describes."""
    from .optimizer import Optimizer

    if obj.attrs is None:
        raise _fail(f"the {obj.name} object is given no attributes")
    cls = obj.target
    is_optimizer = issubclass(cls, Optimizer)
    attrs = {}
    for key, value in obj.attrs.items():
        key = _attribute_name(cls, key, obj.name)
        where = f"attribute {key!r} of the {obj.name} object"
        if is_optimizer and key == "lr_scheduler" and value is not None:
            if not isinstance(value, _Object) or issubclass(value.target, Optimizer):
                raise _fail(f"{where} holds a {_type_name(value)}; expected None or a "
                            "learning-rate scheduler")
            attrs[key] = _build(value, seen)
        else:
            attrs[key] = _plain(value, where, 1, seen, arrays=is_optimizer)
    if is_optimizer:
        _check_attribute_kinds(cls, attrs, obj.name)
    instance = object.__new__(cls)
    if is_optimizer:
        # the base class's: a registered subclass's own __setstate__ never sees the file's data
        Optimizer.__setstate__(instance, attrs)
    else:
        instance.__dict__.update(attrs)
    return instance


def _kind(value: Any) -> str:
    if isinstance(value, (bool, int, float)):
        return "number"
    if isinstance(value, (tuple, list)):
        return "sequence"
    return type(value).__name__


def _check_attribute_kinds(cls: type, attrs: dict, owner: str) -> None:
    """Each attribute an optimizer of ``cls`` has by default must keep its kind (number, string,
    sequence, dict, NDArray; None stands for any): a learning rate of "x" would only fail, as a
    TypeError, at the next update."""
    try:
        defaults = vars(cls())
    except Exception:  # noqa: BLE001  (a class that needs arguments: nothing to compare with)
        return
    for key, value in attrs.items():
        default = defaults.get(key)
        if value is None or default is None or key == "lr_scheduler":
            continue
        if _kind(value) != _kind(default):
            raise _fail(f"attribute {key!r} of the {owner} object holds a {type(value).__name__}; "
                        f"the optimizer keeps a {_kind(default)} there")


def loads(blob: bytes) -> Any:
    """Reads a states file's bytes: the dict of per-weight states, or (states, optimizer) when the
    optimizer was saved with them (``dump_optimizer=True``)."""
    from .optimizer import Optimizer

    blob = bytes(blob)
    _scan(blob)
    try:
        obj = _Unpickler(io.BytesIO(blob)).load()
    except MXNetError:
        raise
    except Exception as err:  # the unpickler's own complaints about malformed input
        raise _fail(f"not a valid pickle ({_short(err)})") from None
    optimizer = None
    if type(obj) is tuple and len(obj) == 2:  # as MXNet's Updater.set_states tells them apart
        obj, optimizer = obj
        if not isinstance(optimizer, _Object) or not issubclass(optimizer.target, Optimizer):
            raise _fail(f"the second item of the (states, optimizer) pair is a "
                        f"{_type_name(optimizer)}; expected an optimizer")
    if type(obj) is not dict:
        raise _fail(f"the states are a {_type_name(obj)}; expected a dict from weight index "
                    "(int or str) to state")
    states = {}
    for key, value in obj.items():
        if type(key) not in (int, str):
            raise _fail(f"a weight index is a {type(key).__name__} key; expected int or str")
        states[key] = _state(value, f"the state of weight {key!r:.40}", 1)
    if optimizer is None:
        return states
    return states, _build(optimizer, {})


# -- writing ------------------------------------------------------------------------------------
class _Writer:
    """Emits protocol 4 as Python's pickler does for these types, with MXNet's globals."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.memo: dict = {}
        self.keep: list = []  # objects whose ids are in the memo stay alive while writing

    def write(self, data: bytes) -> None:
        self.out.write(data)

    def memoize(self, key: Any) -> None:
        self.memo[key] = len(self.memo)
        self.write(pickle.MEMOIZE)

    def get(self, key: Any) -> bool:
        if key not in self.memo:
            return False
        index = self.memo[key]
        self.write(pickle.BINGET + bytes([index]) if index < 256
                   else pickle.LONG_BINGET + struct.pack("<I", index))
        return True

    def text(self, value: str) -> None:
        raw = value.encode("utf-8", "surrogatepass")
        self.write(pickle.SHORT_BINUNICODE + bytes([len(raw)]) if len(raw) < 256
                   else pickle.BINUNICODE + struct.pack("<I", len(raw)))
        self.write(raw)

    def global_(self, module: str, name: str) -> None:
        if self.get(("global", module, name)):
            return
        self.text(module)
        self.text(name)
        self.write(pickle.STACK_GLOBAL)
        self.memoize(("global", module, name))

    def value(self, value: Any, where: str) -> None:
        if value is None:
            self.write(pickle.NONE)
        elif isinstance(value, (bool, np.bool_)):
            self.write(pickle.NEWTRUE if value else pickle.NEWFALSE)
        elif isinstance(value, (int, np.integer)):
            value = int(value)
            if 0 <= value < 256:
                self.write(pickle.BININT1 + bytes([value]))
            elif -2**31 <= value < 2**31:
                self.write(pickle.BININT + struct.pack("<i", value))
            else:
                raw = pickle.encode_long(value)
                self.write(pickle.LONG1 + bytes([len(raw)]) + raw if len(raw) < 256
                           else pickle.LONG4 + struct.pack("<i", len(raw)) + raw)
        elif isinstance(value, (float, np.floating)):
            self.write(pickle.BINFLOAT + struct.pack(">d", float(value)))
        elif isinstance(value, str):
            self.text(value)
        elif self.get(id(value)):
            return
        elif isinstance(value, NDArray):
            self.array(value)
        elif type(value) is tuple:
            self.tuple_(value, where)
        elif type(value) is list:
            self.write(pickle.EMPTY_LIST)
            self.memoize(id(value))
            if value:
                self.write(pickle.MARK)
                for k, item in enumerate(value):
                    self.value(item, f"{where}[{k}]")
                self.write(pickle.APPENDS)
        elif type(value) is dict:
            self.write(pickle.EMPTY_DICT)
            self.memoize(id(value))
            if value:
                self.write(pickle.MARK)
                for key, item in value.items():
                    self.value(key, f"a key of {where}")
                    self.value(item, f"{where}[{key!r:.40}]")
                self.write(pickle.SETITEMS)
        else:
            self.object_(value, where)
        self.keep.append(value)

    def tuple_(self, value: tuple, where: str) -> None:
        if not value:
            self.write(pickle.EMPTY_TUPLE)
            return
        if len(value) > 3:
            self.write(pickle.MARK)
        for k, item in enumerate(value):
            self.value(item, f"{where}[{k}]")
        self.write({1: pickle.TUPLE1, 2: pickle.TUPLE2, 3: pickle.TUPLE3}.get(len(value),
                                                                             pickle.TUPLE))
        self.memoize(id(value))

    def array(self, value: NDArray) -> None:
        from .._fileio.ndarray_file import encode_array

        record = encode_array(value)
        self.global_(*_NDARRAY)
        self.write(pickle.NONE + pickle.TUPLE1 + pickle.REDUCE)
        self.memoize(id(value))
        self.write(pickle.EMPTY_DICT)
        self.memoize(("state", id(value)))
        self.text("handle")
        self.global_(*_BYTEARRAY)
        self.write((pickle.SHORT_BINBYTES + bytes([len(record)]) if len(record) < 256
                    else pickle.BINBYTES + struct.pack("<I", len(record)) if len(record) < 2**32
                    else pickle.BINBYTES8 + struct.pack("<Q", len(record))) + record)
        self.write(pickle.TUPLE1 + pickle.REDUCE + pickle.SETITEM + pickle.BUILD)

    def object_(self, value: Any, where: str) -> None:
        from .. import lr_scheduler
        from .optimizer import Optimizer

        if isinstance(value, Optimizer):
            state = value.__getstate__()
        elif isinstance(value, lr_scheduler.LRScheduler):
            state = dict(vars(value))
        else:
            raise MXNetError(f"cannot save {_WHAT}: {where} holds a {type(value).__name__}, which "
                             "a states file cannot carry (numbers, strings, None, NDArrays, "
                             "tuples, lists and dicts of them, optimizers and schedulers)")
        cls = type(value)
        names = [k for k, c in _allowed().items() if c is cls]
        module, name = names[0] if names else (cls.__module__, cls.__qualname__)
        self.global_(module, name)
        self.write(pickle.EMPTY_TUPLE + pickle.NEWOBJ)
        self.memoize(id(value))
        self.value(state, f"the attributes of {where}")
        self.write(pickle.BUILD)


def dumps(obj: Any) -> bytes:
    """A states file's bytes, as MXNet 1.9.1's ``pickle.dumps`` of the same structure reads: its
    NDArrays, optimizers and schedulers under MXNet's names. Optimizer or scheduler classes that
    are not MXNet's are written under their own names (MXNet loads them where it can import
    them; mxtorch refuses them)."""
    writer = _Writer()
    writer.write(pickle.PROTO + bytes([4]))
    writer.value(obj, "the states")
    writer.write(pickle.STOP)
    return writer.out.getvalue()
