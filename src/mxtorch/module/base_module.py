"""BaseModule: the module API, and the loops (``fit``, ``score``, ``predict``) built on it.

The loops are written once here in terms of ``bind``, ``forward``, ``backward``,
``update`` and ``update_metric``, which the concrete modules provide.
"""
from __future__ import annotations

import logging
import time
import warnings
from typing import Any, Iterator, Optional

import numpy as np

from .. import metric
from .. import ndarray
from ..initializer import Uniform
from ..io.io import DataBatch, DataDesc, DataIter
from ..model import BatchEndParam, _save_params

__all__ = ["BaseModule"]


def _as_list(obj: Any) -> list:
    """The argument as a list: itself when a list or tuple, else ``[obj]``."""
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _check_input_names(symbol: Any, names: list, typename: str, throw: bool) -> None:
    """Raise (or, with ``throw`` False, warn) when a name given for an input is not an
    argument of ``symbol``."""
    args = symbol.list_arguments()
    for name in names:
        if name in args:
            continue
        candidates = [a for a in args if not a.endswith(("_weight", "_bias", "_gamma", "_beta"))]
        msg = (f"You created Module with Module(..., {typename}_names={names}) but input "
               f"with name '{name}' is not found in symbol.list_arguments(). Did you mean one "
               "of:\n\t" + "\n\t".join(candidates))  # no terminal colour codes, unlike MXNet
        if throw:
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=3)


def _check_names_match(data_names: list, data_shapes: list, name: str, throw: bool) -> None:
    """Raise (or warn) when the names of the given shapes are not the names declared for
    that kind of input."""
    actual = [x[0] for x in data_shapes]
    if sorted(data_names) != sorted(actual):
        msg = (f"Data provided by {name}_shapes don't match names specified by {name}_names "
               f"({data_shapes} vs. {data_names})")
        if throw:
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=3)


def _parse_data_desc(data_names: list, label_names: list, data_shapes: list,
                     label_shapes: Optional[list]) -> tuple:
    """Turn data and label shapes into lists of :class:`DataDesc` and check their names.

    Returns ``(data_shapes, label_shapes)``; ``label_shapes`` stays ``None`` when not given.
    """
    data_shapes = _as_descs(data_shapes)
    _check_names_match(data_names, data_shapes, "data", True)
    label_shapes = None if label_shapes is None else _as_descs(label_shapes)
    _check_names_match(label_names, label_shapes or [], "label", False)
    return data_shapes, label_shapes


def _as_descs(shapes: list) -> list:
    """``shapes`` with each ``(name, shape, ...)`` tuple made a :class:`DataDesc`."""
    return [desc if isinstance(desc, DataDesc) else DataDesc(*desc) for desc in shapes]


