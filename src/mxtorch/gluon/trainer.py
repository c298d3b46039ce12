""":class:`Trainer`: applies an optimizer to the parameters of Gluon blocks."""
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
    """Update a set of parameters with an optimizer after each backward pass.

    The usual loop records a forward pass under :func:`mxtorch.autograd.record`,
    calls ``backward()`` on the loss and then :meth:`step`, which sums the
    gradients of parameters kept on several contexts and applies the optimizer.
    Gradient summation goes through a kvstore, created on the first step from
    ``kvstore``; with a single device and a non-distributed type there is no
    store and the optimizer works on the gradients directly.

    Whether updates run on the kvstore instead of on each device is
    ``update_on_kvstore`` when given. Left as None, it is yes unless
    ``MXNET_UPDATE_ON_KVSTORE=0``, a ``'local'`` store holds a parameter of
    more than 16M elements, or the store cannot run optimizers; an
    asynchronous distributed store (``'dist_async'``) always updates itself.

    Unlike MXNet, which waits for the first :meth:`step`, a trainer built with a
    distributed kvstore copies rank 0's initialized parameters to all workers
    at construction, so every worker starts its first forward pass from the
    same weights.

    Parameters
    ----------
    params : ParameterDict, dict or list of Parameter
        Parameters to update; a dictionary is taken in sorted key order, which
        fixes the index the optimizer and the kvstore use for each one.
    optimizer : str or Optimizer
        Optimizer name (as registered with :func:`mxtorch.optimizer.register`)
        or an optimizer object.
    optimizer_params : dict, optional
        Keyword arguments for the optimizer when ``optimizer`` is a name, such
        as ``{'learning_rate': 0.1, 'wd': 1e-4}``. Must be empty when an
        optimizer object is given.
    kvstore : str or KVStore, default 'device'
        Type of the store that sums gradients across devices and workers
        (see :func:`mxtorch.kvstore.create`), a store object, or None.
    compression_params : dict, optional
        Gradient compression settings handed to
        :meth:`KVStore.set_gradient_compression`, e.g. ``{'type': '2bit', 'threshold': 0.5}``.
    update_on_kvstore : bool, optional
        Force updates onto the kvstore (True) or onto the devices (False). When
        given, it overrides ``MXNET_UPDATE_ON_KVSTORE``.

    Raises
    ------
    ValueError
        When ``params`` is not a collection of :class:`Parameter`, when the
        parameters live on different sets of contexts, or when
        ``optimizer_params`` accompanies an optimizer object.

    Examples
    --------
    >>> net = mx.gluon.nn.Dense(1, in_units=2)
    >>> net.initialize(mx.init.One())
    >>> trainer = mx.gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.5})
    >>> with mx.autograd.record():
    ...     loss = net(mx.nd.array([[1.0, 2.0]])).sum()
    >>> loss.backward()
    >>> trainer.step(1)
    >>> net.weight.data().asnumpy()
    array([[0.5, 0. ]], dtype=float32)
    """

    def __init__(self, params: Any, optimizer: Any, optimizer_params: Optional[dict] = None,
                 kvstore: Any = "device", compression_params: Optional[dict] = None,
                 update_on_kvstore: Optional[bool] = None):
        if isinstance(params, (dict, ParameterDict)):
            params = [params[key] for key in sorted(params.keys())]
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
        self._init_optimizer(optimizer, optimizer_params or {})
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
        """The contexts shared by all parameters (None when there are none); raises if they differ."""
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
        """Create or adopt the optimizer and one updater per context."""
        by_index = dict(enumerate(self._params))
        if not isinstance(optimizer, opt.Optimizer):
            self._optimizer = opt.create(optimizer, param_dict=by_index, **optimizer_params)
        elif optimizer_params:
            raise ValueError("optimizer_params must be None if optimizer is an instance of "
                             "Optimizer instead of str")
        else:
            # the optimizer reads lr_mult/wd_mult off the live Parameter objects at each update,
            # so later changes to them apply without rebuilding anything
            optimizer.param_dict = by_index
            self._optimizer = optimizer
        self._updaters = [opt.get_updater(self._optimizer) for _ in self._contexts or [None]]

    # -- kvstore --------------------------------------------------------------------------------
    def _init_params(self) -> None:
        """Broadcast parameters waiting in ``_params_to_init`` into the kvstore.

        Those whose initialization is still deferred stay on the list for a later call.
        """
        if not self._kv_initialized:
            raise MXNetError("Cannot initialize parameters in KVStore "
                             "when KVStore is not initialized.")
        waiting = []
        store = self._kvstore
        for param in self._params_to_init if store else ():
            if param._deferred_init:
                waiting.append(param)
                continue
            copies = param.list_data()
            try:
                store.broadcast(self._param2idx[param.name], copies[0], out=copies)
            except MXNetError as err:  # name the parameter behind the key
                raise MXNetError(f"Parameter '{param.name}': {err}") from err
        self._params_to_init = waiting

    def _reset_kvstore(self) -> None:
        """Forget the kvstore so that the next step builds a new one (not allowed for distributed stores)."""
        if self._kvstore and "dist" in self._kvstore.type:
            raise RuntimeError("Cannot reset distributed KVStore.")
        self._kv_initialized = False
        self._kvstore = None
        self._distributed = None
        self._update_on_kvstore = None
        self._params_to_init = list(self._params)

    def _init_kvstore(self) -> None:
        """Build the kvstore from the constructor's settings and decide where updates run."""
        kind = self._kvstore_params["kvstore"]
        asked = self._kvstore_params["update_on_kvstore"]
        devices = len(self._contexts)
        # only a 'local' store over several devices looks at the weights, to size itself
        sized = isinstance(kind, str) and kind == "local" and devices > 1
        weights = {p.name: p.data(self._contexts[0]) for p in self._params} if sized else {}
        store, on_store = _create_kvstore(kind, devices, weights)
        self._distributed = bool(store) and "dist" in store.type
        if self._distributed and "async" in store.type:
            if asked is False:
                raise ValueError("Please set update_on_kvstore=True when training in async mode.")
            on_store = True
        if asked is not None:
            on_store = asked
        # as in MXNet, asking for store updates with no store at all fails on the None here
        if on_store and not store.is_capable("optimizer"):
            if asked:
                raise ValueError(f"Please set update_on_kvstore=False when training with "
                                 f"{type(store)}")
            on_store = False
        if store:
            if self._compression_params:
                store.set_gradient_compression(self._compression_params)
            if on_store:
                # handed over before _init_params broadcasts any key into the store
                store.set_optimizer(self._optimizer)
        self._kvstore = store if store else None
        self._update_on_kvstore = on_store if store else None
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
        """The optimizer's current learning rate.

        Raises
        ------
        UserWarning
            When there is no optimizer object (MXNet raises this rather than warning).
        """
        need = "Optimizer has to be defined before its learning rate can be accessed."
        return self._checked_optimizer(need).learning_rate

    @property
    def optimizer(self) -> opt.Optimizer:
        """The :class:`~mxtorch.optimizer.Optimizer` this trainer applies."""
        return self._checked_optimizer("Optimizer has not been initialized yet")

    def _checked_optimizer(self, complaint: str) -> opt.Optimizer:
        """The optimizer object; ``UserWarning(complaint)`` is raised when there is none."""
        current = self._optimizer
        if isinstance(current, opt.Optimizer):
            return current
        raise UserWarning(complaint)

    def set_learning_rate(self, lr: float) -> None:
        """Change the optimizer's learning rate.

        Parameters
        ----------
        lr : float
            New learning rate, used from the next update on.
        """
        need = "Optimizer has to be defined before its learning rate is mutated."
        self._checked_optimizer(need).set_learning_rate(lr)

    def _check_and_rescale_grad(self, scale: float) -> None:
        """Set the optimizer's gradient scale; a distributed store's own copy cannot follow a change."""
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
        """Sum the gradients across devices and update the parameters: one training step.

        Call it after ``backward()``, outside :func:`~mxtorch.autograd.record`. It
        does what :meth:`allreduce_grads` followed by :meth:`update` do; call
        those two separately to work on the summed gradients in between, for
        example to clip them.

        Parameters
        ----------
        batch_size : int
            Gradients are multiplied by ``1 / batch_size`` (on top of the
            optimizer's own ``rescale_grad``). Pass 1 when the loss is already a
            mean over the batch.
        ignore_stale_grad : bool, default False
            Skip parameters whose gradient no backward pass has written since the
            last step, instead of raising :class:`UserWarning` about them.
        """
        self._check_and_rescale_grad(self._scale / batch_size)
        self._prepare()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self) -> None:
        """Sum each parameter's gradients over its contexts, leaving the sum on every context.

        The first half of :meth:`step`; :meth:`update` is the second. Not available
        when updates run on the kvstore.

        Raises
        ------
        MXNetError
            When the trainer updates on the kvstore.
        """
        self._prepare()
        if self._kvstore and self._update_on_kvstore:
            raise MXNetError("allreduce_grads() when parameters are updated on kvstore "
                             "is not supported. Try setting `update_on_kvstore` "
                             "to False when creating trainer.")
        self._allreduce_grads()

    def _allreduce_grads(self) -> None:
        """Push gradients to the kvstore; pull back their sums, or new weights when the store updates."""
        store = self._kvstore
        if not store:  # one device, no store: the gradients are already complete
            return
        for key, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            # a store that runs the optimizer answers a pushed gradient with updated weights
            weights_back = {"out": param.list_data()} if self._update_on_kvstore else {}
            store.pushpull(key, param.list_grad(), priority=-key, **weights_back)

    def update(self, batch_size: float, ignore_stale_grad: bool = False) -> None:
        """Apply the optimizer to the current gradients, without summing them first.

        The second half of :meth:`step`, for use after :meth:`allreduce_grads`.
        Not available when updates run on the kvstore.

        Parameters
        ----------
        batch_size : int
            Gradients are multiplied by ``1 / batch_size``.
        ignore_stale_grad : bool, default False
            Skip parameters whose gradient is stale instead of raising.

        Raises
        ------
        MXNetError
            When the trainer updates on the kvstore.
        """
        self._prepare()
        if self._kvstore and self._update_on_kvstore:
            raise MXNetError("update() when parameters are updated on kvstore "
                             "is not supported. Try setting `update_on_kvstore` "
                             "to False when creating trainer.")
        scale = self._scale / batch_size
        self._check_and_rescale_grad(scale)
        self._update(ignore_stale_grad)

    def _update(self, ignore_stale_grad: bool = False) -> None:
        """Apply the updaters to parameters with fresh gradients (only check them when the store updates)."""
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
        """Raise UserWarning if a copy of ``param`` got no gradient since the last update."""
        stale = next((arr for arr in data if not arr._fresh_grad), None)
        if stale is None:
            return
        raise UserWarning(
            f"Gradient of Parameter `{param.name}` on context {stale.context} has not been "
            "updated by backward since last `step`. This could mean a bug in your model that "
            "made it only use a subset of the Parameters (Blocks) for this iteration. If you "
            "are intentionally only using a subset, call step with ignore_stale_grad=True to "
            "suppress this warning and skip updating of Parameters with stale gradient")

    # -- states ---------------------------------------------------------------------------------
    def save_states(self, fname: str) -> None:
        """Write the optimizer and its per-parameter states (momentum and the like) to ``fname``.

        The per-parameter multipliers in ``optimizer.param_dict`` are not part of the file.

        Parameters
        ----------
        fname : str
            Destination path; the file is replaced atomically.

        Raises
        ------
        MXNetError
            When updates run on the kvstore and some parameters have not reached it yet.
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
        """Restore the optimizer and its per-parameter states from a file written by :meth:`save_states`.

        The loaded optimizer gets this trainer's parameters as its ``param_dict``,
        so ``lr_mult`` and ``wd_mult`` come from the current parameters, not the file.

        Parameters
        ----------
        fname : str
            Path of the states file.
        """
        self._prepare()
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            restored = self._kvstore._updater.optimizer
        else:
            first = self._updaters[0]
            for updater in self._updaters:
                updater._load_states_file(fname)
                updater.optimizer = first.optimizer  # all devices share one optimizer object
            restored = first.optimizer
        restored.param_dict = dict(enumerate(self._params))
        self._optimizer = restored
