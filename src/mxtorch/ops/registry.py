"""The operator table: each MXNet operator declared once, with every fact about it.

Operators are declared when ``mxtorch.ops`` is imported (``ops/nn.py``, ``ops/tensor/``, ``ops/loss.py``,
``ops/random.py``, ``ops/image.py``); ``mxtorch.nd`` and ``mxtorch.sym`` then build their functions from
the table with ``install``. ``nd.X``, ``sym.X``, the ``F.X`` of ``hybrid_forward``, symbol JSON, shape and
type inference and ``viz`` all read the entry; none of them names an operator. Adding an operator is
writing one entry::

    @op("MyAct", inputs=("data", "gamma"), attrs={"slope": Float(0.1)}, learnable=("gamma",),
        hidden_outputs=1, plot_color="activation")
    def my_act(data, gamma, *, slope):
        ...

An entry declared later (after ``mxtorch`` was imported) is installed into ``nd``, ``sym`` and their
namespaces as it is declared, and ``remove`` takes it back out; ``tests/test_one_entry.py`` walks a
new operator through every front end this way.

The fields of an entry (``op(...)`` keywords unless said otherwise):

``name``, ``aliases``
    MXNet's operator name and the other names it answers to (JSON keeps the canonical name).
``inputs``
    Input names in MXNet's order. ``variadic="num_args"`` instead takes any number of inputs and
    counts them into that attribute; ``active_inputs(attrs)`` narrows the inputs a call has (no
    ``bias`` with ``no_bias``). An entry whose inputs only its attributes can name (``Custom``:
    its prop lists them) leaves ``inputs`` empty and names them all with ``active_inputs``; a call
    then gives them positionally, or by name as arrays among the keywords.
``attrs``
    Attribute name -> spec (``Shape``, ``Int``, ``Float``, ``Bool``, ``Str``, ``Enum``, ``DType``,
    ``Floats``, ``Any_``) with MXNet's default (``REQUIRED`` when there is none); the spec parses
    both Python values and the strings symbol JSON stores. ``extra_attrs=True`` accepts attributes
    beyond these and keeps each as the string MXNet passes on (``str(value)``): ``Custom`` hands
    them to its prop's ``__init__``.
implementation (the decorated function)
    Receives torch tensors, one per active input in declaration order, and the parsed attributes as
    keywords, plus ``is_train`` when ``train_aware``; returns a tensor or a tuple of tensors. Its
    docstring becomes the generated functions' summary. ``fresh_outputs=True`` promises it returns
    new tensors only (never an input or a view of one).
``num_outputs``, ``output_names``
    The visible outputs (an int or a function of the attributes) and their ``list_outputs`` names.
``hidden_outputs``
    Outputs MXNet 1.9.1 (the pip build, with oneDNN) keeps but does not show: a normalisation's
    mean and variance, Dropout's mask, sort's indices, max pooling's workspace. An int or a function
    of the attributes; symbol JSON counts them in ``node_row_ptr`` (mxtorch computes none of them).
shape rule (``@entry.shape``)
    ``rule(attrs, *input_shapes) -> (input_shapes, output_shapes)``, one shape (tuple, or None when
    unknown; 0 an unknown dimension) per active input. It fills in the input shapes the operator
    determines (a Convolution's weight from its data: MXNet's backward inference). Without one,
    output shapes come from running the implementation on meta tensors. ``same_shape`` is the rule
    of element-wise operators.
input-from-output rule (``@entry.shape_from_outputs``)
    ``rule(attrs, input_shapes, output_shapes) -> input_shapes``: completes inputs that only a known
    output determines (a Reshape's unknown input dimension from its output's size; the piece of
    ``_rnn_param_concat`` whose length the RNN's parameter vector fixes), as MXNet's shape functions
    do when they see an output's shape first. Inference calls it once the forward rule has run.
type rule (``untied_inputs``, ``@entry.types``)
    By default the inputs share one dtype and the outputs have it too, or the ``dtype`` attribute's
    type when the operator has one (``tied_types``). ``untied_inputs`` lists the inputs outside that
    rule (indices, conditions, shape donors). ``@entry.types`` replaces the rule:
    ``rule(attrs, input_names, input_types, output_types) -> (input_types, output_types)`` with numpy
    types, None where unknown, raising ``TypeConflict`` when two inputs disagree (BatchNorm keeps
    float32 parameters for float16 data; topk's values keep the data's type).
``aux``, ``learnable``, ``input_init``
    The roles of inputs: auxiliary states (updated by the operator, not by a trainer: BatchNorm's
    moving statistics; a tuple of names, or a function of the attributes: ``aux_inputs``), learnable
    parameters (weight, bias, gamma, beta), everything else data. An input may carry the
    initializer (its JSON) MXNet gives the variable ``sym.X`` creates for it.
``plot_label``, ``plot_color``
    How ``viz.plot_network`` draws the operator: ``plot_label(node_name, attrs, given)`` returns the
    box's text (``given`` holds the names of the attributes the call set; the default label is the
    node's name) and ``plot_color`` names one of ``PLOT_COLORS``.
``summary_params``
    ``summary_params(attrs, in_channels, output_shape)``: the parameter count ``viz.print_summary``
    prints for the layer, by MXNet's arithmetic (``in_channels`` sums axis 1 of the inputs;
    ``output_shape`` is None without shapes). Entries without one print 0, as MXNet does.
``grad_note``
    A sentence on a deliberate or inherited gradient behaviour a user would not expect (where it
    differs from MXNet's, or follows an MXNet quirk); the generated docstrings show it.
``train_aware``
    The implementation behaves differently in training (Dropout, BatchNorm) and receives ``is_train``.
``reads_out``
    The implementation also receives ``out``: the tensor (a list of them for several outputs) of
    the ``out=`` array an ``nd.X`` call gives, else None. For operators whose MXNet kernel reads
    its output array: an update operator told ``out=weight`` (nag_mom_update), ``all_finite``
    combining with the answer already in ``out`` (``init_output=False``).
"""
from __future__ import annotations

