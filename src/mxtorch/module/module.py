"""Module: the intermediate-level training API over one Symbol, run on one or more devices."""
from __future__ import annotations

import logging
import warnings
from typing import Any, Optional

from .. import context as ctx
from .. import optimizer as opt
from .._fileio.atomic import write_atomically
from ..base import MXNetError
from ..initializer import InitDesc, Uniform
from ..io.io import DataDesc
from ..model import (_create_kvstore, _initialize_kvstore, _update_params, _update_params_on_kvstore,
                     load_checkpoint)
from ..ndarray.ndarray import zeros
from .base_module import BaseModule, _check_input_names, _parse_data_desc
from .executor_group import DataParallelExecutorGroup

__all__ = ["Module"]


class Module(BaseModule):
    """Train and run a Symbol through the intermediate-level API (``mx.mod.Module``).

    A Module owns one symbol, the names of its inputs and the devices it runs on. ``bind``
    builds one executor per device (a :class:`DataParallelExecutorGroup` that splits each batch
    along its batch axis), ``init_params`` and ``init_optimizer`` give it weights and an
    optimizer, and ``forward``/``backward``/``update`` train it one batch at a time; ``fit``,
    ``score`` and ``predict`` (from :class:`BaseModule`) loop over a data iterator with those
    steps. The same work as the older :class:`~mxtorch.model.FeedForward`, step by step.

    Parameters
    ----------
    symbol : Symbol
        The network, its loss output(s) included.
    data_names : list of str, default ('data',)
        Names of the symbol's inputs that the data iterator's ``data`` fills.
    label_names : list of str, default ('softmax_label',)
        Names of the inputs filled by the iterator's ``label``; names the symbol lacks are
        dropped with a warning (a symbol without a loss layer can still predict).
    logger : Logger, default logging
        Where progress and warnings are written.
    context : Context or list of Context, default None
        Devices to run on; ``None`` means ``mx.cpu()``. A batch is split across them.
    work_load_list : list of number, default None
        Relative share of each batch per device; ``None`` shares it evenly.
    fixed_param_names : list of str, default None
        Parameters that keep their values: no gradient is computed for them and the
        optimizer leaves them alone.
    state_names : list of str, default None
        Inputs that the iterator does not supply; they start at zero and are set with
        :meth:`set_states` (the hidden state of an unrolled RNN, for example).
    group2ctxs : dict of str to Context, or list of such dicts, default None
        Accepted for compatibility with MXNet's model parallelism; mxtorch runs every node of
        an executor on that executor's device.
    compression_params : dict, default None
        Gradient compression settings handed to the kvstore (which mxtorch's stores refuse).
    """

    def __init__(self, symbol: Any, data_names: Any = ("data",), label_names: Any = ("softmax_label",),
                 logger: Any = logging, context: Any = None, work_load_list: Optional[list] = None,
                 fixed_param_names: Optional[list] = None, state_names: Optional[list] = None,
                 group2ctxs: Any = None, compression_params: Optional[dict] = None):
        super().__init__(logger=logger)
        context = ctx.cpu() if context is None else context
        self._context = [context] if isinstance(context, ctx.Context) else list(context)
        self._work_load_list = work_load_list or [1] * len(self._context)
        if len(self._work_load_list) != len(self._context):
            raise ValueError("work_load_list must have one entry per context")
        self._group2ctxs = group2ctxs
        self._symbol = symbol
        # every kind of name is checked against the symbol; only unknown labels are forgiven
        # (a symbol without its loss layer still predicts)
        names = {}
        for kind, given, strict in (("data", data_names, True), ("label", label_names, False),
                                    ("state", state_names, True),
                                    ("fixed_param", fixed_param_names, True)):
            names[kind] = [] if given is None else list(given)
            _check_input_names(symbol, names[kind], kind, strict)
        data_names, label_names = names["data"], names["label"]
        state_names, fixed_param_names = names["state"], names["fixed_param"]
        fed = set(data_names) | set(label_names) | set(state_names)
        self._param_names = [arg for arg in symbol.list_arguments() if arg not in fed]
        self._fixed_param_names = fixed_param_names
        self._aux_names = symbol.list_auxiliary_states()
        self._data_names = data_names
        self._label_names = label_names
        self._state_names = state_names
        self._output_names = symbol.list_outputs()
        self._arg_params: Optional[dict] = None
        self._aux_params: Optional[dict] = None
        self._params_dirty = False
        self._compression_params = compression_params
        self._optimizer = None
        self._kvstore = None
        self._update_on_kvstore = None
        self._updater = None
        self._preload_opt_states: Optional[str] = None
        self._grad_req = None
        self._exec_group: Optional[DataParallelExecutorGroup] = None
        self._data_shapes = None
        self._label_shapes = None

    @staticmethod
    def load(prefix: str, epoch: int, load_optimizer_states: bool = False, **kwargs: Any) -> "Module":
        """Rebuild a Module from the files ``save_checkpoint`` wrote.

        The symbol comes from ``prefix-symbol.json`` and the parameters from
        ``prefix-%04d.params``; both are in place before ``bind``, which then copies them to the
        devices.

        Parameters
        ----------
        prefix : str
            Path prefix shared by the checkpoint files.
        epoch : int
            Epoch number of the parameter file to read.
        load_optimizer_states : bool, default False
            Also restore the optimizer from ``prefix-%04d.states`` once ``init_optimizer`` runs
            (the checkpoint must have been saved with ``save_optimizer_states=True``).
        **kwargs
            Passed to the :class:`Module` constructor (``data_names``, ``label_names``,
            ``context``, ``logger``, ...).

        Returns
        -------
        Module
            A module holding the loaded symbol and parameters, not yet bound.
        """
        sym, args, auxs = load_checkpoint(prefix, epoch)
        mod = Module(symbol=sym, **kwargs)
        mod._arg_params = args
        mod._aux_params = auxs
        mod.params_initialized = True
        if load_optimizer_states:
            mod._preload_opt_states = f"{prefix}-{epoch:04d}.states"
        return mod

    def save_checkpoint(self, prefix: str, epoch: int, save_optimizer_states: bool = False,
                        remove_amp_cast: bool = True) -> None:
        """Write the symbol, the current parameters and optionally the optimizer state to disk.

        Files are ``prefix-symbol.json``, ``prefix-%04d.params`` and, when asked,
        ``prefix-%04d.states``; :meth:`load` reads them back. ``mx.callback.module_checkpoint``
        calls this at the end of each epoch of ``fit``.

        Parameters
        ----------
        prefix : str
            Path prefix of the files.
        epoch : int
            Epoch number written into the file names.
        save_optimizer_states : bool, default False
            Also save the optimizer's per-weight state, so that training can resume exactly.
        remove_amp_cast : bool, default True
            Leave mixed-precision cast nodes out of the saved symbol.
        """
        self._symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
        param_name = f"{prefix}-{epoch:04d}.params"
        self.save_params(param_name)
        logging.info('Saved checkpoint to "%s"', param_name)
        if save_optimizer_states:
            state_name = f"{prefix}-{epoch:04d}.states"
            self.save_optimizer_states(state_name)
            logging.info('Saved optimizer state to "%s"', state_name)

    def _reset_bind(self) -> None:
        """Forget the executors and shapes, so that the next ``bind`` starts afresh."""
        self.binded = False
        self._exec_group = None
        self._data_shapes = None
        self._label_shapes = None

    @property
    def data_names(self) -> list:
        """Names of the inputs that take the batch's data."""
        return self._data_names

    @property
    def label_names(self) -> list:
        """Names of the inputs that take the batch's labels."""
        return self._label_names

    @property
    def output_names(self) -> list:
        """Names of the symbol's outputs."""
        return self._output_names

    @property
    def data_shapes(self) -> list:
        """The bound data inputs, as a list of :class:`DataDesc`."""
        self._require("binded")
        return self._data_shapes

    @property
    def label_shapes(self) -> Optional[list]:
        """The bound label inputs, as a list of :class:`DataDesc`; ``None`` when bound without labels."""
        self._require("binded")
        return self._label_shapes

    @property
    def output_shapes(self) -> list:
        """The outputs' names and shapes for the bound inputs, as ``(name, shape)`` pairs."""
        self._require("binded")
        return self._exec_group.get_output_shapes()

    # -- parameters ---------------------------------------------------------------------------
    def get_params(self) -> tuple:
        """Return copies of the current parameters, refreshed from the devices if training changed them.

        Returns
        -------
        tuple of (dict of str to NDArray, dict of str to NDArray)
            ``(arg_params, aux_params)``: learnable parameters and auxiliary states by name.
        """
        self._require("params_initialized")
        if self._params_dirty:
            self._sync_params_from_devices()
        return self._arg_params, self._aux_params

    def init_params(self, initializer: Any = Uniform(0.01), arg_params: Optional[dict] = None,
                    aux_params: Optional[dict] = None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Give every parameter and auxiliary state its first value, then copy them to the devices.

        Each name is looked up in ``arg_params``/``aux_params`` first; a name found there is
        copied, a name missing is an error unless ``allow_missing``, in which case (or when no
        dictionary is given) ``initializer`` fills it. The initializer sees each name with the
        symbol's attributes for it, so ``__init__`` attributes on variables are honoured.

        Parameters
        ----------
        initializer : Initializer, default Uniform(0.01)
            Fills parameters not taken from the dictionaries; ``None`` leaves them as they are.
        arg_params : dict of str to NDArray, default None
            Known values of learnable parameters.
        aux_params : dict of str to NDArray, default None
            Known values of auxiliary states (e.g. BatchNorm's moving statistics).
        allow_missing : bool, default False
            Let the initializer fill names absent from the given dictionaries instead of raising.
        force_init : bool, default False
            Initialize again even if parameters were already initialized.
        allow_extra : bool, default False
            Ignore entries of the dictionaries that the symbol does not use instead of raising.

        Raises
        ------
        MXNetError
            When a parameter is missing from the given dictionaries and ``allow_missing`` is False.
        """
        if self._init_ignored("init_params", force_init):
            return
        self._require("binded")
        attrs = self._symbol.attr_dict()
        for bound, given in ((self._arg_params, arg_params), (self._aux_params, aux_params)):
            for name in sorted(bound):
                target = bound[name]
                if given is not None and name in given:
                    if given[name] is not target:
                        given[name].copyto(target)
                    continue
                if given is not None and not allow_missing:
                    # MXNet raised a bare RuntimeError, which MXNetError still is
                    raise MXNetError(f"{name} is not presented: the given parameters hold no "
                                     f"'{name}' (allow_missing=True initializes it instead)")
                if initializer is not None:
                    initializer(InitDesc(name, attrs.get(name)), target)
        self.params_initialized = True
        self._params_dirty = False
        self._exec_group.set_params(self._arg_params, self._aux_params, allow_extra=allow_extra)

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        """Put the given parameter values into the module (and onto its devices).

        Without ``allow_missing`` this is :meth:`init_params` with no initializer; with it, the
        given arrays are copied straight to the executors and names they lack keep their values.

        Parameters
        ----------
        arg_params : dict of str to NDArray
            Learnable parameters by name.
        aux_params : dict of str to NDArray
            Auxiliary states by name.
        allow_missing : bool, default False
            Accept dictionaries that do not cover every parameter.
        force_init : bool, default True
            Overwrite parameters that are already initialized.
        allow_extra : bool, default False
            Ignore names the symbol does not use instead of raising.

        Examples
        --------
        >>> sym, arg_params, aux_params = mx.model.load_checkpoint(prefix, epoch)  # doctest: +SKIP
        >>> mod.set_params(arg_params=arg_params, aux_params=aux_params)  # doctest: +SKIP
        """
        if not allow_missing:  # every name must be given: the checked copy of the base class
            super().set_params(arg_params, aux_params, allow_missing=False,
                               force_init=force_init, allow_extra=allow_extra)
            return
        if self._init_ignored("set_params", force_init):
            return
        self._exec_group.set_params(arg_params, aux_params, allow_extra=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    def _init_ignored(self, call: str, force_init: bool) -> bool:
        """Whether ``call`` should do nothing because parameters exist and ``force_init`` is
        off; says so in a warning pointing at the caller's caller, as MXNet's does."""
        if not self.params_initialized or force_init:
            return False
        warnings.warn(f"Parameters already initialized and force_init=False. {call} call ignored.",
                      stacklevel=3)
        return True

    # -- binding ------------------------------------------------------------------------------
    def bind(self, data_shapes: list, label_shapes: Optional[list] = None, for_training: bool = True,
             inputs_need_grad: bool = False, force_rebind: bool = False, shared_module: Any = None,
             grad_req: Any = "write") -> None:
        """Allocate the executors for the given input shapes; needed before any computation.

        Parameters
        ----------
        data_shapes : list of DataDesc or list of (str, tuple)
            Names and shapes of the data inputs, usually ``train_iter.provide_data``.
        label_shapes : list of DataDesc or list of (str, tuple), default None
            Names and shapes of the labels, usually ``train_iter.provide_label``; ``None`` binds
            for prediction only.
        for_training : bool, default True
            Allocate gradient arrays so that ``backward`` can run.
        inputs_need_grad : bool, default False
            Also compute gradients with respect to the data inputs (for stacking modules);
            requires ``for_training``.
        force_rebind : bool, default False
            Bind again even if already bound; otherwise a second call only warns.
        shared_module : Module, default None
            A bound, initialized module whose parameter arrays this one uses as its own (how
            buckets of different sequence lengths share one set of weights).
        grad_req : str, list of str or dict of str to str, default 'write'
            How gradients are stored: ``'write'``, ``'add'`` (accumulate) or ``'null'``, for all
            parameters or per parameter.
        """
        if force_rebind:
            self._reset_bind()
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if not for_training and inputs_need_grad:
            raise ValueError("inputs_need_grad requires for_training=True")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._grad_req = grad_req
        self._keep_input_shapes(data_shapes, label_shapes)
        shared_group = None
        if shared_module is not None:
            if not (isinstance(shared_module, Module) and shared_module.binded
                    and shared_module.params_initialized):
                raise ValueError("shared_module must be a bound Module with initialized params")
            shared_group = shared_module._exec_group
        self._exec_group = DataParallelExecutorGroup(
            self._symbol, self._context, self._work_load_list, self._data_shapes,
            self._label_shapes, self._param_names, for_training, inputs_need_grad, shared_group,
            logger=self.logger, fixed_param_names=self._fixed_param_names, grad_req=grad_req,
            state_names=self._state_names)
        if shared_module is not None:
            self.params_initialized = True
            self._arg_params = shared_module._arg_params
            self._aux_params = shared_module._aux_params
            if shared_module.optimizer_initialized:
                self.borrow_optimizer(shared_module)
        elif self.params_initialized:
            # params were loaded (Module.load) or initialized before a rebind
            self._exec_group.set_params(self._arg_params, self._aux_params)
        else:
            self._arg_params = {name: zeros(x[0].shape, dtype=x[0].dtype)
                                for name, x in zip(self._param_names, self._exec_group.param_arrays)}
            self._aux_params = {name: zeros(x[0].shape, dtype=x[0].dtype)
                                for name, x in zip(self._aux_names, self._exec_group.aux_arrays)}
        self.binded = True

    def _keep_input_shapes(self, data_shapes: list, label_shapes: Optional[list]) -> None:
        """Check the given shapes' names against the module's inputs and keep them as DataDesc."""
        descs = _parse_data_desc(self.data_names, self.label_names, data_shapes, label_shapes)
        self._data_shapes, self._label_shapes = descs

    def reshape(self, data_shapes: list, label_shapes: Optional[list] = None) -> None:
        """Rebind the executors for new input shapes, keeping the parameters.

        Parameters
        ----------
        data_shapes : list of DataDesc or list of (str, tuple)
            The new data shapes.
        label_shapes : list of DataDesc or list of (str, tuple), default None
            The new label shapes.
        """
        self._require("binded")
        self._keep_input_shapes(data_shapes, label_shapes)
        self._exec_group.reshape(self._data_shapes, self._label_shapes)

    # -- optimizer ----------------------------------------------------------------------------
    def init_optimizer(self, kvstore: Any = "local", optimizer: Any = "sgd",
                       optimizer_params: Any = (("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Create the optimizer and, if one is used, the kvstore that sums gradients over devices.

        The gradient is rescaled by ``1/batch_size`` (times the number of workers of a
        synchronous distributed store) unless ``optimizer_params`` says otherwise. Whether the
        update runs inside the kvstore or on the devices follows ``mx.model._create_kvstore``.

        Parameters
        ----------
        kvstore : str or KVStore, default 'local'
            The key-value store, or its type name.
        optimizer : str or Optimizer, default 'sgd'
            An optimizer instance, or the registered name of one.
        optimizer_params : dict or sequence of (str, value), default (('learning_rate', 0.01),)
            Keyword arguments for the optimizer when it is given by name.
        force_init : bool, default False
            Replace an optimizer that is already installed; otherwise a second call only warns.
        """
        self._require("binded", "params_initialized")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring...")
            return
        if self._params_dirty:
            self._sync_params_from_devices()
        store, update_on_kvstore = _create_kvstore(kvstore, len(self._context), self._arg_params)
        batch_size = self._exec_group.batch_size
        if store and "dist" in store.type and "_sync" in store.type:
            batch_size *= store.num_workers  # every worker's batch adds to the summed gradient
        rescale_grad = 1.0 / batch_size
        n = len(self._context)
        names = self._exec_group.param_names
        idx2name = (dict(enumerate(names)) if update_on_kvstore else
                    {i * n + k: name for k in range(n) for i, name in enumerate(names)})
        if isinstance(optimizer, str):
            optimizer_params = dict(optimizer_params)
            optimizer_params.setdefault("rescale_grad", rescale_grad)
            optimizer = opt.create(optimizer, sym=self.symbol, param_idx2name=idx2name,
                                   **optimizer_params)
        else:
            if not isinstance(optimizer, opt.Optimizer):
                raise TypeError("optimizer must be a name or an mx.optimizer.Optimizer")
            if optimizer.rescale_grad != rescale_grad:
                warnings.warn("Optimizer created manually outside Module but rescale_grad is not "
                              f"normalized to 1.0/batch_size/num_workers ({optimizer.rescale_grad} "
                              f"vs. {rescale_grad}). Is this intended?", stacklevel=2)
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        self._optimizer = optimizer
        self._kvstore = store
        self._update_on_kvstore = update_on_kvstore
        self._updater = None if update_on_kvstore else opt.get_updater(optimizer)
        if store:
            if self._compression_params:
                store.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                store.set_optimizer(self._optimizer)
            _initialize_kvstore(store, self._exec_group.param_arrays, self._arg_params,
                                self._param_names, update_on_kvstore)
        self.optimizer_initialized = True
        pending = self._preload_opt_states  # set by Module.load(load_optimizer_states=True)
        if pending is not None:
            self.load_optimizer_states(pending)
            self._preload_opt_states = None

    def borrow_optimizer(self, shared_module: "Module") -> None:
        """Use another module's optimizer, kvstore and updater as this module's own.

        Bucketing modules do this so that all buckets update one set of weights with one
        optimizer state.

        Parameters
        ----------
        shared_module : Module
            A module whose optimizer is initialized.
        """
        shared_module._require("optimizer_initialized")
        for attr in ("_optimizer", "_kvstore", "_update_on_kvstore", "_updater"):
            setattr(self, attr, getattr(shared_module, attr))
        self.optimizer_initialized = True

    # -- computations -------------------------------------------------------------------------
    def forward(self, data_batch: Any, is_train: Optional[bool] = None) -> None:
        """Run the network on one batch.

        When the batch's shapes differ from the bound ones (a smaller last batch, another image
        size) the executors are reshaped first; a change that alters the symbol itself needs a new
        ``bind``.

        Parameters
        ----------
        data_batch : DataBatch
            The batch; anything with ``data`` (and ``label``) lists of NDArray will do.
        is_train : bool, default None
            Run in training mode (dropout active, BatchNorm batch statistics); ``None`` uses the
            ``for_training`` the module was bound with.
        """
        self._require("binded", "params_initialized")
        given = tuple(a.shape for a in data_batch.data)
        if given != tuple(d.shape for d in self._data_shapes):
            # the batch's own descriptions win; otherwise the bound ones with the new shapes
            data_descs = getattr(data_batch, "provide_data", None) or [
                DataDesc(d.name, shape, d.dtype, d.layout)
                for d, shape in zip(self._data_shapes, given)]
            label_descs = getattr(data_batch, "provide_label", None)
            if not label_descs:
                labels = getattr(data_batch, "label", None)
                label_descs = [DataDesc(d.name, a.shape, d.dtype, d.layout)
                               for d, a in zip(self._label_shapes, labels)] \
                    if labels and self._label_shapes else None
            self.reshape(data_descs, label_descs)
        self._exec_group.forward(data_batch, is_train)

    def backward(self, out_grads: Any = None) -> None:
        """Compute the gradients of the last ``forward`` batch.

        Parameters
        ----------
        out_grads : NDArray or list of NDArray, default None
            Head gradients for the outputs; needed only for outputs that are not loss layers.
        """
        self._require("binded", "params_initialized")
        self._exec_group.backward(out_grads=out_grads)

    def update(self) -> None:
        """Apply one optimizer step to every parameter from the gradients of the last batch.

        With a kvstore the per-device gradients are summed through it first, and the update runs
        in the store or on each device as ``init_optimizer`` decided.
        """
        self._require("binded", "params_initialized", "optimizer_initialized")
        self._params_dirty = True
        group = self._exec_group
        if self._update_on_kvstore:
            _update_params_on_kvstore(group.param_arrays, group.grad_arrays, self._kvstore,
                                      group.param_names)
        else:
            _update_params(group.param_arrays, group.grad_arrays, updater=self._updater,
                           num_device=len(self._context), kvstore=self._kvstore,
                           param_names=group.param_names)

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """Return the outputs of the last ``forward``.

        Parameters
        ----------
        merge_multi_context : bool, default True
            Join the per-device pieces along the batch axis, as if one device had run the batch.

        Returns
        -------
        list of NDArray or list of list of NDArray
            One array per output, or, unmerged, one list per output with an array per device.
        """
        self._require("binded", "params_initialized")
        return self._exec_group.get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Return the gradients with respect to the data inputs (bind with ``inputs_need_grad=True``).

        Parameters
        ----------
        merge_multi_context : bool, default True
            Join the per-device pieces along the batch axis.

        Returns
        -------
        list of NDArray or list of list of NDArray
            One gradient per data input, or per input a list with one array per device.
        """
        self._require("binded", "params_initialized", "inputs_need_grad")
        return self._exec_group.get_input_grads(merge_multi_context=merge_multi_context)

    def get_states(self, merge_multi_context: bool = True) -> list:
        """Gets states from all devices (the inputs named in ``state_names``)."""
        self._require("binded", "params_initialized")
        return self._exec_group.get_states(merge_multi_context=merge_multi_context)

    def set_states(self, states: Any = None, value: Any = None) -> None:
        """Set the state inputs, either from arrays or all to one number.

        Parameters
        ----------
        states : list of list of NDArray, default None
            Per state, one array per device.
        value : number, default None
            A scalar written to every element of every state. Give exactly one of the two.
        """
        self._require("binded", "params_initialized")
        self._exec_group.set_states(states, value)

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        """Add the last batch's outputs against ``labels`` to ``eval_metric``.

        Parameters
        ----------
        eval_metric : EvalMetric
            The metric to update.
        labels : list of NDArray or list of list of NDArray
            The batch's labels (``data_batch.label``), or per device its slice of them.
        pre_sliced : bool, default False
            True when ``labels`` is already one list per device.
        """
        self._exec_group.update_metric(eval_metric, labels, pre_sliced)

    def _sync_params_from_devices(self) -> None:
        """Copy the parameters from the devices back into ``_arg_params``/``_aux_params``.

        Training changes the executors' arrays only; this brings the module's own copies up to
        date before they are read or saved.
        """
        self._exec_group.get_params(self._arg_params, self._aux_params)
        self._params_dirty = False

    def save_optimizer_states(self, fname: str) -> None:
        """Write the optimizer's state (momenta and the like) to ``fname``.

        Parameters
        ----------
        fname : str
            Path of the ``.states`` file.
        """
        self._require("optimizer_initialized")
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname)
        else:
            write_atomically(fname, self._updater.get_states())

    def load_optimizer_states(self, fname: str) -> None:
        """Restore the optimizer's state from a file ``save_optimizer_states`` wrote.

        Parameters
        ----------
        fname : str
            Path of the ``.states`` file.
        """
        self._require("optimizer_initialized")
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
        else:
            self._updater._load_states_file(fname)

    def install_monitor(self, mon: Any) -> None:
        """Installs monitor on all executors."""
        self._require("binded")
        self._exec_group.install_monitor(mon)
