"""MXNet model module: checkpoints (``prefix-symbol.json`` + ``prefix-%04d.params``) and the
FeedForward model of MXNet 1.x (deprecated there in favour of Module, kept for its users)."""
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
    """Create kvstore
    This function select and create a proper kvstore if given the kvstore type.

    Parameters
    ----------
    kvstore : KVStore or str
        The kvstore.
    num_device : int
        The number of devices
    arg_params : dict of str to `NDArray`.
        Model parameter, dict of name to `NDArray` of net's weights.

    Returns
    -------
    (kv, update_on_kvstore): the store (None when one device needs none) and whether the
    optimizer should run on it.
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
    """Initialize kvstore"""
    for idx, param_on_devs in enumerate(param_arrays):
        name = param_names[idx]
        if not update_on_kvstore:
            kvstore.init(name, arg_params[name])
            if kvstore.num_workers > 1:  # unlike MXNet: every worker starts from rank 0's values
                kvstore.pull(name, out=param_on_devs)
        else:
            kvstore.broadcast(name, arg_params[name], out=param_on_devs)


def _update_params_on_kvstore(param_arrays: list, grad_arrays: list, kvstore: Any,
                              param_names: list) -> None:
    """Perform update of param_arrays from grad_arrays on kvstore."""
    for index, (arg_list, grad_list) in enumerate(zip(param_arrays, grad_arrays)):
        if grad_list[0] is None:
            continue
        kvstore.pushpull(param_names[index], grad_list, out=arg_list, priority=-index)


def _update_params(param_arrays: list, grad_arrays: list, updater: Callable, num_device: int,
                   kvstore: Any = None, param_names: Optional[list] = None) -> None:
    """Perform update of param_arrays from grad_arrays not on kvstore."""
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
    """Sends args and kwargs to any configured callbacks (None, one, or a list)."""
    if isinstance(callbacks, list):
        for cb in callbacks:
            cb(*args, **kwargs)
        return
    if callbacks:
        callbacks(*args, **kwargs)


def _check_arguments(symbol: Any) -> None:
    """Check that the symbol's argument and auxiliary-state names are unique."""
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
    """Checkpoint the model data into file.

    Parameters
    ----------
    prefix : str
        Prefix of model name.
    epoch : int
        The epoch number of the model.
    symbol : Symbol
        The input Symbol.
    arg_params : dict of str to NDArray
        Model parameter, dict of name to NDArray of net's weights.
    aux_params : dict of str to NDArray
        Model parameter, dict of name to NDArray of net's auxiliary states.
    remove_amp_cast : bool, optional
        Whether to remove the amp_cast and amp_multicast operators, before saving the model.

    Notes
    -----
    - ``prefix-symbol.json`` will be saved for symbol.
    - ``prefix-epoch.params`` will be saved for parameters.
    """
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
    save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in aux_params.items()})
    param_name = f"{prefix}-{epoch:04d}.params"
    nd.save(param_name, save_dict)
    logging.info('Saved checkpoint to "%s"', param_name)


def load_params(prefix: str, epoch: int) -> tuple:
    """Load params from a file (``prefix-%04d.params``): (arg_params, aux_params)."""
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
    """Load model checkpoint from file.

    Parameters
    ----------
    prefix : str
        Prefix of model name.
    epoch : int
        Epoch number of model we would like to load.

    Returns
    -------
    symbol : Symbol
        The symbol configuration of computation network.
    arg_params : dict of str to NDArray
        Model parameter, dict of name to NDArray of net's weights.
    aux_params : dict of str to NDArray
        Model parameter, dict of name to NDArray of net's auxiliary states.

    Notes
    -----
    - Symbol will be loaded from ``prefix-symbol.json``.
    - Parameters will be loaded from ``prefix-epoch.params``.
    """
    symbol = sym.load(f"{prefix}-symbol.json")
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params


# -- FeedForward ----------------------------------------------------------------------------------
def _log_validation_metrics() -> Callable:
    from .callback import LogValidationMetricsCallback
    return LogValidationMetricsCallback()


