"""``mx.model``: checkpoint files and the FeedForward model of MXNet 1.x.

A checkpoint is ``prefix-symbol.json`` (the graph) plus ``prefix-%04d.params`` (the
weights, keys prefixed ``arg:``/``aux:``). FeedForward, deprecated in MXNet in favour of
Module, is kept for the programs that still use it; it trains through the same executor
group and parameter-update helpers as Module.
"""
from __future__ import annotations

import logging
import os
import time
import warnings
from collections import namedtuple
from typing import Any, Callable, Optional

import numpy as np

from . import io
from . import metric
from . import ndarray as nd
from . import optimizer as opt
from . import symbol as sym
from .base import MXNetError
from .context import Context, cpu
from .initializer import Uniform
from . import kvstore as kvs

__all__ = ["BatchEndParam", "FeedForward", "save_checkpoint", "load_checkpoint", "load_params"]

BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


# -- parameter updates shared by FeedForward and Module -------------------------------------------
def _create_kvstore(kvstore: Any, num_device: int, arg_params: dict) -> tuple:
    """Pick the kvstore for ``num_device`` devices and decide whether it runs the optimizer.

    Returns ``(kv, update_on_kvstore)``. No store is made for ``None``, or for a type name on
    a single device outside a distributed job. ``MXNET_UPDATE_ON_KVSTORE=0`` keeps updates on
    the devices, as does a ``'local'`` store when a parameter holds more than 16M elements.

    Parameters
    ----------
    kvstore : KVStore, str or None
        A store, a store type, or ``None`` for none.
    num_device : int
        Number of devices the model runs on.
    arg_params : dict of str to NDArray
        The model's learnable parameters (their sizes matter for ``'local'``).
    """
    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        return None, False
    if isinstance(kvstore, kvs.KVStoreBase):
        kv = kvstore
    elif not isinstance(kvstore, str):
        raise TypeError("kvstore must be KVStore, str or None")
    elif num_device == 1 and "dist" not in kvstore and not (
            kvs.is_distributed_type(kvstore.lower())
            and int(os.environ.get("WORLD_SIZE", "1")) > 1):
        # one device on one machine needs no store; unlike MXNet, 'nccl' and 'horovod' are kept
        # in a torchrun job of several processes, where they are the sum over the workers
        return None, False
    else:
        kv = kvs.create(kvstore)
        # as MXNet: a 'local' store holding an array over 16M elements leaves updates to the devices
        if kvstore == "local" and max(p.size for p in arg_params.values()) > 1024 * 1024 * 16:
            update_on_kvstore = False
    return kv, update_on_kvstore and kv.is_capable(kvs.KVStoreBase.OPTIMIZER)


def _initialize_kvstore(kvstore: Any, param_arrays: list, arg_params: dict, param_names: list,
                        update_on_kvstore: bool) -> None:
    """Enter every parameter in the store and give the devices its starting value (rank 0's, when
    several workers train).
    """
    for name, per_device in zip(param_names, param_arrays):
        start = arg_params[name]
        if update_on_kvstore:
            kvstore.broadcast(name, start, out=per_device)
            continue
        kvstore.init(name, start)
        if kvstore.num_workers > 1:  # unlike MXNet: every worker starts from rank 0's values
            kvstore.pull(name, out=per_device)


def _update_params_on_kvstore(param_arrays: list, grad_arrays: list, kvstore: Any,
                              param_names: list) -> None:
    """Push each parameter's per-device gradients to the store, which sums them and runs the
    optimizer, and pull the updated weight back to every device.
    """
    for index, (arg_list, grad_list) in enumerate(zip(param_arrays, grad_arrays)):
        if grad_list[0] is None:
            continue
        kvstore.pushpull(param_names[index], grad_list, out=arg_list, priority=-index)


