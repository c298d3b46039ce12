"""Data iterators: ``mx.io``."""
from .file_iters import CSVIter, MNISTIter
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter",
           "MNISTIter", "CSVIter"]
