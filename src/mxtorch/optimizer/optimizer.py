"""Weight updating functions: the Optimizer base class, its registry, and the Updater.

The update rules themselves live in :mod:`.sgd`, :mod:`.adam` and :mod:`.adaptive`; each one
follows the formula of MXNet 1.9.1's fused operator (``sgd_mom_update``, ``adam_update``...) or
its Python code, step for step, and runs in place on the torch tensors the NDArrays wrap.
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from ..base import MXNetError
from ..registry import register_by_class_name
from ..ndarray.ndarray import NDArray
from . import states as _states

__all__ = ["Optimizer", "Updater", "create", "get_updater", "register"]


def _aggregation_size(default: str) -> int:
    """How many weights one aggregated (multi-tensor) update may take.

    MXNet's default of 4 came from the argument limit of its fused CUDA kernels; torch's
    ``_foreach_*`` ops have no such limit, so by default every weight goes in one call.
    ``MXNET_OPTIMIZER_AGGREGATION_SIZE`` still overrides it, as in MXNet.
    """
    return int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", default))


def _f32(x: float) -> float:
    """Round a Python float to float32, as MXNet's operators receive their float attributes."""
    return float(np.float32(x))


def _as_lists(index: Any, weight: Any, grad: Any, state: Any) -> tuple:
    """Normalise one (index, weight, grad, state) or aggregated sequences of them to lists."""
    if isinstance(index, (list, tuple)):
        return list(index), list(weight), list(grad), list(state)
    return [index], [weight], [grad], [state]


def _check_arrays(weights: Sequence[Any], grads: Sequence[Any]) -> None:
    for weight, grad in zip(weights, grads):
        if not isinstance(weight, NDArray) or not isinstance(grad, NDArray):
            raise TypeError("optimizer update expects NDArray weight and grad, got "
                            f"{type(weight).__name__} and {type(grad).__name__}")


def _zeros_like(weight: NDArray, dtype: Optional[torch.dtype] = None) -> NDArray:
    """A zero state array shaped (and, unless `dtype` is given, typed) like `weight`."""
    return NDArray(torch.zeros(weight._t.shape, dtype=dtype or weight._t.dtype,
                               device=weight._t.device))


