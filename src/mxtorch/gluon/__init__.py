"""Neural network module."""
from .parameter import *  # noqa: F401,F403
from .block import *  # noqa: F401,F403
from . import data, loss, nn, utils  # noqa: F401