class BaseModule:
    """The interface every module implements, and the training and evaluation loops over it.

    A module goes through stages, each enabling the next: bound (``bind``: input shapes known,
    executors allocated), parameters initialized (``init_params``/``set_params``), and
    optimizer installed (``init_optimizer``: ``update`` can run). Calling a method before its
    stage raises ``RuntimeError``. Subclasses supply the stage methods and the computation
    (``forward``, ``backward``, ``update``, ``get_outputs``, ...); this class supplies ``fit``,
    ``score``, ``predict`` and ``iter_predict`` on top of them, and checkpoint helpers.

    Parameters
    ----------
    logger : Logger, default logging
        Where progress and warnings are written.
    """

    def __init__(self, logger: Any = logging):
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0

    def _require(self, *states: str) -> None:
        for state in states:
            if not getattr(self, state):
                advice = {"binded": "call bind() first", "params_initialized":
                          "call init_params() (or set_params) first", "optimizer_initialized":
                          "call init_optimizer() first", "inputs_need_grad":
                          "bind with inputs_need_grad=True"}[state]
                raise RuntimeError(f"{type(self).__name__}: {advice}")

    # -- high level API -----------------------------------------------------------------------
    def forward_backward(self, data_batch: DataBatch) -> None:
        """Run ``forward`` in training mode on ``data_batch``, then ``backward``."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(self, eval_data: DataIter, eval_metric: Any, num_batch: Optional[int] = None,
              batch_end_callback: Any = None, score_end_callback: Any = None, reset: bool = True,
              epoch: int = 0, sparse_row_id_fn: Any = None) -> list:
        """Evaluate the module on a data iterator and return the metric's values.

        Parameters
        ----------
        eval_data : DataIter
            The batches to evaluate on.
        eval_metric : str, EvalMetric or list of them
            The metric, or its name.
        num_batch : int, default None
            Stop after this many batches; ``None`` runs the iterator to its end.
        batch_end_callback : callable or list of callable, default None
            Called after each batch with a ``BatchEndParam``.
        score_end_callback : callable or list of callable, default None
            Called once at the end with a ``BatchEndParam`` holding the metric.
        reset : bool, default True
            Rewind ``eval_data`` before starting.
        epoch : int, default 0
            The epoch number reported to the callbacks.
        sparse_row_id_fn : callable, default None
            Accepted for compatibility; mxtorch has no row-sparse parameters.

        Returns
        -------
        list of (str, float)
            The metric's names and values.
        """
        self._require("binded", "params_initialized")
        if reset:
            eval_data.reset()
        eval_metric = metric.create(eval_metric)  # an EvalMetric comes back as it is
        eval_metric.reset()
        actual_num_batch = 0
        for nbatch, eval_batch in self._inference_batches(eval_data, num_batch, sparse_row_id_fn):
            self.update_metric(eval_metric, eval_batch.label)
            if batch_end_callback is not None:
                params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                                       locals=locals())
                for callback in _as_list(batch_end_callback):
                    callback(params)
            actual_num_batch += 1
        if score_end_callback:
            params = BatchEndParam(epoch=epoch, nbatch=actual_num_batch, eval_metric=eval_metric,
                                   locals=locals())
            for callback in _as_list(score_end_callback):
                callback(params)
        return eval_metric.get_name_value()

    def iter_predict(self, eval_data: DataIter, num_batch: Optional[int] = None, reset: bool = True,
                     sparse_row_id_fn: Any = None) -> Iterator:
        """Yield the outputs batch by batch, with padding removed.

        Each item is ``(outputs, batch_index, batch)``: the list of output arrays for the batch
        (the rows the iterator added as padding cut off), its number and the batch itself.

        Parameters
        ----------
        eval_data : DataIter
            The batches to run.
        num_batch : int, default None
            Stop after this many batches; ``None`` runs the iterator to its end.
        reset : bool, default True
            Rewind ``eval_data`` before starting.
        sparse_row_id_fn : callable, default None
            Accepted for compatibility; mxtorch has no row-sparse parameters.

        Examples
        --------
        >>> for outputs, i, batch in mod.iter_predict(val_iter):  # doctest: +SKIP
        ...     print(i, outputs[0].shape)
        """
        self._require("binded", "params_initialized")
        if reset:
            eval_data.reset()
        for nbatch, eval_batch in self._inference_batches(eval_data, num_batch, sparse_row_id_fn):
            yield self._unpadded_outputs(eval_batch, copy=False), nbatch, eval_batch

    def _inference_batches(self, eval_data: DataIter, num_batch: Optional[int],
                           sparse_row_id_fn: Any) -> Iterator:
        """Run forward (not training) on each batch of ``eval_data``, at most ``num_batch`` of
        them, yielding ``(index, batch)`` after each so the caller reads what it needs."""
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                return
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            yield nbatch, eval_batch

    def _unpadded_outputs(self, batch: DataBatch, copy: bool) -> list:
        """The outputs of the last forward without the rows the iterator padded ``batch`` with."""
        keep = [out[0:out.shape[0] - batch.pad] for out in self.get_outputs()]
        return [out.copy() for out in keep] if copy else keep

    def predict(self, eval_data: Any, num_batch: Optional[int] = None, merge_batches: bool = True,
                reset: bool = True, always_output_list: bool = False,
                sparse_row_id_fn: Any = None) -> Any:
        """Run the module over a data iterator (or one array) and collect the outputs.

        By default each output's per-batch arrays are joined along the batch axis and padding is
        dropped; a module with one output returns that array itself rather than a one-element
        list, unless ``always_output_list``. With ``merge_batches=False`` the result is the list of
        per-batch output lists, which also works when batches have different numbers of outputs
        (bucketing). An NDArray or numpy array is run as a single batch and its first output
        returned.

        Parameters
        ----------
        eval_data : DataIter, NDArray or numpy.ndarray
            What to predict on.
        num_batch : int, default None
            Stop after this many batches; ``None`` runs the iterator to its end.
        merge_batches : bool, default True
            Join the batches' outputs into one array per output.
        reset : bool, default True
            Rewind ``eval_data`` before starting.
        always_output_list : bool, default False
            Return a list even when there is a single output.
        sparse_row_id_fn : callable, default None
            Accepted for compatibility; mxtorch has no row-sparse parameters.

        Returns
        -------
        NDArray, list of NDArray or list of list of NDArray
            The predictions, shaped as described above.

        Raises
        ------
        ValueError
            If ``eval_data`` is of another type, or batches differ in their number of outputs
            while ``merge_batches`` is True.
        """
        self._require("binded", "params_initialized")
        if isinstance(eval_data, np.ndarray):
            eval_data = ndarray.array(eval_data)
        if isinstance(eval_data, ndarray.NDArray):  # one array is one batch: its first output
            self.forward(DataBatch([eval_data]))
            return self.get_outputs()[0]
        if not isinstance(eval_data, DataIter):
            raise ValueError("eval_data must be of type NDArray or DataIter")
        if reset:
            eval_data.reset()
        output_list = [self._unpadded_outputs(eval_batch, copy=True)
                       for _, eval_batch in self._inference_batches(eval_data, num_batch,
                                                                    sparse_row_id_fn)]
        if not output_list or not merge_batches:
            return output_list
        num_outputs = len(output_list[0])
        if any(len(out) != num_outputs for out in output_list):
            raise ValueError("Cannot merge batches, as num of outputs is not the same in "
                             "mini-batches. Maybe bucketing is used?")
        merged = [ndarray.concatenate([out[i] for out in output_list]) for i in range(num_outputs)]
        if num_outputs == 1 and not always_output_list:
            return merged[0]
        return merged

    def fit(self, train_data: DataIter, eval_data: Optional[DataIter] = None,
            eval_metric: Any = "acc", epoch_end_callback: Any = None, batch_end_callback: Any = None,
            kvstore: Any = "local", optimizer: Any = "sgd",
            optimizer_params: Any = (("learning_rate", 0.01),), eval_end_callback: Any = None,
            eval_batch_end_callback: Any = None, initializer: Any = Uniform(0.01),
            arg_params: Optional[dict] = None, aux_params: Optional[dict] = None,
            allow_missing: bool = False, force_rebind: bool = False, force_init: bool = False,
            begin_epoch: int = 0, num_epoch: Optional[int] = None, validation_metric: Any = None,
            monitor: Any = None, sparse_row_id_fn: Any = None) -> None:
        """Train the module for a number of epochs.

        Binds to ``train_data``'s shapes, initializes the parameters (from ``arg_params`` and
        ``aux_params`` where given, else with ``initializer``) and the optimizer, then for each
        epoch runs forward, backward, update and the metric over every batch, logs the training
        metric and time, calls the epoch callbacks with the current parameters and, when
        ``eval_data`` is given, scores on it. Steps already done (bound, initialized) are not
        repeated unless forced.

        Parameters
        ----------
        train_data : DataIter
            The training batches.
        eval_data : DataIter, default None
            Validation batches scored after every epoch.
        eval_metric : str or EvalMetric, default 'acc'
            Metric tracked during training (``'acc'``, ``'ce'``, ``'mse'``, ``'top_k_accuracy'``, ...).
        epoch_end_callback : callable or list of callable, default None
            Called as ``callback(epoch, symbol, arg_params, aux_params)`` after each epoch.
        batch_end_callback : callable or list of callable, default None
            Called with a ``BatchEndParam`` after each training batch.
        kvstore : str or KVStore, default 'local'
            Store used to sum gradients across devices (and workers).
        optimizer : str or Optimizer, default 'sgd'
            The optimizer or its name.
        optimizer_params : dict or sequence of (str, value), default (('learning_rate', 0.01),)
            Keyword arguments for an optimizer given by name.
        eval_end_callback : callable or list of callable, default None
            Called with a ``BatchEndParam`` after each full validation pass.
        eval_batch_end_callback : callable or list of callable, default None
            Called after each validation batch.
        initializer : Initializer, default Uniform(0.01)
            Fills parameters not otherwise given.
        arg_params : dict of str to NDArray, default None
            Starting values of learnable parameters (a checkpoint's, say); they win over
            ``initializer`` unless the parameters are already initialized.
        aux_params : dict of str to NDArray, default None
            Starting values of auxiliary states.
        allow_missing : bool, default False
            Let ``initializer`` fill names absent from ``arg_params``/``aux_params``.
        force_rebind : bool, default False
            Bind again even if already bound.
        force_init : bool, default False
            Initialize the parameters again even if already initialized.
        begin_epoch : int, default 0
            Number of the first epoch (``N + 1`` when resuming from a checkpoint of epoch ``N``).
        num_epoch : int
            Number of the epoch to stop before; required.
        validation_metric : str or EvalMetric, default None
            Metric for ``eval_data``; ``None`` uses ``eval_metric``.
        monitor : Monitor, default None
            Installed on the executors to print statistics of intermediate arrays.
        sparse_row_id_fn : callable, default None
            Accepted for compatibility; mxtorch has no row-sparse parameters.
        """
        if num_epoch is None:
            raise ValueError("please specify number of epochs")
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
                  for_training=True, force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        eval_metric = metric.create(eval_metric)  # an EvalMetric comes back as it is
        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            name_values = self._fit_epoch(train_data, epoch, eval_metric, batch_end_callback,
                                          sparse_row_id_fn, monitor)
            for name, val in name_values:
                self.logger.info("Epoch[%d] Train-%s=%f", epoch, name, val)
            self.logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            arg_params, aux_params = self.get_params()
            self.set_params(arg_params, aux_params)
            if epoch_end_callback is not None:
                for callback in _as_list(epoch_end_callback):
                    callback(epoch, self.symbol, arg_params, aux_params)
            if eval_data is not None:
                res = self.score(eval_data, validation_metric, score_end_callback=eval_end_callback,
                                 batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, val in res:
                    self.logger.info("Epoch[%d] Validation-%s=%f", epoch, name, val)
            train_data.reset()

    def _fit_epoch(self, train_data: DataIter, epoch: int, eval_metric: Any,
                   batch_end_callback: Any, sparse_row_id_fn: Any, monitor: Any = None) -> list:
        """Train over every batch of ``train_data`` once; return the metric's ``(name, value)``
        pairs for the epoch."""
        data_iter = iter(train_data)
        next_batch = next(data_iter)
        nbatch, end_of_batch, name_values = 0, False, []
        while not end_of_batch:
            data_batch = next_batch
            if monitor is not None:
                monitor.tic()
            self.forward_backward(data_batch)
            self.update()
            self.update_metric(eval_metric, data_batch.label)
            try:
                next_batch = next(data_iter)
                self.prepare(next_batch, sparse_row_id_fn=sparse_row_id_fn)
            except StopIteration:
                end_of_batch = True
            if monitor is not None:
                monitor.toc_print()
            if end_of_batch:
                name_values = eval_metric.get_global_name_value()
            if batch_end_callback is not None:
                params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                                       locals=locals())
                for callback in _as_list(batch_end_callback):
                    callback(params)
            nbatch += 1
        return name_values

    # -- symbol information -------------------------------------------------------------------
    @property
    def data_names(self) -> list:
        """Names of the data inputs."""
        raise NotImplementedError()

    @property
    def output_names(self) -> list:
        """Names of the outputs."""
        raise NotImplementedError()

    @property
    def data_shapes(self) -> list:
        """The bound data inputs, as ``DataDesc`` (name and shape)."""
        raise NotImplementedError()

    @property
    def label_shapes(self) -> list:
        """The bound label inputs, as ``DataDesc`` (name and shape)."""
        raise NotImplementedError()

    @property
    def output_shapes(self) -> list:
        """The outputs' ``(name, shape)`` pairs."""
        raise NotImplementedError()

    @property
    def symbol(self) -> Any:
        """The module's symbol.

        A plain Module keeps one for life; others (a bucketing module switches between buckets)
        may change it or have none.
        """
        return self._symbol

    # -- parameters ---------------------------------------------------------------------------
    def get_params(self) -> tuple:
        """Return the parameters, as copies kept apart from the arrays the devices compute with.

        Returns
        -------
        tuple of (dict of str to NDArray, dict of str to NDArray)
            ``(arg_params, aux_params)`` by name.
        """
        raise NotImplementedError()

    def init_params(self, initializer: Any = Uniform(0.01), arg_params: Optional[dict] = None,
                    aux_params: Optional[dict] = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Give the parameters and auxiliary states their first values (see :meth:`Module.init_params`)."""
        raise NotImplementedError()

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        """Put the given parameter values into the module.

        This default runs :meth:`init_params` with no initializer, so every value comes from
        the two dictionaries (``arg_params`` for learnable parameters, ``aux_params`` for
        auxiliary states). ``allow_missing``, ``force_init`` and ``allow_extra`` are handed
        on unchanged; see :meth:`Module.set_params` for what they mean.
        """
        self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init,
                         allow_extra=allow_extra)

    def save_params(self, fname: str) -> None:
        """Write the parameters to a ``.params`` file, keys prefixed ``arg:`` and ``aux:`` as MXNet's.

        Parameters
        ----------
        fname : str
            Path of the file.
        """
        _save_params(fname, *self.get_params())

    def load_params(self, fname: str) -> None:
        """Read a ``.params`` file written by :meth:`save_params` and set the parameters from it.

        Parameters
        ----------
        fname : str
            Path of the file.

        Raises
        ------
        ValueError
            If a key is not prefixed ``arg:`` or ``aux:``.
        """
        arg_params, aux_params = {}, {}
        for key, value in ndarray.load(fname).items():
            kind, _, name = key.partition(":")
            if kind == "arg":
                arg_params[name] = value
            elif kind == "aux":
                aux_params[name] = value
            else:
                raise ValueError("Invalid param file " + fname)
        self.set_params(arg_params, aux_params)

    def get_states(self, merge_multi_context: bool = True) -> list:
        """Gets states from all devices (none for a module without states)."""
        self._require("binded", "params_initialized")
        return []

    def set_states(self, states: Any = None, value: Any = None) -> None:
        """Sets value for states (none for a module without states)."""
        self._require("binded", "params_initialized")

    def install_monitor(self, mon: Any) -> None:
        """Installs monitor on all executors."""
        raise NotImplementedError()

    def prepare(self, data_batch: DataBatch, sparse_row_id_fn: Any = None) -> None:
        """Prepares the module for processing a data batch (nothing to do for dense modules)."""
        if sparse_row_id_fn is not None:
            warnings.warn(UserWarning("sparse_row_id_fn is not invoked for BaseModule."),
                          stacklevel=2)

    # -- computations -------------------------------------------------------------------------
    def forward(self, data_batch: DataBatch, is_train: Optional[bool] = None) -> None:
        """Run the network on one batch; batches of other shapes than the bound ones are allowed
        where the module can reshape for them.
        """
        raise NotImplementedError()

    def backward(self, out_grads: Any = None) -> None:
        """Compute gradients for the last forward batch."""
        raise NotImplementedError()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """Return the outputs of the last forward batch."""
        raise NotImplementedError()

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Return the gradients with respect to the data inputs from the last backward."""
        raise NotImplementedError()

    def update(self) -> None:
        """Apply one optimizer step from the gradients of the last batch."""
        raise NotImplementedError()

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        """Add the last forward batch's outputs against ``labels`` to ``eval_metric``."""
        raise NotImplementedError()

    def bind(self, data_shapes: list, label_shapes: Optional[list] = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False, shared_module: Any = None,
             grad_req: Any = "write") -> None:
        """Allocate executors for the given input shapes; needed before any computation."""
        raise NotImplementedError()

    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Create and install the optimizer (and kvstore)."""
        raise NotImplementedError()

