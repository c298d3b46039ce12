"""Contributed Gluon parts: blocks (``gluon.contrib.nn``, used by the model zoo), the Estimator
training loop (``gluon.contrib.estimator``) and recurrent cells (``gluon.contrib.rnn``)."""
from . import estimator, nn, rnn

__all__ = ["estimator", "nn", "rnn"]
