"""The operator table: each MXNet operator declared once.

An entry holds the operator's MXNet name and aliases, its inputs (and which of them are auxiliary
states), its attributes with MXNet's names, defaults and string forms, its torch implementation and
its shape rule. ``nd.*``, ``sym.*`` and the ``F.*`` of ``hybrid_forward`` are all generated from here.

The torch implementation receives torch tensors (one per active input, in declaration order) and the
parsed attributes as keyword arguments, plus ``is_train`` when the entry is ``train_aware``. It returns
a tensor or a tuple of tensors.

The shape rule receives the parsed attributes and one shape (tuple, or None when unknown) per active
input, and returns ``(input_shapes, output_shapes)`` with the unknown input shapes filled in where the
operator determines them (MXNet's backward shape inference: a Convolution's weight from its data).
Entries without a shape rule infer output shapes by running the implementation on meta tensors.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import torch

from ..base import MXNetError, parse_literal, short_repr, to_torch_dtype

__all__ = ["op", "OpDef", "get_op", "all_ops", "install", "NAMESPACE_PREFIXES", "same_shape",
           "Shape", "Int", "Float", "Bool", "Str", "Enum",
           "DType", "Floats", "Any_", "REQUIRED"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()


class Attr:
    """One operator attribute: how to parse its Python or string form, and its default."""

    kind = "any"

    def __init__(self, default: Any = REQUIRED, *, optional: bool = False):
        self.default = default
        self.optional = optional  # None is an accepted value

    def parse(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _parse_text(value)
        if value is None and self.accepts_none:
            return None
        return self.convert(value)

    @property
    def accepts_none(self) -> bool:
        """Whether None (``"None"`` in symbol JSON) is a value of this attribute."""
        return self.optional or self.default is None

    def _is_none(self, value: Any) -> bool:
        """``value`` is None or its string form, and None is accepted (for unparsed kinds)."""
        return (value is None or value == "None") and self.accepts_none

    def convert(self, value: Any) -> Any:
        return value

    def format(self, value: Any) -> str:
        """The string MXNet writes into symbol JSON for this value."""
        return str(value)


class Shape(Attr):
    """A tuple of ints; a bare int becomes a 1-tuple. ``"(5, 5)"`` and ``"[5,5]"`` parse too."""

    kind = "Shape(tuple)"

    def convert(self, value: Any) -> tuple:
        if isinstance(value, (int,)) and not isinstance(value, bool):
            return (_int64(value),)
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise ValueError(f"expected a shape tuple of ints, got {short_repr(value)}")
        _check_length(value)
        try:
            return tuple(_int64(int(v)) for v in value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"expected a shape tuple of ints, got {short_repr(value)}") from None


class Floats(Attr):
    kind = "tuple of float"

    def parse(self, value: Any) -> Any:
        parsed = super().parse(value)
        if isinstance(value, str) and parsed is not None:
            _check_in_range(value, parsed)
        return parsed

    def convert(self, value: Any) -> tuple:
        if isinstance(value, (int, float)):
            return (float(value),)
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise ValueError(f"expected a tuple of floats, got {short_repr(value)}")
        _check_length(value)
        return tuple(float(v) for v in value)


class Int(Attr):
    kind = "int"

    def convert(self, value: Any) -> int:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value} is out of range for an int")
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__int__"):
            raise ValueError(f"expected an int, got {short_repr(value)}")
        if int(value) != value:
            raise ValueError(f"expected an int, got {short_repr(value)}")
        return _int64(int(value))


class Float(Attr):
    kind = "float"

    def parse(self, value: Any) -> Any:
        parsed = super().parse(value)
        if isinstance(value, str) and parsed is not None:
            _check_in_range(value, (parsed,))
        return parsed

    def convert(self, value: Any) -> float:
        return float(value)


def _limits() -> Any:
    """The limits symbol files are read under (imported late: ``symbol`` imports this module)."""
    from ..symbol import limits
    return limits


def _parse_text(text: str) -> Any:
    """An attribute's string form parsed as ``parse_literal`` does, with its length bounded: a
    number or a tuple needs a few dozen characters, and parsing a long one costs time."""
    limit = _limits().MAX_ATTR_CHARS
    if len(text) > limit:
        raise ValueError(f"the value is {len(text)} characters long, more than {limit}")
    try:
        return parse_literal(text)
    except (RecursionError, MemoryError):
        raise ValueError("the value nests too deeply") from None


def _check_length(value: Any) -> None:
    limit = _limits().MAX_TUPLE_LEN
    if len(value) > limit:
        raise ValueError(f"the tuple has {len(value)} entries, more than {limit}")


def _int64(value: int) -> int:
    limit = _limits().MAX_INT
    if not -limit - 1 <= value <= limit:
        raise ValueError(f"{short_repr(value)} is out of range for an int64")
    return value


def _check_in_range(text: str, values: Any) -> None:
    """MXNet reads ``"inf"`` as infinity but refuses a number too large for a float (``1e999``)."""
    if not any(isinstance(v, float) and math.isinf(v) for v in values):
        return
    for token in re.split(r"[\s,()\[\]]+", text):
        if token.lower().lstrip("+-") in ("inf", "infinity"):
            continue
        try:
            number = float(token)
        except ValueError:
            continue
        if math.isinf(number):
            raise ValueError(f"{short_repr(token)} is out of range for a float")


class Bool(Attr):
    kind = "boolean"

    def convert(self, value: Any) -> bool:
        if isinstance(value, (bool, int)) and value in (0, 1):
            return bool(value)
        raise ValueError(f"expected a boolean, got {value!r}")

    def format(self, value: Any) -> str:
        return "True" if value else "False"


class Str(Attr):
    kind = "string"

    def parse(self, value: Any) -> Any:
        return None if self._is_none(value) else str(value)


class Enum(Attr):
    """One of a fixed set of strings (``act_type``, ``pool_type``...)."""

    def __init__(self, choices: Sequence[str], default: Any = REQUIRED, *, optional: bool = False):
        super().__init__(default, optional=optional)
        self.choices = tuple(choices)
        self.kind = "{" + ", ".join(repr(c) for c in self.choices) + "}"

    def parse(self, value: Any) -> Any:
        if self._is_none(value):
            return None
        if value not in self.choices:
            raise ValueError(f"expected one of {list(self.choices)}, got {value!r}")
        return value


class DType(Attr):
    """A dtype name as MXNet writes it ('float32'); parsed to that canonical name."""

    kind = "dtype"

    def parse(self, value: Any) -> Any:
        if self._is_none(value):
            return None
        if isinstance(value, torch.dtype):
            return str(value).replace("torch.", "")
        to_torch_dtype(value)  # validates
        import numpy as np
        return "bfloat16" if value == "bfloat16" else np.dtype(value).name


class Any_(Attr):
    """Any literal (a scalar, a tuple...), parsed from its string form when given one."""


@dataclass
class OpDef:
    """One operator of the table. See the module docstring for the conventions."""

    name: str
    inputs: tuple
    attrs: dict
    impl: Callable
    aux: tuple = ()
    aliases: tuple = ()
    variadic: Optional[str] = None
    num_outputs: Any = 1
    train_aware: bool = False
    active_inputs: Optional[Callable] = None
    output_names: Optional[Callable] = None
    shape_rule: Optional[Callable] = None
    # outputs never share memory with the inputs (no view, no input handed back): nd.X skips its check
    fresh_outputs: bool = False
    # input name -> the ``__init__`` attribute (an initializer's JSON) MXNet gives the variable it
    # creates for that input when the caller leaves it out: BatchNorm's moving_var starts at one
    input_init: dict = field(default_factory=dict)
    doc: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def failure(self, err: Exception, tensors: Sequence, attrs: dict,
                node: Optional[str] = None) -> MXNetError:
        """The MXNetError for torch's complaint ``err`` about running this operator on ``tensors``:
        torch's message names the problem, this says which operator (and graph node) met it."""
        where = f"{self.name} (node '{node}')" if node else self.name
        shapes = [tuple(t.shape) for t in tensors if t is not None]
        types = [str(t.dtype).replace("torch.", "") for t in tensors if t is not None]
        return MXNetError(f"{where}: {err} (input shapes {shapes}, types {types}, attributes {attrs})")

    # -- attributes -------------------------------------------------------------------------
    def parse_attrs(self, raw: dict) -> dict:
        """Parse user- or JSON-given attributes, fill defaults, and check required ones.

        Unknown attributes and unparsable values raise MXNetError naming the operator.
        """
        try:
            # keyword order only costs a second cache slot; the value's type is part of the key
            # because 1 == 1.0 == True would otherwise share one parse (num_hidden=True is an error)
            key = tuple((k, v, type(v)) for k, v in raw.items())
            hit = self._cache.get(key)
            if hit is not None:
                return hit
        except TypeError:  # unhashable value (a list): parse without caching
            key = None
        parsed = {}
        for name, spec in self.attrs.items():
            if name in raw:
                try:
                    parsed[name] = spec.parse(raw[name])
                except (ValueError, TypeError, SyntaxError, ArithmeticError, MXNetError) as err:
                    raise MXNetError(f"{self.name}: invalid value {short_repr(raw[name])} for attribute "
                                     f"'{name}' (expected {spec.kind}): {err}") from None
            elif spec.default is REQUIRED:
                raise MXNetError(f"{self.name}: required attribute '{name}' is missing")
            else:
                parsed[name] = spec.default
        unknown = [k for k in raw if k not in self.attrs]
        if unknown:
            raise MXNetError(f"{self.name}: unknown attribute(s) {unknown}; accepted attributes "
                             f"are {sorted(self.attrs)}")
        if key is not None and len(self._cache) < 4096:
            self._cache[key] = parsed
        return parsed

    def format_attrs(self, attrs: dict) -> dict:
        """Attributes as MXNet writes them in symbol JSON (only those that differ from None)."""
        return {k: self.attrs[k].format(v) for k, v in attrs.items()
                if k in self.attrs and v is not None}

    # -- binding a call ---------------------------------------------------------------------
    def bind(self, args: Sequence[Any], kwargs: dict) -> tuple:
        """Split a Python call ``op(*args, **kwargs)`` into ``(inputs, attributes)``.

        As MXNet's generated functions do, positional arguments are the inputs in declared order,
        then the attributes in declared order; keywords name either. A variadic operator takes
        its inputs positionally (or as one list) and counts them into its count attribute. Giving
        one argument twice, or more positional arguments than the operator has, is a TypeError,
        as Python raises for MXNet's generated signatures. ``inputs`` is a list for a variadic
        operator, else a dict by input name; ``attributes`` are unparsed.
        """
        if self.variadic is not None:
            if len(args) == 1 and isinstance(args[0], (list, tuple)):
                args = tuple(args[0])
            attrs = dict(kwargs)
            attrs.setdefault(self.variadic, len(args))
            return list(args), attrs
        names = self.inputs
        if not kwargs and len(args) <= len(names):  # the common call: inputs only, positionally
            return dict(zip(names, args)), {}
        attr_names = list(self.attrs)
        if len(args) > len(names) + len(attr_names):
            raise TypeError(f"{self.name} takes at most {len(names) + len(attr_names)} positional "
                            f"arguments (inputs {list(names)}, then attributes {attr_names}), got "
                            f"{len(args)}")
        inputs = dict(zip(names, args))
        attrs = dict(zip(attr_names, args[len(names):]))
        for key, value in kwargs.items():
            if key in inputs or key in attrs:
                raise TypeError(f"{self.name} got multiple values for argument '{key}'")
            if key in names:
                inputs[key] = value
            else:
                attrs[key] = value
        return inputs, attrs

    def docstring(self, array: str = "NDArray") -> str:
        """The docstring of the generated ``nd.X`` (``array="NDArray"``) or ``sym.X``
        (``array="Symbol"``): the implementation's summary, then inputs and attributes."""
        lines = [self.doc.strip() or f"{self.name} operator.", "", "Parameters", "----------"]
        if self.variadic:
            lines += [f"*data : {array}[]", "    The input arrays."]
        lines += [f"{name} : {array}\n    The {name} input." for name in self.inputs
                  if not self.variadic]
        for name, spec in self.attrs.items():
            default = "required" if spec.default is REQUIRED else f"default={spec.default!r}"
            lines.append(f"{name} : {spec.kind}, {default}")
        if array == "NDArray":
            lines += ["out : NDArray, optional", "    The array that receives the result."]
        lines += ["name : str, optional", "    The node's name." if array == "Symbol" else
                  "    Ignored (accepted as MXNet's imperative functions accept it).",
                  "", "Returns", "-------",
                  f"{array} or list of {array}" if array == "NDArray" else "Symbol"]
        return "\n".join(lines)

    # -- inputs and outputs -----------------------------------------------------------------
    def input_names(self, attrs: dict, num_args: Optional[int] = None) -> list:
        """The active inputs for these attributes (a Convolution with no_bias has no 'bias')."""
        if self.variadic is not None:
            n = attrs.get(self.variadic) if num_args is None else num_args
            return [f"arg{i}" for i in range(n)]
        if self.active_inputs is not None:
            return list(self.active_inputs(attrs))
        return list(self.inputs)

    def n_outputs(self, attrs: dict) -> int:
        return self.num_outputs(attrs) if callable(self.num_outputs) else self.num_outputs

    def list_outputs(self, attrs: dict) -> list:
        if self.output_names is not None:
            return list(self.output_names(attrs))
        n = self.n_outputs(attrs)
        return ["output"] if n == 1 else [f"output{i}" for i in range(n)]

    # -- execution --------------------------------------------------------------------------
    def __call__(self, *tensors: torch.Tensor, is_train: bool = False, **attrs: Any):
        """Run the torch implementation on tensors with parsed attributes; ``is_train`` reaches
        only the operators that behave differently in training (``train_aware``)."""
        if self.train_aware:
            return self.impl(*tensors, is_train=is_train, **attrs)
        return self.impl(*tensors, **attrs)

    def infer_shape(self, attrs: dict, in_shapes: list) -> tuple:
        """Complete input shapes and compute output shapes (None marks an unknown shape)."""
        if self.shape_rule is not None:
            ins, outs = self.shape_rule(attrs, *in_shapes)
            return list(ins), list(outs)
        if any(s is None for s in in_shapes):
            return list(in_shapes), [None] * self.n_outputs(attrs)
        metas = [torch.empty(s, device="meta") for s in in_shapes]
        try:
            out = self(*metas, is_train=False, **attrs)
        except (RuntimeError, ValueError, IndexError, TypeError) as err:
            if any(0 in s for s in in_shapes):  # a 0 is an unknown dimension (MXNet 1.x): give up
                return list(in_shapes), [None] * self.n_outputs(attrs)
            raise MXNetError(f"{self.name}: cannot infer shapes from input shapes "
                             f"{[tuple(s) for s in in_shapes]}: {err}") from None
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return list(in_shapes), [tuple(o.shape) or (1,) for o in outs]

    def shape(self, rule: Callable) -> Callable:
        """Decorator attaching the shape rule: ``@conv.shape``."""
        self.shape_rule = rule
        return rule


