"""Data iterators of ``mx.contrib.io``: a Gluon DataLoader seen as a DataIter."""
from __future__ import annotations

from typing import Any

from .. import ndarray as nd
from ..io import DataDesc, DataIter

__all__ = ["DataLoaderIter"]


class DataLoaderIter(DataIter):
    """A :class:`~mxtorch.gluon.data.DataLoader` as a :class:`~mxtorch.io.DataIter`, so that Gluon
    data feeds ``Module.fit`` and other symbolic-API consumers.

    The batch size, ``provide_data`` and ``provide_label`` come from the loader's first batch,
    read when the iterator is made. A shorter last batch is padded up to the batch size (the
    padding is left uninitialised, as in MXNet) and ``getpad`` says by how many samples.

    Parameters
    ----------
    loader : gluon.data.DataLoader
        Loader whose batches are ``(data, label)`` pairs.
    data_name : str, default 'data'
        Name of the data in ``provide_data``.
    label_name : str, default 'softmax_label'
        Name of the label in ``provide_label``.
    dtype : str, default 'float32'
        Type the data and labels are cast to, e.g. 'float32' or 'float16'.
    """

    def __init__(self, loader: Any, data_name: str = "data", label_name: str = "softmax_label",
                 dtype: str = "float32"):
        super().__init__()
        self._loader = loader
        data, label = next(iter(loader))
        self.batch_size = data.shape[0]
        self.dtype = dtype
        self.provide_data = [DataDesc(data_name, data.shape, dtype)]
        self.provide_label = [DataDesc(label_name, label.shape, dtype)]
        self._current_batch: Any = None
        self.reset()

    def reset(self) -> None:
        self._iter = iter(self._loader)

    def iter_next(self) -> bool:
        self._current_batch = next(self._iter, None)
        return self._current_batch is not None

    def _padded(self, part: Any) -> list:
        part = part.astype(self.dtype)
        if part.shape[0] == self.batch_size:
            return [part]
        full = nd.empty((self.batch_size,) + tuple(part.shape[1:]), dtype=self.dtype)
        full[:part.shape[0]] = part
        return [full]

    def getdata(self) -> list:
        return self._padded(self._current_batch[0])

    def getlabel(self) -> list:
        return self._padded(self._current_batch[1])

    def getpad(self) -> int:
        return self.batch_size - self._current_batch[0].shape[0]

    def getindex(self) -> None:
        return None