def _update_params(param_arrays: list, grad_arrays: list, updater: Callable, num_device: int,
                   kvstore: Any = None, param_names: Optional[list] = None) -> None:
    """Sum gradients through ``kvstore`` (if any), then run ``updater`` on each device's copy.

    Each device has its own optimizer state per parameter, indexed ``index * num_device + k``,
    and one updater call per device takes all of that device's parameters together.
    """
    updates: list = [[] for _ in range(num_device)]
    for index, (arg_list, grad_list) in enumerate(zip(param_arrays, grad_arrays)):
        if grad_list[0] is None:
            continue
        if kvstore:
            kvstore.pushpull(param_names[index], grad_list, priority=-index)
        for k, (w, g) in enumerate(zip(arg_list, grad_list)):
            # one optimizer state per device: index*num_device+k, as MXNet
            updates[k].append((index * num_device + k, g, w))
    for dev_updates in updates:
        if dev_updates:
            i, g, w = zip(*dev_updates)
            updater(i, g, w)


def _multiple_callbacks(callbacks: Any, *args: Any, **kwargs: Any) -> None:
    """Call ``callbacks`` (nothing, one callable or a list of them) with the given arguments."""
    if isinstance(callbacks, list):
        for cb in callbacks:
            cb(*args, **kwargs)
        return
    if callbacks:
        callbacks(*args, **kwargs)


def _check_arguments(symbol: Any) -> None:
    """Raise ``ValueError`` if ``symbol`` has two arguments, or two auxiliary states, of one name."""
    for names, what in ((symbol.list_arguments(), "argument"),
                        (symbol.list_auxiliary_states(), "auxiliary param")):
        seen: set = set()
        for name in names:
            if name in seen:
                raise ValueError(f'Find duplicated {what} name "{name}", please make the weight '
                                 f"name non-duplicated(using name arguments), arguments are {names}")
            seen.add(name)


# -- checkpoints --------------------------------------------------------------------------------
def save_checkpoint(prefix: str, epoch: int, symbol: Any, arg_params: dict, aux_params: dict,
                    remove_amp_cast: bool = True) -> None:
    """Write a model to ``prefix-symbol.json`` and ``prefix-%04d.params``.

    Parameters
    ----------
    prefix : str
        Path prefix of the two files.
    epoch : int
        Epoch number written (zero-padded to four digits) into the parameter file's name.
    symbol : Symbol
        The network; ``None`` writes the parameters only.
    arg_params : dict of str to NDArray
        Learnable parameters, stored under ``arg:<name>``.
    aux_params : dict of str to NDArray
        Auxiliary states, stored under ``aux:<name>``.
    remove_amp_cast : bool, default True
        Leave mixed-precision cast nodes out of the saved symbol.
    """
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    param_name = f"{prefix}-{epoch:04d}.params"
    _save_params(param_name, arg_params, aux_params)
    logging.info('Saved checkpoint to "%s"', param_name)


def _save_params(fname: str, arg_params: dict, aux_params: dict) -> None:
    """Write parameters to a ``.params`` file as ``arg:<name>`` and ``aux:<name>`` entries, copied
    to the CPU first (the file does not depend on the device that trained)."""
    nd.save(fname, {f"{kind}:{name}": value.as_in_context(cpu())
                    for kind, params in (("arg", arg_params), ("aux", aux_params))
                    for name, value in params.items()})


def load_params(prefix: str, epoch: int) -> tuple:
    """Read ``prefix-%04d.params`` into ``(arg_params, aux_params)``.

    An empty file gives two empty dictionaries (with a warning); a file of unnamed arrays is
    refused with ``MXNetError``.
    """
    fname = f"{prefix}-{epoch:04d}.params"
    save_dict = nd.load(fname)
    arg_params: dict = {}
    aux_params: dict = {}
    if not save_dict:
        logging.warning("Params file '%s' is empty", fname)
        return arg_params, aux_params
    if not isinstance(save_dict, dict):
        raise MXNetError(f"{fname} holds an unnamed list of arrays, not 'arg:'/'aux:' parameters")
    for key, value in save_dict.items():
        kind, _, name = key.partition(":")
        if kind == "arg":
            arg_params[name] = value
        elif kind == "aux":
            aux_params[name] = value
    return arg_params, aux_params


