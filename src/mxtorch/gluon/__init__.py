"""Neural network module."""
from .parameter import *  # noqa: F401,F403
from .block import *  # noqa: F401,F403
from .trainer import *  # noqa: F401,F403
from . import contrib, data, loss, model_zoo, nn, utils  # noqa: F401
from . import rnn  # noqa: F401
