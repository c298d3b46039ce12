"""A module is like a FeedForward model, but we would like to make it easier to compose,
similar to Torch modules (``mx.mod``)."""
from .base_module import BaseModule
from .module import Module

__all__ = ["BaseModule", "Module"]