class FeedForward:
    """Model class of MXNet for training and predicting feedforward nets.

    This class is designed for a single-data single output supervised network.

    Parameters
    ----------
    symbol : Symbol
        The symbol configuration of computation network.
    ctx : Context or list of Context, optional
        The device context of training and prediction.
        To use multi GPU training, pass in a list of gpu contexts.
    num_epoch : int, optional
        Training parameter, number of training epochs(epochs).
    epoch_size : int, optional
        Number of batches in a epoch. In default, it is set to
        ``ceil(num_train_examples / batch_size)``.
    optimizer : str or Optimizer, optional
        Training parameter, name or optimizer object for training.
    initializer : initializer function, optional
        Training parameter, the initialization scheme used.
    numpy_batch_size : int, optional
        The batch size of training data.
        Only needed when input array is numpy.
    arg_params : dict of str to NDArray, optional
        Model parameter, dict of name to NDArray of net's weights.
    aux_params : dict of str to NDArray, optional
        Model parameter, dict of name to NDArray of net's auxiliary states.
    allow_extra_params : boolean, optional
        Whether allow extra parameters that are not needed by symbol
        to be passed by aux_params and ``arg_params``.
        If this is True, no error will be thrown when ``aux_params`` and ``arg_params``
        contain more parameters than needed.
    begin_epoch : int, optional
        The begining training epoch.
    kwargs : dict
        The additional keyword arguments passed to optimizer.
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
        """verify the argument of the default symbol and user provided parameters"""
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
        """Check if name is a data argument."""
        return name.endswith("data") or name.endswith("label")

    def _init_params(self, inputs: list, overwrite: bool = False) -> tuple:
        """Initialize weight parameters and auxiliary states."""
        inputs = [x if isinstance(x, io.DataDesc) else io.DataDesc(*x) for x in inputs]
        input_shapes = {item.name: item.shape for item in inputs}
        arg_shapes, _, aux_shapes = self.symbol.infer_shape(**input_shapes)
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
        """Initialize the predictor module for running prediction."""
        shapes = {name: self.arg_params[name].shape for name in self.arg_params}
        shapes.update(dict(input_shapes))
        if self._pred_exec is not None:
            arg_shapes, _, _ = self.symbol.infer_shape(**shapes)
            if arg_shapes is None:
                raise MXNetError("Incomplete input shapes")
            if arg_shapes == [x.shape for x in self._pred_exec.arg_arrays]:
                return
        # for now only use the first device
        pred_exec = self.symbol.simple_bind(self.ctx[0], grad_req="null", type_dict=type_dict,
                                            **shapes)
        pred_exec.copy_params_from(self.arg_params, self.aux_params)
        _check_arguments(self.symbol)
        self._pred_exec = pred_exec

    def _init_iter(self, X: Any, y: Any, is_train: bool) -> Any:
        """Initialize the iterator given input."""
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
        """Initialize the iterator given eval_data."""
        if eval_data is None:
            return eval_data
        if isinstance(eval_data, (tuple, list)) and len(eval_data) == 2:
            if eval_data[0] is None:
                raise ValueError("Eval data is NONE")
            if eval_data[1] is None and isinstance(eval_data[0], io.DataIter):
                return eval_data[0]
            data = np.array(eval_data[0]) if isinstance(eval_data[0], list) else eval_data[0]
            label = np.array(eval_data[1]) if isinstance(eval_data[1], list) else eval_data[1]
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
        """Run the prediction, always only use one device.

        Parameters
        ----------
        X : mxnet.DataIter
        num_batch : int or None
            The number of batch to run. Go though all batches if ``None``.

        Returns
        -------
        y : numpy.ndarray or a list of numpy.ndarray if the network has multiple outputs.
            The predicted value of the output.
        """
        from .module.executor_group import load_general
        X, data_arrays = self._prepare_prediction(X, reset)
        output_list: list = [[] for _ in self._pred_exec.outputs]
        data_list: list = [[] for _ in X.provide_data]
        label_list: list = [[] for _ in X.provide_label]
        for i, batch in enumerate(X):
            load_general(batch.data, data_arrays, [-1] * len(data_arrays))
            self._pred_exec.forward(is_train=False)
            real_size = X.batch_size - batch.pad
            for o_list, o_nd in zip(output_list, self._pred_exec.outputs):
                o_list.append(o_nd[0:real_size].asnumpy())
            if return_data:
                for j, x in enumerate(batch.data):
                    data_list[j].append(x[0:real_size].asnumpy())
                for j, x in enumerate(batch.label):
                    label_list[j].append(x[0:real_size].asnumpy())
            if num_batch is not None and i + 1 == num_batch:
                break
        outputs = [np.concatenate(x) for x in output_list]
        outputs = outputs[0] if len(outputs) == 1 else outputs
        if not return_data:
            return outputs
        data = [np.concatenate(x) for x in data_list]
        label = [np.concatenate(x) for x in label_list]
        return outputs, data[0] if len(data) == 1 else data, label[0] if len(label) == 1 else label

    def score(self, X: Any, eval_metric: Any = "acc", num_batch: Optional[int] = None,
              batch_end_callback: Any = None, reset: bool = True) -> float:
        """Run the model given an input and calculate the score
        as assessed by an evaluation metric.

        Parameters
        ----------
        X : mxnet.DataIter
        eval_metric : metric.metric
            The metric for calculating score.
        num_batch : int or None
            The number of batches to run. Go though all batches if ``None``.

        Returns
        -------
        s : float
            The final score.
        """
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)
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
        """Fit the model.

        Parameters
        ----------
        X : DataIter, or numpy.ndarray/NDArray
            Training data. If `X` is a `DataIter`, the name or (if name not available)
            the position of its outputs should match the corresponding variable
            names defined in the symbolic graph.
        y : numpy.ndarray/NDArray, optional
            Training set label.
            If X is ``numpy.ndarray`` or `NDArray`, `y` is required to be set.
            While y can be 1D or 2D (with 2nd dimension as 1), its first dimension must be
            the same as `X`, i.e. the number of data points and labels should be equal.
        eval_data : DataIter or numpy.ndarray/list/NDArray pair
            If eval_data is numpy.ndarray/list/NDArray pair,
            it should be ``(valid_data, valid_label)``.
        eval_metric : metric.EvalMetric or str or callable
            The evaluation metric. This could be the name of evaluation metric
            or a custom evaluation function that returns statistics
            based on a minibatch.
        epoch_end_callback : callable(epoch, symbol, arg_params, aux_states)
            A callback that is invoked at end of each epoch.
            This can be used to checkpoint model each epoch.
        batch_end_callback: callable(epoch)
            A callback that is invoked at end of each batch for purposes of printing.
        kvstore: KVStore or str, optional
           The KVStore or a string kvstore type: 'local', 'dist_sync', 'dist_async'
           In default uses 'local', often no need to change for single machiine.
        logger : logging logger, optional
            When not specified, default logger will be used.
        work_load_list : float or int, optional
            The list of work load for different devices,
            in the same order as `ctx`.
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
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)
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
        """Checkpoint the model checkpoint into file.

        Parameters
        ----------
        prefix : str
            Prefix of model name.
        remove_amp_cast : bool, optional
            Whether to remove the amp_cast and amp_multicast operators, before saving the model.

        Notes
        -----
        - ``prefix-symbol.json`` will be saved for symbol.
        - ``prefix-epoch.params`` will be saved for parameters.
        """
        if epoch is None:
            epoch = self.num_epoch
        if epoch is None:
            raise ValueError("FeedForward.save needs an epoch (num_epoch is not set)")
        save_checkpoint(prefix, epoch, self.symbol, self.arg_params, self.aux_params,
                        remove_amp_cast=remove_amp_cast)

    @staticmethod
    def load(prefix: str, epoch: int, ctx: Any = None, **kwargs: Any) -> "FeedForward":
        """Load model checkpoint from file.

        Parameters
        ----------
        prefix : str
            Prefix of model name.
        epoch : int
            epoch number of model we would like to load.
        ctx : Context or list of Context, optional
            The device context of training and prediction.
        kwargs : dict
            Other parameters for model, including `num_epoch`, optimizer and `numpy_batch_size`.

        Returns
        -------
        model : FeedForward
            The loaded model that can be used for prediction.
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
