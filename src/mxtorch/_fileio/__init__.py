"""mxtorch's file handling, in one place, for the packages that read and write files.

- :mod:`.atomic`: writing a file so that a reader or a crash sees the old file or the new one, never
  half of one (``nd.save``, ``sym.save``, downloads, the apps' models and checkpoints), and finding
  the temporary files of writes that were killed.
- :mod:`.idx`: reading MNIST's IDX files, raw or gzip-compressed, within bounds.
- :mod:`.lst`: reading MXNet's image lists (``.lst``) for ``ImageIter``, ``ImageListDataset`` and
  ``im2rec``, within bounds.
- :mod:`.ndarray_file`: MXNet's binary NDArray format (``.params`` files and the records inside
  ``.states`` files): the writer and :class:`~.ndarray_file.NDArrayFileReader`.

The submodules are imported where they are used; this package imports none of them, so writing a
file atomically does not load the NDArray machinery.
"""
