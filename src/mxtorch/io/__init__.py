"""Data iterators: ``mx.io``."""
from .file_iters import CSVIter, MNISTIter
from .image_det_record import ImageDetRecordIter
from .image_record import (ImageRecordInt8Iter, ImageRecordIter, ImageRecordIter_v1,
                           ImageRecordUInt8Iter, ImageRecordUInt8Iter_v1)
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter",
           "MNISTIter", "CSVIter", "ImageRecordIter", "ImageRecordUInt8Iter", "ImageRecordInt8Iter",
           "ImageRecordIter_v1", "ImageRecordUInt8Iter_v1", "ImageDetRecordIter"]
