"""Contributed recurrent cells: VariationalDropoutCell and LSTMPCell."""
from .rnn_cell import *  # noqa: F401,F403