def same_shape(attrs: dict, *shapes: Any) -> tuple:
    """Shape rule of element-wise operators (MXNet's ElemwiseShape): inputs and output share one
    shape, so a shape known anywhere (0 marking an unknown dimension) completes the others.
    Declaring it also spares the meta-tensor fallback, whose first Python meta kernel costs
    seconds of torch imports."""
    merged = None
    for s in shapes:
        if s is None:
            continue
        s = tuple(s)
        if merged is None:
            merged = s
        elif len(s) != len(merged) or any(a and b and a != b for a, b in zip(s, merged)):
            raise MXNetError(f"element-wise operator: input shapes differ, {merged} and {s}")
        else:
            merged = tuple(a or b for a, b in zip(merged, s))
    return [merged] * len(shapes), [merged]


_REGISTRY: dict = {}


def op(name: str, inputs: Sequence[str] = ("data",), attrs: Optional[dict] = None, *,
       aux: Sequence[str] = (), aliases: Sequence[str] = (), variadic: Optional[str] = None,
       num_outputs: Any = 1, train_aware: bool = False, active_inputs: Optional[Callable] = None,
       output_names: Optional[Callable] = None, fresh_outputs: bool = False,
       input_init: Optional[dict] = None) -> Callable[[Callable], OpDef]:
    """Declare an operator. Used as a decorator on its torch implementation.

    ``fresh_outputs=True`` promises that the implementation returns new tensors only (never an input
    or a view of one); ``tests/ops/test_registry.py`` holds every such entry with samples to it.
    """

    def register(impl: Callable) -> OpDef:
        entry = OpDef(name=name, inputs=tuple(inputs), attrs=dict(attrs or {}), impl=impl,
                      aux=tuple(aux), aliases=tuple(aliases), variadic=variadic,
                      num_outputs=num_outputs, train_aware=train_aware,
                      active_inputs=active_inputs, output_names=output_names,
                      fresh_outputs=fresh_outputs, input_init=dict(input_init or {}),
                      doc=impl.__doc__ or "")
        for key in (name, *aliases):
            if key in _REGISTRY:
                raise MXNetError(f"operator {key!r} is declared twice")
            _REGISTRY[key] = entry
        return entry

    return register


