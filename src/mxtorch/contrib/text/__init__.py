"""Text utilities of ``mx.contrib.text``: counting tokens, indexing them in a vocabulary, and
loading pretrained word embeddings (GloVe and fastText text formats)."""
from . import utils, vocab, embedding

__all__ = ["utils", "vocab", "embedding"]
