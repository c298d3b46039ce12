"""Contributed recurrent cells: VariationalDropoutCell, LSTMPCell and the convolutional cells."""
from .conv_rnn_cell import *  # noqa: F401,F403
from .rnn_cell import *  # noqa: F401,F403
