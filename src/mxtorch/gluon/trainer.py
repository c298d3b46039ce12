"""Parameter optimizer."""
from __future__ import annotations

from typing import Any, Optional

from .. import optimizer as opt
from .._fileio.atomic import write_atomically
from ..base import MXNetError
from ..kvstore import DistKVStore
from ..kvstore.dist import is_distributed_type
from ..model import _create_kvstore
from .parameter import Parameter, ParameterDict

__all__ = ["Trainer"]


class Trainer:
    """Applies an `Optimizer` on a set of Parameters. Trainer should
    be used together with `autograd`.

    .. note::

        For the following cases, updates will always happen on kvstore,
        i.e., you cannot set update_on_kvstore=False.

        - dist kvstore with sparse weights or sparse gradients
        - dist async kvstore
        - `optimizer.lr_scheduler` is not None

    Parameters
    ----------
    params : ParameterDict
        The set of parameters to optimize.
    optimizer : str or Optimizer
        The optimizer to use. See
        `help <https://mxnet.apache.org/api/python/docs/api/optimizer/index.html#mxnet.optimizer.Optimizer>`_
        on Optimizer for a list of available optimizers.
    optimizer_params : dict
        Key-word arguments to be passed to optimizer constructor. For example,
        `{'learning_rate': 0.1}`. All optimizers accept learning_rate, wd (weight decay),
        clip_gradient, and lr_scheduler. See each optimizer's
        constructor for a list of additional supported arguments.
    kvstore : str or KVStore
        kvstore type for multi-gpu and distributed training. See help on
        :any:`mxnet.kvstore.create` for more information.
    compression_params : dict
        Specifies type of gradient compression and additional arguments depending
        on the type of compression being used. For example, 2bit compression requires a threshold.
        Arguments would then be {'type':'2bit', 'threshold':0.5}
        See mxnet.KVStore.set_gradient_compression method for more details on gradient compression.
    update_on_kvstore : bool, default None
        Whether to perform parameter updates on kvstore. If None, then trainer will choose the more
        suitable option depending on the type of kvstore. If the `update_on_kvstore` argument is
        provided, environment variable `MXNET_UPDATE_ON_KVSTORE` will be ignored.

    Properties
    ----------
    learning_rate : float
        The current learning rate of the optimizer. Given an Optimizer object
        optimizer, its learning rate can be accessed as optimizer.learning_rate.
    """

    def __init__(self, params: Any, optimizer: Any, optimizer_params: Optional[dict] = None,
                 kvstore: Any = "device", compression_params: Optional[dict] = None,
                 update_on_kvstore: Optional[bool] = None):
        if isinstance(params, (dict, ParameterDict)):
            params = [params[key] for key in sorted(list(params.keys()))]
        if not isinstance(params, (list, tuple)):
            raise ValueError("First argument must be a list or dict of Parameters, "
                             "got %s." % (type(params)))
        self._params: list = []
        self._param2idx: dict = {}
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise ValueError("First argument must be a list or dict of Parameters, "
                                 "got list of %s." % (type(param)))
            self._param2idx[param.name] = i
            self._params.append(param)
            param._set_trainer(self)
        self._compression_params = compression_params
        self._contexts = self._check_contexts()
        optimizer_params = optimizer_params if optimizer_params else {}
        self._init_optimizer(optimizer, optimizer_params)
        self._scale = self._optimizer.rescale_grad
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._kv_initialized = False
        self._kvstore: Any = None
        self._update_on_kvstore: Optional[bool] = None
        self._distributed: Optional[bool] = None
        self._params_to_init: list = []
        self._reset_kvstore()
        if self._contexts and (isinstance(kvstore, DistKVStore) or (
                isinstance(kvstore, str) and is_distributed_type(kvstore.lower()))):
            # unlike MXNet (first step), the workers take rank 0's parameters now, before their
            # first forward; parameters still deferred are broadcast at the first step
            self._prepare()

    def _check_contexts(self) -> Optional[list]:
        contexts = None
        for param in self._params:
            ctx = param.list_ctx()
            if contexts is not None and contexts != ctx:
                raise ValueError("All Parameters must be initialized on the same set of contexts, "
                                 "but Parameter %s is initialized on %s while previous Parameters "
                                 "are initialized on %s." % (param.name, str(ctx), str(contexts)))
            contexts = ctx
        return contexts

    def _init_optimizer(self, optimizer: Any, optimizer_params: dict) -> None:
        param_dict = {i: param for i, param in enumerate(self._params)}
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise ValueError("optimizer_params must be None if optimizer is an instance of "
                                 "Optimizer instead of str")
            self._optimizer = optimizer
            # param_dict must not be deep copied, so that if user mutate the lr_mult
            # or wd_mult of some parameters, it takes effect.
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = [opt.get_updater(self._optimizer) for _ in self._contexts or [None]]

    # -- kvstore --------------------------------------------------------------------------------
    def _init_params(self) -> None:
        """Initialize parameters in the KVStore.

        Parameters with incomplete initialization are ignored.

        """
        if not self._kv_initialized:
            raise MXNetError("Cannot initialize parameters in KVStore "
                             "when KVStore is not initialized.")
        params_to_init = []
        if self._kvstore:
            for param in self._params_to_init:
                if param._deferred_init:
                    params_to_init.append(param)
                else:
                    param_arrays = param.list_data()
                    idx = self._param2idx[param.name]
                    try:
                        self._kvstore.broadcast(idx, param_arrays[0], param_arrays)
                    except MXNetError as err:  # name the parameter behind the key
                        raise MXNetError(f"Parameter '{param.name}': {err}") from err
        self._params_to_init = params_to_init

    def _reset_kvstore(self) -> None:
        """Reset kvstore."""
        if self._kvstore and "dist" in self._kvstore.type:
            raise RuntimeError("Cannot reset distributed KVStore.")
        self._kv_initialized = False
        self._kvstore = None
        self._distributed = None
        self._update_on_kvstore = None
        self._params_to_init = [param for param in self._params]

    def _init_kvstore(self) -> None:
        """Create kvstore."""
        config = self._kvstore_params
        # Training with dense weight and dense gradients (mxtorch has no sparse storage).
        kvstore = config["kvstore"]
        num_device = len(self._contexts)
        # the weights are only read to size a 'local' store shared by several devices
        arg_arrays = {param.name: param.data(self._contexts[0]) for param in self._params} \
            if isinstance(kvstore, str) and num_device > 1 and kvstore == "local" else {}
        kvstore, update_on_kvstore = _create_kvstore(kvstore, num_device, arg_arrays)
        self._distributed = "dist" in kvstore.type if kvstore else False
        if self._distributed and "async" in kvstore.type:
            update_on_kvstore = True
            # raise err if user provides unsupported configs
            if config["update_on_kvstore"] is False:
                raise ValueError("Please set update_on_kvstore=True "
                                 "when training in async mode.")
        if config["update_on_kvstore"] is not None:
            update_on_kvstore = config["update_on_kvstore"]
        # raise err if update_on_kvstore is set to True with kvstores that do not support optimizers
        if update_on_kvstore and not kvstore.is_capable("optimizer"):
            if config["update_on_kvstore"]:
                raise ValueError("Please set update_on_kvstore=False "
                                 "when training with {}".format(type(kvstore)))
            update_on_kvstore = False

        # set grad compression and optimizers
        if kvstore:
            if self._compression_params:
                kvstore.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                # optimizer preferably needs to be set before init for multiprecision
                kvstore.set_optimizer(self._optimizer)
            self._kvstore = kvstore
            self._update_on_kvstore = update_on_kvstore
        else:
            self._kvstore = None
            self._update_on_kvstore = None

        self._kv_initialized = True

    def _prepare(self) -> None:
        """Create the kvstore and place the parameters in it, when not done yet."""
        if not self._kv_initialized:
            self._init_kvstore()
        if self._params_to_init:
            self._init_params()

    # -- learning rate --------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        if not isinstance(self._optimizer, opt.Optimizer):
            raise UserWarning("Optimizer has to be defined before its learning "
                              "rate can be accessed.")
        return self._optimizer.learning_rate

    @property
    def optimizer(self) -> opt.Optimizer:
        if isinstance(self._optimizer, opt.Optimizer):
            return self._optimizer
        raise UserWarning("Optimizer has not been initialized yet")

    def set_learning_rate(self, lr: float) -> None:
        """Sets a new learning rate of the optimizer.

        Parameters
        ----------
        lr : float
            The new learning rate of the optimizer.
        """
        if not isinstance(self._optimizer, opt.Optimizer):
            raise UserWarning("Optimizer has to be defined before its learning "
                              "rate is mutated.")
        self._optimizer.set_learning_rate(lr)

    def _check_and_rescale_grad(self, scale: float) -> None:
        # MXNet's servers hold a copy of the optimizer; mxtorch's DistKVStore shares this one
        if self._update_on_kvstore and self._distributed and self._kv_initialized and \
                not isinstance(self._kvstore, DistKVStore):
            if self._optimizer.rescale_grad != scale:
                raise UserWarning("Possible change in the `batch_size` from previous "
                                  "`step` detected. Optimizer gradient normalizing "
                                  "factor will not change w.r.t new batch_size when "
                                  "update_on_kvstore=True and when distributed kvstore "
                                  "is used.")
        self._optimizer.rescale_grad = scale

    # -- steps ----------------------------------------------------------------------------------
    def step(self, batch_size: float, ignore_stale_grad: bool = False) -> None:
        """Makes one step of parameter update. Should be called after
        `autograd.backward()` and outside of `record()` scope.

        For normal parameter updates, `step()` should be used, which internally calls
        `allreduce_grads()` and then `update()`. However, if you need to get the reduced
        gradients to perform certain transformation, such as in gradient clipping, then
        you may want to manually call `allreduce_grads()` and `update()` separately.

        Parameters
        ----------
        batch_size : int
            Batch size of data processed. Gradient will be normalized by `1/batch_size`.
            Set this to 1 if you normalized loss manually with `loss = mean(loss)`.
        ignore_stale_grad : bool, optional, default=False
            If true, ignores Parameters with stale gradient (gradient that has not
            been updated by `backward` after last step) and skip update.
        """
        rescale_grad = self._scale / batch_size
        self._check_and_rescale_grad(rescale_grad)
        self._prepare()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self) -> None:
        """For each parameter, reduce the gradients from different contexts.

        Should be called after `autograd.backward()`, outside of `record()` scope,
        and before `trainer.update()`.

        For normal parameter updates, `step()` should be used, which internally calls
        `allreduce_grads()` and then `update()`. However, if you need to get the reduced
        gradients to perform certain transformation, such as in gradient clipping, then
        you may want to manually call `allreduce_grads()` and `update()` separately.
        """
        self._prepare()
        if self._kvstore and self._update_on_kvstore:
            raise MXNetError("allreduce_grads() when parameters are updated on kvstore "
                             "is not supported. Try setting `update_on_kvstore` "
                             "to False when creating trainer.")
        self._allreduce_grads()

    def _allreduce_grads(self) -> None:
        # nothing to reduce
        if not self._kvstore:
            return
        for i, param in enumerate(self._params):
            if param.grad_req != "null":
                grad_list = param.list_grad()
                # allreduce dense gradients if not update_on_kvstore,
                # otherwise push dense gradients, pull dense weights
                if self._update_on_kvstore:
                    self._kvstore.pushpull(i, grad_list, out=param.list_data(), priority=-i)
                else:
                    self._kvstore.pushpull(i, grad_list, priority=-i)

    def update(self, batch_size: float, ignore_stale_grad: bool = False) -> None:
        """Makes one step of parameter update.

        Should be called after `autograd.backward()` and outside of `record()` scope,
        and after `trainer.update()`.


        For normal parameter updates, `step()` should be used, which internally calls
        `allreduce_grads()` and then `update()`. However, if you need to get the reduced
        gradients to perform certain transformation, such as in gradient clipping, then
        you may want to manually call `allreduce_grads()` and `update()` separately.

        Parameters
        ----------
        batch_size : int
            Batch size of data processed. Gradient will be normalized by `1/batch_size`.
            Set this to 1 if you normalized loss manually with `loss = mean(loss)`.
        ignore_stale_grad : bool, optional, default=False
            If true, ignores Parameters with stale gradient (gradient that has not
            been updated by `backward` after last step) and skip update.
        """
        self._prepare()
        if self._kvstore and self._update_on_kvstore:
            raise MXNetError("update() when parameters are updated on kvstore "
                             "is not supported. Try setting `update_on_kvstore` "
                             "to False when creating trainer.")
        self._check_and_rescale_grad(self._scale / batch_size)
        self._update(ignore_stale_grad)

    def _update(self, ignore_stale_grad: bool = False) -> None:
        loss_scaler = getattr(self, "_amp_loss_scaler", None)
        if loss_scaler is not None:
            if loss_scaler.has_overflow(self._params):
                return  # skip on overflow

        on_kvstore = bool(self._kvstore and self._update_on_kvstore)
        updates: list = [[] for _ in self._updaters]
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            data = param.list_data()
            if not ignore_stale_grad:
                self._check_fresh(param, data)
            if on_kvstore:
                continue
            for upd, arr, grad in zip(updates, data, param.list_grad()):
                if not ignore_stale_grad or arr._fresh_grad:
                    upd.append((i, grad, arr))
                    arr._fresh_grad = False

        if not on_kvstore:
            # one call per device with every parameter: the optimizer updates them together
            for updater, upd in zip(self._updaters, updates):
                if upd:
                    i, g, w = zip(*upd)
                    updater(list(i), list(g), list(w))

    @staticmethod
    def _check_fresh(param: Parameter, data: list) -> None:
        for arr in data:
            if not arr._fresh_grad:
                raise UserWarning(
                    "Gradient of Parameter `%s` on context %s has not been updated "
                    "by backward since last `step`. This could mean a bug in your "
                    "model that made it only use a subset of the Parameters (Blocks) "
                    "for this iteration. If you are intentionally only using a subset, "
                    "call step with ignore_stale_grad=True to suppress this "
                    "warning and skip updating of Parameters with stale gradient"
                    % (param.name, str(arr.context)))

    # -- states ---------------------------------------------------------------------------------
    def save_states(self, fname: str) -> None:
        """Saves trainer states (e.g. optimizer, momentum) to a file.


        Parameters
        ----------
        fname : str
            Path to output states file.

        Note
        ----
        `optimizer.param_dict`, which contains Parameter information (such as
        `lr_mult` and `wd_mult`) will not be saved.
        """
        self._prepare()
        if self._update_on_kvstore:
            if self._params_to_init:
                raise MXNetError("Cannot save trainer states when some parameters are not yet "
                                 "initialized in kvstore.")
            self._kvstore.save_optimizer_states(fname, dump_optimizer=True)
        else:
            write_atomically(fname, self._updaters[0].get_states(dump_optimizer=True))

    def load_states(self, fname: str) -> None:
        """Loads trainer states (e.g. optimizer, momentum) from a file.

        Parameters
        ----------
        fname : str
            Path to input states file.

        Note
        ----
        `optimizer.param_dict`, which contains Parameter information (such as
        `lr_mult` and `wd_mult`) will not be loaded from the file, but rather set
        based on current Trainer's parameters.
        """
        self._prepare()
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            self._optimizer = self._kvstore._updater.optimizer
        else:
            for updater in self._updaters:
                updater._load_states_file(fname)
                updater.optimizer = self._updaters[0].optimizer
            self._optimizer = self._updaters[0].optimizer
        param_dict = {i: param for i, param in enumerate(self._params)}
        self._optimizer.param_dict = param_dict
