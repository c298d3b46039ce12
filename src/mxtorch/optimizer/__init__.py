"""Optimizer API of MXNet: ``mx.optimizer``."""
from . import contrib, optimizer
from .adam import FTML, LAMB, Adam, Adamax, Nadam
from .adaptive import AdaDelta, AdaGrad, Ftrl, RMSProp
from .optimizer import Optimizer, Test, Updater, create, get_updater, register
from .sgd import DCASGD, LARS, NAG, SGD, SGLD, Signum, ccSGD

__all__ = ["AdaDelta", "AdaGrad", "Adam", "Adamax", "DCASGD", "FTML", "Ftrl", "NAG", "Nadam",
           "Optimizer", "RMSProp", "SGD", "SGLD", "Signum", "LAMB", "LARS", "Test", "Updater", "ccSGD",
           "create", "get_updater", "register", "optimizer", "contrib"]