def load_checkpoint(prefix: str, epoch: int) -> tuple:
    """Read a model written by :func:`save_checkpoint`.

    Parameters
    ----------
    prefix : str
        Path prefix of ``prefix-symbol.json`` and ``prefix-%04d.params``.
    epoch : int
        Epoch number of the parameter file.

    Returns
    -------
    symbol : Symbol
        The network.
    arg_params : dict of str to NDArray
        Learnable parameters by name.
    aux_params : dict of str to NDArray
        Auxiliary states by name.
    """
    return (sym.load(f"{prefix}-symbol.json"),) + load_params(prefix, epoch)


# -- FeedForward ----------------------------------------------------------------------------------
def _log_validation_metrics() -> Callable:
    from .callback import LogValidationMetricsCallback
    return LogValidationMetricsCallback()


class FeedForward:
    """MXNet 1.x's all-in-one model for a network with one data input and one label.

    Deprecated in MXNet (use :class:`~mxtorch.module.Module`), and constructing one warns with
    ``DeprecationWarning``; it is here so that old programs, such as the talk's symbolic LeNet,
    run unchanged. ``fit`` trains on a data iterator or numpy arrays, ``predict`` and ``score``
    run on the first device, ``save``/``load`` use the checkpoint files of :func:`save_checkpoint`.

    Parameters
    ----------
    symbol : Symbol or callable
        The network, or a function from a bucket key to one.
    ctx : Context or list of Context, default None
        Devices to train on (a batch is split across them); ``None`` means the CPU.
    num_epoch : int, default None
        Number of the epoch to stop training before.
    epoch_size : int, default None
        Batches per epoch; ``None`` means one pass over the training iterator.
    optimizer : str or Optimizer, default 'sgd'
        The optimizer, or its name (then built with ``**kwargs``).
    initializer : Initializer, default Uniform(0.01)
        Fills parameters not given in ``arg_params``/``aux_params``.
    numpy_batch_size : int, default 128
        Batch size used when ``fit``/``predict`` get numpy arrays.
    arg_params : dict of str to NDArray, default None
        Starting learnable parameters.
    aux_params : dict of str to NDArray, default None
        Starting auxiliary states.
    allow_extra_params : bool, default False
        Drop entries of ``arg_params``/``aux_params`` that the symbol does not use instead of
        letting them reach the executor.
    begin_epoch : int, default 0
        Number of the first training epoch.
    **kwargs
        Passed to the optimizer when it is given by name.
    """

    def __init__(self, symbol: Any, ctx: Any = None, num_epoch: Optional[int] = None,
                 epoch_size: Optional[int] = None, optimizer: Any = "sgd",
                 initializer: Any = Uniform(0.01), numpy_batch_size: int = 128,
                 arg_params: Optional[dict] = None, aux_params: Optional[dict] = None,
                 allow_extra_params: bool = False, begin_epoch: int = 0, **kwargs: Any):
        # MXNet's text, without the terminal colour codes MXNet wrapped it in (they print as
        # garbage in logs, notebooks and pytest's warning summary)
        warnings.warn("mxnet.model.FeedForward has been deprecated. Please use "
                      "mxnet.mod.Module instead.", DeprecationWarning, stacklevel=2)
        if isinstance(symbol, sym.Symbol):
            self.symbol, self.sym_gen = symbol, None
        elif callable(symbol):
            self.symbol, self.sym_gen = None, symbol
        else:
            raise TypeError("symbol must be a Symbol or a function returning one")
        self.arg_params = arg_params
        self.aux_params = aux_params
        self.allow_extra_params = allow_extra_params
        self.argument_checked = False
        if self.sym_gen is None:
            self._check_arguments()
        if ctx is None:
            ctx = [cpu()]
        elif isinstance(ctx, Context):
            ctx = [ctx]
        self.ctx = ctx
        self.num_epoch = num_epoch
        self.epoch_size = epoch_size
        self.kwargs = kwargs.copy()
        self.optimizer = optimizer
        self.initializer = initializer
        self.numpy_batch_size = numpy_batch_size
        self._pred_exec = None
        self.begin_epoch = begin_epoch

    def _check_arguments(self) -> None:
        """Check the symbol's names once, and trim unused given parameters when ``allow_extra_params``."""
        if self.argument_checked:
            return
        self.argument_checked = True
        _check_arguments(self.symbol)
        if self.allow_extra_params:
            if self.arg_params:
                names = set(self.symbol.list_arguments())
                self.arg_params = {k: v for k, v in self.arg_params.items() if k in names}
            if self.aux_params:
                names = set(self.symbol.list_auxiliary_states())
                self.aux_params = {k: v for k, v in self.aux_params.items() if k in names}

    @staticmethod
    def _is_data_arg(name: str) -> bool:
        """Whether ``name`` is an input fed by the iterator (ends with ``data`` or ``label``)."""
        return name.endswith("data") or name.endswith("label")

    def _init_params(self, inputs: list, overwrite: bool = False) -> tuple:
        """Create the parameters for the given input shapes: copied from the given ones where present
        (unless ``overwrite``), filled by the initializer otherwise. Returns the argument, parameter
        and auxiliary names.
        """
        inputs = [x if isinstance(x, io.DataDesc) else io.DataDesc(*x) for x in inputs]
        input_shapes = {desc.name: desc.shape for desc in inputs}
        arg_shapes, _, aux_shapes = self.symbol.infer_shape(**input_shapes)  # None: too few known
        if arg_shapes is None:
            raise MXNetError(f"FeedForward: cannot infer the parameter shapes from {input_shapes}")
        arg_dtypes, _, aux_dtypes = self.symbol.infer_type(**{i.name: i.dtype for i in inputs})
        arg_names = self.symbol.list_arguments()
        param_names = [k for k in arg_names if k not in input_shapes]
        aux_names = self.symbol.list_auxiliary_states()
        arg_params = {k: nd.zeros(shape=s, dtype=t)
                      for k, s, t in zip(arg_names, arg_shapes, arg_dtypes) if k in param_names}
        aux_params = {k: nd.zeros(shape=s, dtype=t)
                      for k, s, t in zip(aux_names, aux_shapes, aux_dtypes)}
        for given, fresh in ((self.arg_params, arg_params), (self.aux_params, aux_params)):
            for k, v in fresh.items():
                if given and k in given and not overwrite:
                    v[:] = given[k][:]
                else:
                    self.initializer(k, v)
        self.arg_params = arg_params
        self.aux_params = aux_params
        return arg_names, list(param_names), aux_names

    def __getstate__(self) -> dict:
        this = self.__dict__.copy()
        this["_pred_exec"] = None
        return this

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def _init_predictor(self, input_shapes: list, type_dict: Optional[dict] = None) -> None:
        """Bind (or reuse) the executor that ``predict`` and ``score`` run, on the first device."""
        shapes = {name: value.shape for name, value in self.arg_params.items()}
        shapes.update(dict(input_shapes))
        if self._pred_exec is not None:
            # the bound predictor is reused while every argument keeps its shape
            wanted = self.symbol.infer_shape(**shapes)[0]
            if wanted is None:
                raise MXNetError("Incomplete input shapes")
            if wanted == [bound.shape for bound in self._pred_exec.arg_arrays]:
                return
        # prediction runs on the first device alone, as MXNet's FeedForward
        executor = self.symbol.simple_bind(self.ctx[0], grad_req="null", type_dict=type_dict,
                                           **shapes)
        executor.copy_params_from(self.arg_params, self.aux_params)
        _check_arguments(self.symbol)
        self._pred_exec = executor

    def _init_iter(self, X: Any, y: Any, is_train: bool) -> Any:
        """Return ``X`` as a data iterator, wrapping numpy arrays or NDArrays with their labels."""
        if isinstance(X, (np.ndarray, nd.NDArray)):
            if y is None:
                if is_train:
                    raise ValueError("y must be specified when X is numpy.ndarray")
                y = np.zeros(X.shape[0])
            if not isinstance(y, (np.ndarray, nd.NDArray)):
                raise TypeError("y must be ndarray when X is numpy.ndarray")
            if X.shape[0] != y.shape[0]:
                raise ValueError("The numbers of data points and labels not equal")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.flatten() if isinstance(y, np.ndarray) else y.reshape((-1,))
            if y.ndim != 1:
                raise ValueError("Label must be 1D or 2D (with 2nd dimension being 1)")
            batch = min(X.shape[0], self.numpy_batch_size)
            if is_train:
                return io.NDArrayIter(X, y, batch, shuffle=True, last_batch_handle="roll_over")
            return io.NDArrayIter(X, y, batch, shuffle=False)
        if not isinstance(X, io.DataIter):
            raise TypeError("X must be DataIter, NDArray or numpy.ndarray")
        return X

    def _init_eval_iter(self, eval_data: Any) -> Any:
        """Return the validation data as an iterator (from an iterator or a ``(data, label)`` pair)."""
        if eval_data is None:
            return eval_data
        if isinstance(eval_data, (tuple, list)) and len(eval_data) == 2:
            data, label = eval_data
            if data is None:
                raise ValueError("Eval data is NONE")
            if label is None and isinstance(data, io.DataIter):
                return data
            # plain Python lists are taken as array literals
            data, label = (np.array(part) if isinstance(part, list) else part
                           for part in (data, label))
            return self._init_iter(data, label, is_train=True)
        if not isinstance(eval_data, io.DataIter):
            raise TypeError("Eval data must be DataIter, or NDArray/numpy.ndarray/list pair (i.e. "
                            "tuple/list of length 2)")
        return eval_data

    def _prepare_prediction(self, X: Any, reset: bool) -> tuple:
        """The iterator and the predictor's data arrays, with the predictor bound for X."""
        X = self._init_iter(X, None, is_train=False)
        if reset:
            X.reset()
        type_dict = {key: value.dtype for key, value in self.arg_params.items()}
        for x in X.provide_data:
            type_dict[x[0]] = x.dtype if isinstance(x, io.DataDesc) else np.float32
        self._init_predictor(X.provide_data, type_dict)
        data_arrays = [self._pred_exec.arg_dict[x[0]] for x in X.provide_data]
        return X, data_arrays

    def predict(self, X: Any, num_batch: Optional[int] = None, return_data: bool = False,
                reset: bool = True) -> Any:
        """Run the model on ``X`` (on the first device) and return the outputs as numpy arrays.

        Parameters
        ----------
        X : DataIter, NDArray or numpy.ndarray
            The inputs.
        num_batch : int, default None
            Stop after this many batches; ``None`` runs them all.
        return_data : bool, default False
            Also return the inputs and labels the outputs belong to.
        reset : bool, default True
            Rewind the iterator first.

        Returns
        -------
        numpy.ndarray or list of numpy.ndarray
            The output (or one array per output), padding rows removed; with ``return_data``,
            ``(outputs, data, label)``.
        """
        from .module.executor_group import load_general
        X, data_arrays = self._prepare_prediction(X, reset)
        outputs: list = [[] for _ in self._pred_exec.outputs]
        data: list = [[] for _ in X.provide_data]
        label: list = [[] for _ in X.provide_label]

        def keep(pieces: list, arrays: list, rows: int) -> None:
            # the batch's real rows only: the iterator pads the last batch
            for kept, array in zip(pieces, arrays):
                kept.append(array[0:rows].asnumpy())

        def joined(pieces: list) -> Any:
            whole = [np.concatenate(kept) for kept in pieces]
            return whole[0] if len(whole) == 1 else whole

        for i, batch in enumerate(X):
            load_general(batch.data, data_arrays, [-1] * len(data_arrays))
            self._pred_exec.forward(is_train=False)
            rows = X.batch_size - batch.pad
            keep(outputs, self._pred_exec.outputs, rows)
            if return_data:
                keep(data, batch.data, rows)
                keep(label, batch.label, rows)
            if num_batch is not None and i + 1 == num_batch:
                break
        if not return_data:
            return joined(outputs)
        return joined(outputs), joined(data), joined(label)

    def score(self, X: Any, eval_metric: Any = "acc", num_batch: Optional[int] = None,
              batch_end_callback: Any = None, reset: bool = True) -> float:
        """Run the model on ``X`` and return the value of ``eval_metric`` over it.

        Parameters
        ----------
        X : DataIter, NDArray or numpy.ndarray
            The inputs with their labels.
        eval_metric : str or EvalMetric, default 'acc'
            The metric, or its name.
        num_batch : int, default None
            Stop after this many batches; ``None`` runs them all.
        batch_end_callback : callable or list of callable, default None
            Called with a ``BatchEndParam`` after each batch.
        reset : bool, default True
            Rewind the iterator first.

        Returns
        -------
        float
            The metric's value.
        """
        eval_metric = metric.create(eval_metric)  # an EvalMetric comes back as it is
        from .module.executor_group import load_general
        X, data_arrays = self._prepare_prediction(X, reset)
        for i, batch in enumerate(X):
            if num_batch is not None and i == num_batch:
                break
            load_general(batch.data, data_arrays, [-1] * len(data_arrays))
            self._pred_exec.forward(is_train=False)
            eval_metric.update(batch.label, self._pred_exec.outputs)
            _multiple_callbacks(batch_end_callback, BatchEndParam(epoch=0, nbatch=i,
                                                                  eval_metric=eval_metric,
                                                                  locals=locals()))
        return eval_metric.get()[1]

    def fit(self, X: Any, y: Any = None, eval_data: Any = None, eval_metric: Any = "acc",
            epoch_end_callback: Any = None, batch_end_callback: Any = None, kvstore: Any = "local",
            logger: Any = None, work_load_list: Optional[list] = None, monitor: Any = None,
            eval_end_callback: Any = _log_validation_metrics, eval_batch_end_callback: Any = None) -> None:
        """Train the model from ``begin_epoch`` up to ``num_epoch``.

        Parameters
        ----------
        X : DataIter, NDArray or numpy.ndarray
            Training data; an iterator's data and label names must be the symbol's inputs.
        y : NDArray or numpy.ndarray, default None
            Labels, required with array ``X``: one per row of ``X``, 1-D or of shape ``(n, 1)``.
        eval_data : DataIter or (data, label) pair, default None
            Validation data evaluated after each epoch.
        eval_metric : str, EvalMetric or callable, default 'acc'
            The metric tracked in training and validation.
        epoch_end_callback : callable or list of callable, default None
            Called as ``callback(epoch, symbol, arg_params, aux_params)`` after each epoch
            (``mx.callback.do_checkpoint`` saves a checkpoint this way).
        batch_end_callback : callable or list of callable, default None
            Called with a ``BatchEndParam`` after each batch (``mx.callback.Speedometer``).
        kvstore : str or KVStore, default 'local'
            Store that sums gradients across devices and workers.
        logger : Logger, default None
            Where progress is written; ``None`` means the ``logging`` module.
        work_load_list : list of number, default None
            Relative share of each batch per device; ``None`` shares it evenly.
        monitor : Monitor, default None
            Accepted for compatibility; not installed.
        eval_end_callback : callable or list of callable, default LogValidationMetricsCallback()
            Called with a ``BatchEndParam`` after each validation pass; the default logs the metric.
        eval_batch_end_callback : callable or list of callable, default None
            Called after each validation batch.
        """
        if eval_end_callback is _log_validation_metrics:
            eval_end_callback = _log_validation_metrics()
        data = self._init_iter(X, y, is_train=True)
        eval_data = self._init_eval_iter(eval_data)
        if self.sym_gen:
            self.symbol = self.sym_gen(data.default_bucket_key)
            self._check_arguments()
        self.kwargs["sym"] = self.symbol
        arg_names, param_names, aux_names = self._init_params(data.provide_data + data.provide_label)
        eval_metric = metric.create(eval_metric)  # an EvalMetric comes back as it is
        kv, update_on_kvstore = _create_kvstore(kvstore, len(self.ctx), self.arg_params)
        n = len(self.ctx)
        if update_on_kvstore:
            idx2name = dict(enumerate(param_names))
        else:
            idx2name = {i * n + k: name for i, name in enumerate(param_names) for k in range(n)}
        self.kwargs["param_idx2name"] = idx2name
        if isinstance(self.optimizer, str):
            batch_size = data.batch_size
            if kv and "dist" in kv.type and "_async" not in kv.type:
                batch_size *= kv.num_workers
            optimizer = opt.create(self.optimizer, rescale_grad=(1.0 / batch_size), **self.kwargs)
        elif isinstance(self.optimizer, opt.Optimizer):
            optimizer = self.optimizer
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        else:
            raise TypeError("optimizer must be a name or an Optimizer")
        _train_multi_device(self, param_names, optimizer, kv, update_on_kvstore, data, eval_data,
                            eval_metric, epoch_end_callback, batch_end_callback,
                            logger or logging, work_load_list, eval_end_callback,
                            eval_batch_end_callback)

    def save(self, prefix: str, epoch: Optional[int] = None, remove_amp_cast: bool = True) -> None:
        """Write the model as a checkpoint (see :func:`save_checkpoint`).

        Parameters
        ----------
        prefix : str
            Path prefix of the files.
        epoch : int, default None
            Epoch number of the parameter file; ``None`` uses ``num_epoch``.
        remove_amp_cast : bool, default True
            Leave mixed-precision cast nodes out of the saved symbol.
        """
        if epoch is None:
            epoch = self.num_epoch
        if epoch is None:
            raise ValueError("FeedForward.save needs an epoch (num_epoch is not set)")
        save_checkpoint(prefix, epoch, self.symbol, self.arg_params, self.aux_params,
                        remove_amp_cast=remove_amp_cast)

    @staticmethod
    def load(prefix: str, epoch: int, ctx: Any = None, **kwargs: Any) -> "FeedForward":
        """Build a FeedForward from a checkpoint, ready to predict or to train on from ``epoch``.

        Parameters
        ----------
        prefix : str
            Path prefix of the checkpoint files.
        epoch : int
            Epoch number of the parameter file; also the model's ``begin_epoch``.
        ctx : Context or list of Context, default None
            Devices for the model.
        **kwargs
            Other constructor arguments (``num_epoch``, ``optimizer``, ``numpy_batch_size``, ...).

        Returns
        -------
        FeedForward
            The model with the loaded symbol and parameters.
        """
        symbol, arg_params, aux_params = load_checkpoint(prefix, epoch)
        return FeedForward(symbol, ctx=ctx, arg_params=arg_params, aux_params=aux_params,
                           begin_epoch=epoch, **kwargs)

    @staticmethod
    def create(symbol: Any, X: Any, y: Any = None, ctx: Any = None, num_epoch: Optional[int] = None,
               epoch_size: Optional[int] = None, optimizer: Any = "sgd",
               initializer: Any = Uniform(0.01), eval_data: Any = None, eval_metric: Any = "acc",
               epoch_end_callback: Any = None, batch_end_callback: Any = None,
               kvstore: Any = "local", logger: Any = None, work_load_list: Optional[list] = None,
               eval_end_callback: Any = _log_validation_metrics,
               eval_batch_end_callback: Any = None, **kwargs: Any) -> "FeedForward":
        """Functional style to create a model: construct a FeedForward and fit it.

        Parameters are those of :class:`FeedForward` and :meth:`FeedForward.fit`.
        """
        model = FeedForward(symbol, ctx=ctx, num_epoch=num_epoch, epoch_size=epoch_size,
                            optimizer=optimizer, initializer=initializer, **kwargs)
        model.fit(X, y, eval_data=eval_data, eval_metric=eval_metric,
                  epoch_end_callback=epoch_end_callback, batch_end_callback=batch_end_callback,
                  kvstore=kvstore, logger=logger, work_load_list=work_load_list,
                  eval_end_callback=eval_end_callback,
                  eval_batch_end_callback=eval_batch_end_callback)
        return model