import inspect
import keyword
import math
import re
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from ..base import MXNetError, parse_literal, short_repr, to_torch_dtype

__all__ = ["op", "OpDef", "get_op", "all_ops", "install", "remove", "NAMESPACE_PREFIXES", "same_shape",
           "tied_types", "numpy_type", "TypeConflict", "PLOT_COLORS",
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
        return "bfloat16" if value == "bfloat16" else np.dtype(value).name


class Any_(Attr):
    """Any literal (a scalar, a tuple...), parsed from its string form when given one."""


def _docstring_text(doc: str | None) -> str:
    """A docstring without its indentation. Its body lines are indented as far as its closing quotes
    when they stand on a line of their own (inspect.cleandoc takes the least indented body line
    instead, which strips a body that is all one literal block of its indentation)."""
    if not doc:
        return ""
    body, newline, closing = doc.rpartition("\n")
    if not newline or closing.strip() or not closing:
        return inspect.cleandoc(doc)
    first, *rest = body.split("\n")
    rest = [line[len(closing):] if line.startswith(closing) else line.lstrip() for line in rest]
    return "\n".join([first.strip(), *rest]).strip()


@dataclass
class OpDef:
    """One operator of the table. See the module docstring for the conventions."""

    name: str
    inputs: tuple
    attrs: dict
    impl: Callable
    aux: Any = ()
    aliases: tuple = ()
    variadic: Optional[str] = None
    num_outputs: Any = 1
    train_aware: bool = False
    active_inputs: Optional[Callable] = None
    output_names: Optional[Callable] = None
    shape_rule: Optional[Callable] = None
    shape_from_outputs_rule: Optional[Callable] = None
    # outputs never share memory with the inputs (no view, no input handed back): nd.X skips its check
    fresh_outputs: bool = False
    # input name -> the ``__init__`` attribute (an initializer's JSON) MXNet gives the variable it
    # creates for that input when the caller leaves it out: BatchNorm's moving_var starts at one
    input_init: dict = field(default_factory=dict)
    learnable: tuple = ()
    untied_inputs: tuple = ()
    type_rule: Optional[Callable] = None
    hidden_outputs: Any = 0
    plot_label: Optional[Callable] = None
    plot_color: str = "other"
    summary_params: Optional[Callable] = None
    grad_note: str = ""
    extra_attrs: bool = False
    reads_out: bool = False
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

        Unknown attributes and unparsable values raise MXNetError naming the operator, except on
        an operator that declares no attributes at all: MXNet gives such an operator no parser,
        and whatever it is passed (``zeros_like(x, dtype='int64')``, as GluonCV writes) is ignored.
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
        if unknown and self.extra_attrs:
            for k in unknown:
                parsed[k] = self._extra_text(k, raw[k])
        elif unknown and self.attrs:
            raise MXNetError(f"{self.name}: unknown attribute(s) {unknown}; accepted attributes "
                             f"are {sorted(self.attrs)}")
        if key is not None and len(self._cache) < 4096:
            self._cache[key] = parsed
        return parsed

    def _extra_text(self, key: Any, value: Any) -> str:
        """An attribute beyond ``attrs`` (``extra_attrs``) as the string MXNet passes on."""
        if not isinstance(key, str):
            raise MXNetError(f"{self.name}: attribute names must be strings, got {short_repr(key)}")
        text = str(value)
        limit = _limits().MAX_ATTR_CHARS
        if len(text) > limit:
            raise MXNetError(f"{self.name}: attribute '{key}' is {len(text)} characters long, more "
                             f"than {limit}")
        return text

    def format_attrs(self, attrs: dict) -> dict:
        """Attributes as MXNet writes them in symbol JSON (only those that differ from None)."""
        return {k: self.attrs[k].format(v) if k in self.attrs else v for k, v in attrs.items()
                if (k in self.attrs or self.extra_attrs) and v is not None}

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
        if not self.inputs and self.active_inputs is not None:
            return self._bind_named_by_attrs(args, kwargs)
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

    def _bind_named_by_attrs(self, args: Sequence[Any], kwargs: dict) -> tuple:
        """``bind`` for an entry whose attributes name its inputs (``Custom``): every positional
        argument is an input, a keyword is an input when its value is not an attribute value (an
        array or a symbol), and the names come from the attributes the call gives."""
        attrs = {k: v for k, v in kwargs.items() if _is_attribute_value(v)}
        inputs = {k: v for k, v in kwargs.items() if k not in attrs}
        names = self.input_names(self.parse_attrs(attrs)) if args else []
        if len(args) > len(names):
            raise MXNetError(f"{self.name}: got {len(args)} inputs, but it takes {len(names)} "
                             f"{names} for attributes {attrs}")
        for key, value in zip(names, args):
            if key in inputs:
                raise TypeError(f"{self.name} got multiple values for argument '{key}'")
            inputs[key] = value
        return inputs, attrs

    def docstring(self, array: str = "NDArray") -> str:
        """The docstring of the generated ``nd.X`` (``array="NDArray"``) or ``sym.X``
        (``array="Symbol"``): the implementation's summary, then inputs and attributes."""
        lines = [_docstring_text(self.doc) or f"{self.name} operator.", "", "Parameters", "----------"]
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
        if self.grad_note:
            lines += ["", "Notes", "-----", f"Gradient: {self.grad_note}"]
        return "\n".join(lines)

    def signature(self, array: str = "NDArray") -> inspect.Signature:
        """The Python signature of the generated ``nd.X`` (``array="NDArray"``) or ``sym.X``
        (``array="Symbol"``), in MXNet's parameter order: the inputs (default None), the
        attributes (their defaults; ``REQUIRED`` where the caller must give one), then ``out`` and
        ``name`` (``name``, ``attr``, ``out`` for a Symbol) and ``**kwargs``. A variadic operator
        shows ``(*data, **kwargs)`` (``*args`` for ``add_n``: its declared input), as MXNet's do.
        ``help()`` and editors read it."""
        param = inspect.Parameter
        if self.variadic is not None or (not self.inputs and self.active_inputs is not None):
            params = [param(self.inputs[0] if self.inputs else "data", param.VAR_POSITIONAL)]
        else:
            tail = ("out", "name") if array == "NDArray" else ("name", "attr", "out")
            named = [(n, None) for n in self.inputs]
            named += [(n, spec.default) for n, spec in self.attrs.items()]
            named += [(n, None) for n in tail]
            params = [param(n, param.POSITIONAL_OR_KEYWORD, default=d) for n, d in named
                      if n.isidentifier() and not keyword.iskeyword(n)]
        return inspect.Signature(params + [param("kwargs", param.VAR_KEYWORD)])

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

    def mxnet_num_outputs(self, attrs: dict) -> int:
        """The outputs MXNet 1.9.1 keeps for this call, the hidden ones (``hidden_outputs``) included:
        what a symbol file's ``node_row_ptr`` counts."""
        hidden = self.hidden_outputs(attrs) if callable(self.hidden_outputs) else self.hidden_outputs
        return self.n_outputs(attrs) + hidden

    def aux_inputs(self, attrs: dict) -> tuple:
        """The inputs that are auxiliary states for these attributes (``aux``, or what its
        function of the attributes answers)."""
        return tuple(self.aux(attrs)) if callable(self.aux) else self.aux

    def input_role(self, name: str, attrs: Optional[dict] = None) -> str:
        """``"aux"`` (an auxiliary state), ``"learnable"`` (a parameter a trainer updates) or
        ``"data"`` (everything else) for input ``name`` (``attrs`` decide when ``aux`` is a
        function of them)."""
        aux = self.aux if not callable(self.aux) else self.aux_inputs(attrs) if attrs else ()
        if name in aux:
            return "aux"
        return "learnable" if name in self.learnable else "data"

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

    def shape_from_outputs(self, rule: Callable) -> Callable:
        """Decorator attaching the rule that completes input shapes from known output shapes."""
        self.shape_from_outputs_rule = rule
        return rule

    def infer_type(self, attrs: dict, names: Sequence[str], in_types: Sequence,
                   out_types: Sequence) -> tuple:
        """Complete input and output dtypes (numpy types, None where unknown) by the entry's type
        rule, or by the default one: the inputs not in ``untied_inputs`` share one dtype, and the
        outputs have it too, or the ``dtype`` attribute's type when the operator has one."""
        if self.type_rule is not None:
            ins, outs = self.type_rule(attrs, list(names), list(in_types), list(out_types))
            return list(ins), list(outs)
        out_dtype = attrs.get("dtype") if "dtype" in self.attrs else None
        return tied_types(names, in_types, out_types, untied=self.untied_inputs, out_dtype=out_dtype)

    def types(self, rule: Callable) -> Callable:
        """Decorator attaching a type rule that replaces the default: ``@batch_norm.types``."""
        self.type_rule = rule
        return rule

    def label(self, node_name: str, attrs: dict, given: Any) -> tuple:
        """``(text, colour name)`` of this operator's box in ``viz.plot_network``; ``given`` holds
        the attributes the call set explicitly (MXNet's labels tell those from defaults)."""
        text = node_name if self.plot_label is None else self.plot_label(node_name, attrs, given)
        return text, self.plot_color


def _is_attribute_value(value: Any) -> bool:
    """Whether a keyword's value is an attribute (a string, a number, a dtype, None, or a tuple or
    list of those) rather than an input (an array or a symbol)."""
    if isinstance(value, (tuple, list)):
        return all(_is_attribute_value(v) for v in value)
    return value is None or isinstance(value, (str, bytes, int, float, complex, np.generic, type,
                                               np.dtype, torch.dtype))


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


class TypeConflict(MXNetError):
    """Two inputs of one operator disagree on a dtype they must share (raised by type rules)."""

    def __init__(self, position: int, expected: Any, got: Any):
        self.position, self.expected, self.got = position, expected, got
        super().__init__(f"at {position}-th input: expected {np.dtype(expected).name}, got "
                         f"{np.dtype(got).name}")


def tied_types(names: Sequence[str], in_types: Sequence, out_types: Sequence, *,
               untied: Sequence[str] = (), out_dtype: Optional[str] = None,
               expected: Optional[Callable[[str, Any], Any]] = None) -> tuple:
    """Type rule of most operators (MXNet's ElemwiseType and kin): the inputs share one dtype
    (those in ``untied`` excepted: indices, conditions, shape donors) and so do the outputs, unless
    ``out_dtype`` names theirs. ``expected(name, shared)`` gives the dtype an input must have when
    the others have ``shared`` (the identity unless a rule says otherwise). With no input known,
    a known output fills the inputs (MXNet's backward type inference). Returns
    ``(input types, output types)``; a conflict raises TypeConflict."""
    expect = expected or (lambda name, shared: shared)
    shared = None
    for position, (name, dtype) in enumerate(zip(names, in_types)):
        if dtype is None or name in untied:
            continue
        if shared is None:
            shared = dtype
        elif dtype != expect(name, shared):
            raise TypeConflict(position, expect(name, shared), dtype)
    if shared is None and out_dtype is None:
        shared = next((t for t in out_types if t is not None), None)
    ins = [t if t is not None or shared is None else expect(name, shared)
           for name, t in zip(names, in_types)]
    # numpy has no bfloat16: a bfloat16 result is reported as the inputs' type
    result = shared if out_dtype in (None, "bfloat16") else numpy_type(out_dtype)
    return ins, [t if t is not None else result for t in out_types]


def numpy_type(dtype: str) -> Optional[type]:
    """The numpy type of a parsed ``DType`` attribute; None for bfloat16, which numpy lacks (type
    inference leaves it unknown)."""
    return None if dtype == "bfloat16" else np.dtype(dtype).type


_REGISTRY: dict = {}


def op(name: str, inputs: Sequence[str] = ("data",), attrs: Optional[dict] = None, *,
       aux: Any = (), aliases: Sequence[str] = (), variadic: Optional[str] = None,
       num_outputs: Any = 1, train_aware: bool = False, active_inputs: Optional[Callable] = None,
       output_names: Optional[Callable] = None, fresh_outputs: bool = False,
       input_init: Optional[dict] = None, learnable: Sequence[str] = (),
       untied_inputs: Sequence[str] = (), hidden_outputs: Any = 0,
       plot_label: Optional[Callable] = None, plot_color: str = "other",
       summary_params: Optional[Callable] = None,
       grad_note: str = "", extra_attrs: bool = False,
       reads_out: bool = False) -> Callable[[Callable], OpDef]:
    """Declare an operator. Used as a decorator on its torch implementation; the keywords are the
    entry's fields, described in this module's docstring."""

    def register(impl: Callable) -> OpDef:
        if plot_color not in PLOT_COLORS:
            raise MXNetError(f"operator {name!r}: plot_color must be one of {sorted(PLOT_COLORS)}")
        entry = OpDef(name=name, inputs=tuple(inputs), attrs=dict(attrs or {}), impl=impl,
                      aux=aux if callable(aux) else tuple(aux), aliases=tuple(aliases), variadic=variadic,
                      num_outputs=num_outputs, train_aware=train_aware,
                      active_inputs=active_inputs, output_names=output_names,
                      fresh_outputs=fresh_outputs, input_init=dict(input_init or {}),
                      learnable=tuple(learnable), untied_inputs=tuple(untied_inputs),
                      hidden_outputs=hidden_outputs, plot_label=plot_label, plot_color=plot_color,
                      summary_params=summary_params, grad_note=grad_note, extra_attrs=extra_attrs,
                      reads_out=reads_out, doc=impl.__doc__ or "")
        for key in (name, *aliases):
            if key in _REGISTRY:
                raise MXNetError(f"operator {key!r} is declared twice")
        for key in (name, *aliases):
            _REGISTRY[key] = entry
        # an operator declared after nd and sym were built reaches them as the others did
        for namespace, make_function, prefix, only in _INSTALLS:
            _install_names(namespace, make_function, prefix, only, (name, *aliases))
        return entry

    return register


def remove(entry: OpDef) -> None:
    """Take ``entry`` out of the table (all its names) and the functions made for it out of the
    namespaces ``install`` filled: the way back for an operator declared at run time (a test's)."""
    for key in (entry.name, *entry.aliases):
        if _REGISTRY.get(key) is entry:
            del _REGISTRY[key]
    for namespace, public in _MADE.pop(id(entry), ()):
        if public in vars(namespace):
            delattr(namespace, public)


def get_op(name: str) -> OpDef:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise MXNetError(f"unknown operator {name!r}") from None


def all_ops() -> dict:
    """Every name (canonical and alias) mapped to its entry."""
    return dict(_REGISTRY)


# The fill colours of ``viz.plot_network`` (MXNet's palette), by the names entries use for them.
PLOT_COLORS = {"variable": "#8dd3c7", "layer": "#fb8072", "activation": "#ffffb3",
               "normalization": "#bebada", "pooling": "#80b1d3", "shape": "#fdb462",
               "other": "#fccde5"}


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
    hand-written function there is deliberate. Operators declared later are installed too, as they
    are declared. Returns the public names installed.
    """
    _INSTALLS.append((namespace, make_function, prefix, only))
    return _install_names(namespace, make_function, prefix, only, list(_REGISTRY))


# Every install(...) call, replayed for an operator declared afterwards; and, per entry, the
# (namespace, public name) pairs made for it (what remove() takes back).
_INSTALLS: list = []
_MADE: dict = {}


def _install_names(namespace: Any, make_function: Callable[[OpDef, str], Callable], prefix: str,
                   only: Optional[Callable[[str], bool]], names: Sequence[str]) -> list:
    installed = []
    for name in names:
        if not name.startswith(prefix) or (only is not None and not only(name)):
            continue
        public = name[len(prefix):]
        if public and not hasattr(namespace, public):
            entry = _REGISTRY[name]
            function = make_function(entry, public)
            if isinstance(namespace, types.ModuleType):  # help() and the API reference place it here
                function.__module__ = namespace.__name__
            setattr(namespace, public, function)
            _MADE.setdefault(id(entry), []).append((namespace, public))
            installed.append(public)
    return installed
