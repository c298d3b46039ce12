"""Predefined and pretrained models (MXNet 1.9.1's ``gluon.model_zoo``)."""
from . import model_store, vision
from .vision import get_model

__all__ = ["model_store", "vision", "get_model"]