def _train_multi_device(model: FeedForward, param_names: list, optimizer: Any, kvstore: Any,
                        update_on_kvstore: bool, train_data: Any, eval_data: Any, eval_metric: Any,
                        epoch_end_callback: Any, batch_end_callback: Any, logger: Any,
                        work_load_list: Optional[list], eval_end_callback: Any,
                        eval_batch_end_callback: Any) -> None:
    """FeedForward's training loop (MXNet's _train_multi_device), on an executor group."""
    from .module.executor_group import DataParallelExecutorGroup
    ctx = model.ctx
    logger.info("Start training with %s", str(ctx))
    group = DataParallelExecutorGroup(model.symbol, ctx, work_load_list or [1] * len(ctx),
                                      train_data.provide_data, train_data.provide_label,
                                      param_names, for_training=True, inputs_need_grad=False,
                                      logger=logger)
    group.set_params(model.arg_params, model.aux_params)
    updater = None
    if update_on_kvstore:
        kvstore.set_optimizer(optimizer)
    else:
        updater = opt.get_updater(optimizer)
    if kvstore:
        _initialize_kvstore(kvstore, group.param_arrays, model.arg_params, param_names,
                            update_on_kvstore)
    train_data.reset()
    for epoch in range(model.begin_epoch, model.num_epoch):
        tic = time.time()
        eval_metric.reset()
        nbatch = 0
        while True:
            do_reset = True
            for data_batch in train_data:
                group.forward(data_batch, is_train=True)
                group.backward()
                if update_on_kvstore:
                    _update_params_on_kvstore(group.param_arrays, group.grad_arrays, kvstore,
                                              param_names)
                else:
                    _update_params(group.param_arrays, group.grad_arrays, updater, len(ctx),
                                   kvstore, param_names)
                group.update_metric(eval_metric, data_batch.label)
                nbatch += 1
                _multiple_callbacks(batch_end_callback, BatchEndParam(
                    epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals()))
                if model.epoch_size is not None and nbatch >= model.epoch_size:
                    do_reset = False
                    break
            if do_reset:
                logger.info("Epoch[%d] Resetting Data Iterator", epoch)
                train_data.reset()
            if model.epoch_size is None or nbatch >= model.epoch_size:
                break
        logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
        if epoch_end_callback or epoch + 1 == model.num_epoch:
            group.get_params(model.arg_params, model.aux_params)
        _multiple_callbacks(epoch_end_callback, epoch, model.symbol, model.arg_params,
                            model.aux_params)
        if eval_data:
            _evaluate(group, eval_data, eval_metric, epoch, eval_end_callback,
                      eval_batch_end_callback)
    model._pred_exec = None  # parameters changed: the predictor rebinds and recopies them


def _evaluate(group: Any, eval_data: Any, eval_metric: Any, epoch: int,
              eval_end_callback: Any, eval_batch_end_callback: Any) -> None:
    eval_metric.reset()
    eval_data.reset()
    train_shapes = (group.data_shapes, group.label_shapes)
    group.reshape(eval_data.provide_data, eval_data.provide_label)  # no-op for equal shapes
    total = 0
    for i, batch in enumerate(eval_data):
        group.forward(batch, is_train=False)
        group.update_metric(eval_metric, batch.label)
        _multiple_callbacks(eval_batch_end_callback, BatchEndParam(
            epoch=epoch, nbatch=i, eval_metric=eval_metric, locals=locals()))
        total += 1
    _multiple_callbacks(eval_end_callback, BatchEndParam(epoch=epoch, nbatch=total,
                                                         eval_metric=eval_metric, locals=locals()))
    eval_data.reset()
    group.reshape(*train_shapes)