class Optimizer:
    """Base of every optimizer: hyper-parameters, per-parameter multipliers and update counts.

    A subclass supplies :meth:`create_state` (what it keeps per weight, e.g. a momentum
    buffer) and :meth:`update` (one step on one weight, or on a list of weights when
    ``aggregate_num`` is positive). This class supplies what all of them share: the
    learning rate (fixed or from a scheduler), weight decay, gradient rescaling and
    clipping settings, ``lr_mult``/``wd_mult`` lookup, the update counter that schedulers
    read, and float32 master copies of float16 weights. Subclasses registered with
    :func:`register` can be built by name with :func:`create`.

    Parameters
    ----------
    rescale_grad : float, optional, default 1.0
        Factor applied to every gradient before it is used; ``1.0/batch_size`` is the
        usual choice when the loss is summed over a batch.
    param_idx2name : dict from int to string, optional, default None
        Names of the parameters by update index. Named parameters that end neither in
        ``_weight`` nor in ``_gamma`` get a weight-decay multiplier of 0.
    wd : float, optional, default 0.0
        L2 penalty coefficient: ``wd * weight`` is added to the gradient.
    clip_gradient : float, optional, default None
        When set, each rescaled gradient element is clamped to
        ``[-clip_gradient, clip_gradient]``.
    learning_rate : float, optional, default None
        Step size. When ``lr_scheduler`` is given too, this value replaces the
        scheduler's ``base_lr``; when both are None, 0.01 is used.
    lr_scheduler : LRScheduler, optional, default None
        Schedule giving the step size as a function of the update count.
    sym : Symbol, optional, default None
        Network whose variables' ``__lr_mult__`` and ``__wd_mult__`` attributes seed the
        multipliers.
    begin_num_update : int, optional, default 0
        Update count to start from (when resuming training).
    multi_precision : bool, optional, default False
        For float16 weights, keep a float32 master copy in the state, do the update in
        float32 and copy the result back. Without it the update runs in the weight's
        own precision, which is cheaper but can stall training.
    param_dict : dict of int -> gluon.Parameter, default None
        Gluon parameters by update index; their own ``lr_mult`` and ``wd_mult`` take
        precedence. The dict is referenced, not copied, and is left out when the optimizer
        is pickled.

    Attributes
    ----------
    learning_rate : float
        The step size in force now (read from the scheduler if there is one).
    """

    opt_registry: dict = {}

    def __init__(self, rescale_grad: float = 1., param_idx2name: Optional[dict] = None,
                 wd: float = 0., clip_gradient: Optional[float] = None,
                 learning_rate: Optional[float] = None, lr_scheduler: Any = None, sym: Any = None,
                 begin_num_update: int = 0, multi_precision: bool = False,
                 param_dict: Optional[dict] = None):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if learning_rate is None:
            if lr_scheduler is None:
                learning_rate = 0.01
        elif lr_scheduler is not None and lr_scheduler.base_lr != learning_rate:
            # A print, not warnings.warn: users' logs and our tests expect it on stdout.
            print(UserWarning("learning rate from ``lr_scheduler`` has been "
                              "overwritten by ``learning_rate`` in optimizer."))
            lr_scheduler.base_lr = learning_rate
        self.lr = learning_rate

        self.wd = wd
        self.lr_mult: dict = {}
        self.wd_mult: dict = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        # Update counts per device: each device sees every index once per step, so counting
        # them together would advance the schedule once per device. (Attribute order matters:
        # it is the order MXNet pickles them in saved states.)
        first_device: dict = {}
        self._all_index_update_counts: dict = {0: first_device}
        self._index_update_count = first_device
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0

        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise TypeError("param_idx2name should be a dict of param indexes to names, got "
                            f"{type(param_idx2name).__name__}")
        self.idx2name = param_idx2name.copy()
        self.sym_info = () if sym is None else (sym.attr_dict(), sym.list_arguments())
        self.param_dict = param_dict or {}

        self.set_lr_mult({})
        self.set_wd_mult({})

    # -- registry -------------------------------------------------------------------------------
    @staticmethod
    def register(klass: type) -> type:
        """Make an optimizer class available to :func:`create` under its lower-cased name.

        Usable as a decorator. Registering a second class of the same name replaces the first,
        with a warning.

        Parameters
        ----------
        klass : type
            A subclass of :class:`Optimizer`.

        Returns
        -------
        type
            ``klass`` itself.

        Raises
        ------
        TypeError
            If ``klass`` is not a class.

        Examples
        --------
        >>> @mx.optimizer.Optimizer.register
        ... class HalfStep(mx.optimizer.Optimizer):
        ...     pass
        >>> type(mx.optimizer.create('halfstep')).__name__
        'HalfStep'
        """
        return register_by_class_name(Optimizer.opt_registry, klass, "optimizer", "an Optimizer class")

    @staticmethod
    def create_optimizer(name: str, **kwargs: Any) -> "Optimizer":
        """Build a registered optimizer from its name; :func:`create` is the same function.

        Parameters
        ----------
        name : str
            Class name of the optimizer, in any case (``'sgd'``, ``'Adam'``, ...).
        **kwargs
            Passed on to the optimizer's constructor.

        Returns
        -------
        Optimizer
            The new optimizer.

        Raises
        ------
        ValueError
            If no optimizer of that name is registered.

        Examples
        --------
        >>> sgd = mx.optimizer.Optimizer.create_optimizer('sgd')
        >>> type(sgd)
        <class 'mxtorch.optimizer.sgd.SGD'>
        >>> adam = mx.optimizer.create('adam', learning_rate=.1)
        >>> type(adam)
        <class 'mxtorch.optimizer.adam.Adam'>
        """
        klass = Optimizer.opt_registry.get(name.lower())
        if klass is None:
            raise ValueError(f"Cannot find optimizer {name}; registered optimizers are "
                             f"{sorted(Optimizer.opt_registry)}")
        return klass(**kwargs)

    # -- learning rate ---------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The step size in force now: the scheduler's value at ``num_update``, else ``lr``."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Replace the fixed learning rate.

        Parameters
        ----------
        lr : float
            The step size to use from now on.

        Raises
        ------
        UserWarning
            If the optimizer has a scheduler, which owns the learning rate.
        """
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been "
                              "defined. Note that set_learning_rate can mutate "
                              "the value of the learning rate of the optimizer "
                              "only when the LRScheduler of the optimizer is "
                              "undefined.")
        self.lr = lr

    def set_lr_scale(self, args_lrscale: dict) -> None:
        """Removed API kept for its error: always raises; use :meth:`set_lr_mult`."""
        raise DeprecationWarning

    def _mults_from_sym(self, key: str) -> dict:
        """Multipliers stored as the ``key`` attribute of the variables of ``sym``."""
        if not self.sym_info:
            return {}
        attrs, arg_names = self.sym_info
        return {name: float(attrs[name][key]) for name in arg_names
                if key in attrs.get(name, {})}

    def set_lr_mult(self, args_lr_mult: dict) -> None:
        """Set per-parameter learning-rate multipliers.

        A parameter's step size is the global learning rate times its multiplier (1 when
        none is set). The table is rebuilt from the ``__lr_mult__`` attributes of ``sym``'s
        variables (e.g. ``mx.sym.Variable('w', lr_mult=0.1)``), then ``args_lr_mult`` is
        laid over it. A Gluon parameter in ``param_dict`` uses its own ``lr_mult`` instead.

        Parameters
        ----------
        args_lr_mult : dict of str/int to float
            Multiplier per parameter, keyed by name (matched through ``param_idx2name`` or
            ``sym``) or by update index. Names are preferred; indices are accepted for old
            code.
        """
        mults = self._mults_from_sym("__lr_mult__")
        mults.update(args_lr_mult)
        self.lr_mult = mults

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """Set per-parameter weight-decay multipliers.

        The table is rebuilt: 0 for every name in ``param_idx2name`` that ends neither in
        ``_weight`` nor in ``_gamma`` (biases and batch-norm shifts are not decayed), then
        the ``__wd_mult__`` attributes of ``sym``'s variables, then ``args_wd_mult``. A Gluon
        parameter in ``param_dict`` uses its own ``wd_mult`` instead.

        Parameters
        ----------
        args_wd_mult : dict of string/int to float
            Multiplier per parameter, keyed by name (matched through ``param_idx2name`` or
            ``sym``) or by update index. Names are preferred; indices are accepted for old
            code.
        """
        mults = {name: 0.0 for name in self.idx2name.values()
                 if not name.endswith(("_weight", "_gamma"))}
        mults.update(self._mults_from_sym("__wd_mult__"))
        mults.update(args_wd_mult)
        self.wd_mult = mults

    # -- update counting -------------------------------------------------------------------------
    def _set_current_context(self, device_id: int) -> None:
        """Count the following updates against device ``device_id``."""
        self._index_update_count = self._all_index_update_counts.setdefault(device_id, {})

    def _update_count(self, index: Any) -> None:
        """Record one more update of ``index`` (an int or a list of them) and advance
        ``num_update`` to the highest count seen on the current device."""
        if not isinstance(index, (list, tuple)):
            index = [index]
        counts = self._index_update_count
        for idx in index:
            if idx not in counts:
                counts[idx] = self.begin_num_update
            counts[idx] += 1
            self.num_update = max(counts[idx], self.num_update)

    def _get_lrs(self, indices: Sequence[Any]) -> list:
        """The learning rate of each index in ``indices``, multipliers applied."""
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return [lr * self._mult(index, self.lr_mult, "lr_mult") for index in indices]

    def _get_lr(self, index: Any) -> float:
        """The learning rate of one index, multipliers applied."""
        return self._get_lrs([index])[0]

    def _get_wds(self, indices: Sequence[Any]) -> list:
        """The weight decay of each index in ``indices``, multipliers applied (so 0 for the
        non-weight parameters named in ``param_idx2name``)."""
        return [self.wd * self._mult(index, self.wd_mult, "wd_mult") for index in indices]

    def _get_wd(self, index: Any) -> float:
        """The weight decay of one index, multipliers applied."""
        return self._get_wds([index])[0]

    def _mult(self, index: Any, mults: dict, attr: str) -> float:
        # The order MXNet resolves a multiplier in: a Gluon Parameter's own attribute,
        # then an entry keyed by the index, then one keyed by the index's name.
        param = self.param_dict.get(index)
        if param is not None:
            return getattr(param, attr)
        if index in mults:
            return mults[index]
        if index in self.idx2name:
            return mults.get(self.idx2name[index], 1.0)
        return 1.0

    # -- states and updates ----------------------------------------------------------------------
    def create_state(self, index: Any, weight: NDArray) -> Any:
        """Make what this optimizer keeps between steps for one weight.

        Called once per weight, before its first update; the result is handed back to
        :meth:`update` each step. The base class keeps nothing.

        Parameters
        ----------
        index : int
            Update index of the weight.
        weight : NDArray
            The weight, for its shape, dtype and device.

        Returns
        -------
        any
            The state (None, an NDArray, or a tuple of them).
        """
        return None

    def create_state_multi_precision(self, index: Any, weight: NDArray) -> Any:
        """Like :meth:`create_state`, adding a float32 master copy for float16 weights.

        With ``multi_precision`` and a float16 weight the state is
        ``(float32 copy of weight, create_state(index, that copy))``; otherwise it is
        :meth:`create_state`'s, with a warning for float16 weights updated in float16.

        Parameters
        ----------
        index : int
            Update index of the weight.
        weight : NDArray
            The weight.

        Returns
        -------
        any
            The state to pass to :meth:`update_multi_precision`.
        """
        if weight.dtype == np.float16:
            if self.multi_precision:
                master = weight.astype(np.float32)
                return (master, self.create_state(index, master))
            warnings.warn("Accumulating with float16 in optimizer can lead to "
                          "poor accuracy or slow convergence. "
                          "Consider using multi_precision=True option of the "
                          "optimizer")
        return self.create_state(index, weight)

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: Any) -> None:
        """Apply one step to ``weight`` in place. Subclasses implement it.

        Parameters
        ----------
        index : int
            Update index of the weight: selects its ``lr_mult`` and ``wd_mult`` and its
            update count.
        weight : NDArray
            The parameter, changed in place.
        grad : NDArray
            Gradient of the loss with respect to ``weight``.
        state : any
            What :meth:`create_state` made for this weight.
        """
        raise NotImplementedError()

    def update_multi_precision(self, index: Any, weight: NDArray, grad: NDArray,
                               state: Any) -> None:
        """Apply one step, through the float32 master copy when there is one.

        With ``multi_precision`` and a float16 weight, the step runs on the master copy held
        in ``state`` with the gradient cast to float32, and the result is written back into
        ``weight``; otherwise this is :meth:`update`.

        Parameters
        ----------
        index : int
            Update index of the weight.
        weight : NDArray
            The parameter, changed in place.
        grad : NDArray
            Gradient of the loss with respect to ``weight``.
        state : any
            What :meth:`create_state_multi_precision` made for this weight.
        """
        if not (self.multi_precision and weight.dtype == np.float16):
            self.update(index, weight, grad, state)
            return
        master, inner_state = state
        self.update(index, master, grad.astype(np.float32), inner_state)
        with torch.no_grad():
            weight._t.copy_(master._t)

    def __getstate__(self) -> dict:
        # Gluon Parameters are not part of a saved optimizer: the Trainer attaches them
        # again after loading.
        ret = self.__dict__.copy()
        del ret["param_dict"]
        return ret

    def __setstate__(self, state: dict) -> None:
        self.__dict__ = state
        self.param_dict = {}


register = Optimizer.register
create = Optimizer.create_optimizer


@register
class Test(Optimizer):
    """Optimizer for tests: adds the rescaled gradient to the weight and keeps a copy of it."""

    def create_state(self, index: Any, weight: NDArray) -> NDArray:
        """A float32 zero array shaped like ``weight``."""
        return _zeros_like(weight, torch.float32)

    def update(self, index: Any, weight: NDArray, grad: NDArray, state: NDArray) -> None:
        """``weight += rescale_grad * grad``, then ``state = weight``."""
        with torch.no_grad():
            weight._t.add_(grad._t * self.rescale_grad)
            state._t.copy_(weight._t)


class Updater:
    """The callable a KVStore runs to apply an optimizer: ``updater(index, grad, weight)``.

    It creates each weight's optimizer state on first sight, keeps the states by index, and
    can save and restore them (:meth:`get_states`, :meth:`set_states`) in MXNet's format.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose steps it applies.
    """

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.states: dict = {}
        self.states_synced: dict = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index: Any, grad: Any, weight: Any) -> None:
        """Update ``weight`` from ``grad``; each may be one array or a list, with matching
        indices."""
        many = isinstance(index, (list, tuple))
        indices = list(index) if many else [index]
        grads = list(grad) if many else [grad]
        weights = list(weight) if many else [weight]
        if weights:
            device = weights[0].context.device_id
            self.optimizer._set_current_context(device)
        self._prepare_states(indices, weights)
        # Read aggregate_num from the optimizer now, not at construction: set_states may
        # have swapped the optimizer.
        if self.optimizer.aggregate_num > 0:
            self._aggregated_update(indices, weights, grads)
            return
        step = self.optimizer.update_multi_precision
        for idx, w, g in zip(indices, weights, grads):
            step(idx, w, g, self.states[idx])

    def _prepare_states(self, indices: list, weights: list) -> None:
        for pos, (idx, weight) in enumerate(zip(indices, weights)):
            if isinstance(idx, bytes):
                idx = idx.decode()
                indices[pos] = idx
            if idx not in self.states:
                state = self.optimizer.create_state_multi_precision(idx, weight)
            elif not self.states_synced[idx]:
                state = self.sync_state_context(self.states[idx], weight.context)
            else:
                continue
            self.states[idx] = state
            self.states_synced[idx] = True

    def _aggregated_update(self, indices: list, weights: list, grads: list) -> None:
        # Multi-tensor kernels need one dtype per call, and at most aggregate_num tensors.
        type_map: dict = {}
        for i, w, g in zip(indices, weights, grads):
            type_map.setdefault(w.dtype, []).append((i, w, g))
        size = self.optimizer.aggregate_num
        for group in type_map.values():
            for start in range(0, len(group), size):
                idx, ws, gs = zip(*group[start:start + size])
                self.optimizer.update_multi_precision(list(idx), list(ws), list(gs),
                                                      [self.states[i] for i in idx])

    def sync_state_context(self, state: Any, context: Any) -> Any:
        """Move a state (an NDArray, or a tuple or list of them, nested) to ``context``.

        Parameters
        ----------
        state : any
            The state; anything that is not an NDArray, tuple or list is returned as is.
        context : Context
            The device to move it to.

        Returns
        -------
        any
            The state on ``context``, of the same structure.
        """
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(s, context) for s in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states: bytes) -> None:
        """Sets updater states (as saved by `get_states`, here or by MXNet).

        The bytes are read as data: only MXNet's arrays, optimizers and learning-rate schedulers
        are restored from them, and nothing in them is run; anything else raises `MXNetError`.
        """
        states = _states.loads(states)
        if isinstance(states, tuple):
            self.states, self.optimizer = states
        else:
            self.states = states
        # Loaded states may sit on another device than the weights: move each on next use.
        self.states_synced = dict.fromkeys(self.states, False)

    def get_states(self, dump_optimizer: bool = False) -> bytes:
        """Serialise the optimizer states, in the format MXNet's ``Updater`` writes.

        Parameters
        ----------
        dump_optimizer : bool, default False
            Save the optimizer too (its learning rate, scheduler, multipliers and update
            counts), so that :meth:`set_states` restores it as well.

        Returns
        -------
        bytes
            The serialised states.
        """
        return _states.dumps((self.states, self.optimizer) if dump_optimizer else self.states)

    def _load_states_file(self, fname: str) -> None:
        """`set_states` from the file `fname`; a refusal names the file."""
        with open(fname, "rb") as fin:
            blob = fin.read()
        try:
            self.set_states(blob)
        except MXNetError as err:
            raise MXNetError(f"{fname}: {err}") from None


def get_updater(optimizer: Optimizer) -> Callable:
    """Wrap ``optimizer`` in an :class:`Updater`, the callable a KVStore applies.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to apply.

    Returns
    -------
    Updater
        Called as ``updater(index, grad, weight)``.
    """
    return Updater(optimizer)