def get_op(name: str) -> OpDef:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise MXNetError(f"unknown operator {name!r}") from None


def all_ops() -> dict:
    """Every name (canonical and alias) mapped to its entry."""
    return dict(_REGISTRY)


# Operators whose names start with these prefixes also live in the namespace named after the
# prefix, under the rest of their name: ``_image_to_tensor`` is ``nd.image.to_tensor``.
NAMESPACE_PREFIXES = {"image": "_image_", "contrib": "_contrib_", "linalg": "_linalg_",
                      "random": "_random_"}


def install(namespace: Any, make_function: Callable[[OpDef, str], Callable], prefix: str = "",
            *, only: Optional[Callable[[str], bool]] = None) -> list:
    """Put one generated function per table entry into ``namespace`` (a module or a class).

    ``make_function(entry, public_name)`` builds the function of one kind (``nd.X`` or ``sym.X``);
    ``prefix`` selects the names starting with it and strips it (``"_image_"`` for ``nd.image``);
    ``only`` narrows the selection further. Names the namespace already defines are kept: a
    hand-written function there is deliberate. Returns the public names installed.
    """
    installed = []
    for name, entry in _REGISTRY.items():
        if not name.startswith(prefix) or (only is not None and not only(name)):
            continue
        public = name[len(prefix):]
        if public and not hasattr(namespace, public):
            setattr(namespace, public, make_function(entry, public))
            installed.append(public)
    return installed
