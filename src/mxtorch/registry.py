"""Registry for serializable objects: initializers, optimizers, metrics... created by name."""
from __future__ import annotations

import json
import warnings
from typing import Any, Callable

__all__ = ["get_registry", "get_register_func", "get_alias_func", "get_create_func"]

_REGISTRY: dict = {}


def get_registry(base_class: type) -> dict:
    """Get a copy of the registry (lower-case name -> class) of ``base_class``."""
    return dict(_REGISTRY.setdefault(base_class, {}))


def get_register_func(base_class: type, nickname: str) -> Callable:
    """Get registrator function.

    Parameters
    ----------
    base_class : type
        base class for classes that will be registered
    nickname : str
        nickname of base_class for logging

    Returns
    -------
    a registrator function
    """
    registry = _REGISTRY.setdefault(base_class, {})

    def register(klass: type, name: str | None = None) -> type:
        """Register functions"""
        if not (isinstance(klass, type) and issubclass(klass, base_class)):
            raise TypeError(f"Can only register subclass of {base_class.__name__}, got {klass!r}")
        name = (klass.__name__ if name is None else name).lower()
        if name in registry and registry[name] is not klass:
            warnings.warn(f"New {nickname} {klass.__module__}.{klass.__name__} registered with name "
                          f"{name} is overriding existing {nickname} {registry[name].__module__}."
                          f"{registry[name].__name__}", UserWarning, stacklevel=2)
        registry[name] = klass
        return klass

    register.__doc__ = f"Register {nickname} to the {nickname} factory"
    register.__module__ = base_class.__module__  # documented beside the class it serves
    return register


def get_alias_func(base_class: type, nickname: str) -> Callable:
    """Get registrator function that allow aliases.

    Parameters
    ----------
    base_class : type
        base class for classes that will be registered
    nickname : str
        nickname of base_class for logging

    Returns
    -------
    a registrator function
    """
    register = get_register_func(base_class, nickname)

    def alias(*aliases: str) -> Callable:
        """alias registrator"""
        def reg(klass: type) -> type:
            for name in aliases:
                register(klass, name)
            return klass
        return reg
    alias.__module__ = base_class.__module__  # documented beside the class it serves
    return alias


def get_create_func(base_class: type, nickname: str) -> Callable:
    """Get creator function

    Parameters
    ----------
    base_class : type
        base class for classes that will be registered
    nickname : str
        nickname of base_class for logging

    Returns
    -------
    a creator function
    """
    registry = _REGISTRY.setdefault(base_class, {})

    def create(*args: Any, **kwargs: Any) -> Any:
        """Create instance from config"""
        if args:
            name, args = args[0], args[1:]
        else:
            name = kwargs.pop(nickname)
        if isinstance(name, base_class):
            if args or kwargs:
                raise ValueError(f"{nickname} is already an instance. Additional arguments are "
                                 "invalid")
            return name
        if isinstance(name, dict):
            return create(**name)
        if not isinstance(name, str):
            raise TypeError(f"{nickname} must be of string type, got {type(name).__name__}")
        if name.startswith("["):
            if args or kwargs:
                raise ValueError(f"a JSON {nickname} description takes no extra arguments")
            name, kwargs = json.loads(name)
            return create(name, **kwargs)
        if name.startswith("{"):
            if args or kwargs:
                raise ValueError(f"a JSON {nickname} description takes no extra arguments")
            return create(**json.loads(name))
        name = name.lower()
        if name not in registry:
            raise ValueError(f"{name} is not registered. Please register with {nickname}.register "
                             f"first (registered: {sorted(registry)})")
        return registry[name](*args, **kwargs)

    create.__doc__ = (f"Create a {nickname} instance from config.\n\nParameters\n----------\n"
                      f"{nickname} : str or {base_class.__name__} instance\n"
                      "    class name of desired instance. If is a instance,\n"
                      "    it will be returned directly.\n"
                      "**kwargs : dict\n    arguments to be passed to constructor")
    create.__module__ = base_class.__module__  # documented beside the class it serves
    return create


def register_by_class_name(table: dict, klass: type, kind: str, expected: str) -> type:
    """Enter ``klass`` in ``table`` under its lower-cased class name and return it.

    The registration that ``Optimizer.register`` and ``KVStoreBase.register`` share: the
    class is looked up later by that name (``mx.optimizer.create``, ``mx.kv.create``), and
    registering a second class of the same name replaces the first with a warning.

    Parameters
    ----------
    table : dict
        The registry, name to class.
    klass : type
        The class to register.
    kind : str
        What is registered (``'optimizer'``, ``'kvstore'``), for the warning.
    expected : str
        What ``klass`` should be (``'an Optimizer class'``), for the error.

    Raises
    ------
    TypeError
        If ``klass`` is not a class.
    """
    if not isinstance(klass, type):
        raise TypeError(f"register expects {expected}, got {klass!r}")
    name = klass.__name__.lower()
    if name in table:
        old = table[name]
        warnings.warn(f"WARNING: New {kind} {klass.__module__}.{klass.__name__} is overriding "
                      f"existing {kind} {old.__module__}.{old.__name__}")
    table[name] = klass
    return klass
