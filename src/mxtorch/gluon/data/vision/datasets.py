"""The vision datasets: MNIST, Fashion-MNIST, CIFAR-10/100 and images from folders,
lists or RecordIO files."""
from __future__ import annotations

import hashlib
import os
import tarfile
import warnings
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from ...._fileio.idx import check_mnist_images, decompress_idx, parse_idx, read_idx
from ...._fileio.lst import read_lst
from ....base import MXNetError, data_dir, numeric_types
from ....ndarray.ndarray import NDArray, array
from ...utils import _get_repo_file_url, check_sha1, download
from .. import dataset

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageRecordDataset", "ImageFolderDataset",
           "ImageListDataset"]


class _FileSpec:
    """One file of a published dataset: its name, the SHA-1 of the published file, and the SHA-1
    of its decompressed content when known (a re-compressed copy has other bytes)."""

    def __init__(self, name: str, sha1: str, content_sha1: Optional[str] = None):
        self.name = name
        self.sha1 = sha1
        self.content_sha1 = content_sha1


class DatasetUnavailable(MXNetError):
    """A dataset's files are neither in its root folder nor downloadable.

    The message ends by saying how to point at a folder that holds them; ``option`` is how the
    caller spells that: ``root=`` for the Python API, ``--root`` for the ``mxtorch`` command.
    """

    def __init__(self, problem: str, option: str = "root="):
        super().__init__(problem)
        self.problem = problem
        self.option = option

    def __str__(self) -> str:
        return f"{self.problem}, or pass {self.option} a folder that holds them."


def _offline_error(dataset_name: str, root: str, spec: _FileSpec, problem: str,
                   download_error: BaseException) -> MXNetError:
    raw = spec.name[:-3] if spec.name.endswith(".gz") else spec.name
    return DatasetUnavailable(
        f"{dataset_name}: cannot load {spec.name}: {problem} in {root}, and downloading it "
        f"failed ({type(download_error).__name__}: {download_error}). Copy {spec.name} (or the "
        f"uncompressed {raw}) into {root}")


class _IdxDataset(dataset._DownloadedDataset):
    """MNIST-style data: IDX files (gzip-compressed or raw) of images and labels."""

    _mirrors: Sequence[str] = ()

    def _get_data(self) -> None:
        data_spec, label_spec = ((self._train_data, self._train_label) if self._train
                                 else (self._test_data, self._test_label))
        label = self._read_idx(label_spec, ndim=1)
        data = check_mnist_images(self._read_idx(data_spec, ndim=3), data_spec.name)
        if len(data) != len(label):
            raise MXNetError(f"{type(self).__name__}: {data_spec.name} holds {len(data)} images "
                             f"but {label_spec.name} holds {len(label)} labels (in {self._root})")
        # copied: the parsed array is a read-only view of the file's bytes
        self._data = NDArray(torch.from_numpy(data.reshape(len(label), 28, 28, 1).copy()))
        self._label = label.astype(np.int32)

    def _read_idx(self, spec: _FileSpec, ndim: int) -> np.ndarray:
        problem = "not found"
        for path in (os.path.join(self._root, spec.name),
                     os.path.join(self._root, spec.name[:-3])):
            if os.path.exists(path):
                content, problem = self._verified_content(path, spec, ndim)
                if content is not None:
                    return parse_idx(content, ndim)
        return read_idx(self._download(spec, problem), ndim)

    def _verified_content(self, path: str, spec: _FileSpec, ndim: int) -> tuple:
        """(decompressed bytes, None) when the file is the published one, else (None, why)."""
        with open(path, "rb") as f:
            blob = f.read()
        try:
            content = decompress_idx(blob, ndim)
        except MXNetError as err:
            return None, f"{os.path.basename(path)} is corrupt ({err})"
        if hashlib.sha1(blob).hexdigest() == spec.sha1:
            return content, None
        if spec.content_sha1 is not None:
            if hashlib.sha1(content).hexdigest() == spec.content_sha1:
                return content, None
            return None, f"{os.path.basename(path)} has unexpected content (checksum mismatch)"
        # no content checksum published for this dataset: check the IDX structure instead
        try:
            parse_idx(content, ndim)
        except MXNetError as err:
            return None, f"{os.path.basename(path)} is corrupt ({err})"
        return content, None

    def _download(self, spec: _FileSpec, problem: str) -> bytes:
        urls = [_get_repo_file_url("gluon/dataset/" + self._namespace, spec.name)]
        urls += [m + spec.name for m in self._mirrors]
        error: BaseException = MXNetError("no mirror")
        for url in urls:
            try:
                path = download(url, path=self._root, sha1_hash=spec.sha1, retries=1)
                with open(path, "rb") as fin:
                    return fin.read()
            except Exception as err:  # noqa: BLE001  (every mirror failing is reported below)
                error = err
        raise _offline_error(type(self).__name__, self._root, spec, problem, error)


class MNIST(_IdxDataset):
    """The MNIST handwritten digits (http://yann.lecun.com/exdb/mnist): 60,000 training and
    10,000 test images with their labels 0-9.

    A sample is ``(image, label)``: a uint8 NDArray of shape ``(28, 28, 1)`` and an int32
    label. The IDX files are read gzip-compressed or raw. A file is accepted when it is the
    published one or holds the published content; missing files are downloaded (and checked).

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/mnist
        Folder holding (or receiving) the four IDX files.
    train : bool, default True
        The training split when true, the test split otherwise.
    transform : function, default None
        Called as ``transform(data, label)`` on every sample; what it returns is the sample.
        For instance ``lambda data, label: (data.astype('float32') / 255, label)`` scales
        the pixels to ``[0, 1]``.
    """

    _mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/",)

    def __init__(self, root: Optional[str] = None, train: bool = True,
                 transform: Optional[Callable] = None):
        self._train = train
        self._train_data = _FileSpec("train-images-idx3-ubyte.gz",
                                     "6c95f4b05d2bf285e1bfb0e7960c31bd3b3f8a7d",
                                     "c3557c10f29b266e19b3eeee1553c85e0ef4a8ea")
        self._train_label = _FileSpec("train-labels-idx1-ubyte.gz",
                                      "2a80914081dc54586dbdf242f9805a6b8d2a15fc",
                                      "adbf52269f5d842899f287c269e2883e40b4f6e2")
        self._test_data = _FileSpec("t10k-images-idx3-ubyte.gz",
                                    "c3a25af1f52dad7f726cce8cacb138654b760d48",
                                    "65e11ec1fd220343092a5070b58418b5c2644e26")
        self._test_label = _FileSpec("t10k-labels-idx1-ubyte.gz",
                                     "763e7fa3757d93b0cdec073cef058b2004252c17",
                                     "a6d52cc628797e845885543326e9f10abb8a6f89")
        self._namespace = "mnist"
        root = root if root is not None else os.path.join(data_dir(), "datasets", "mnist")
        super().__init__(os.path.expanduser(root), transform)


class FashionMNIST(_IdxDataset):
    """Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist): Zalando's
    pictures of clothing in ten classes, laid out exactly as MNIST so either can stand in for
    the other.

    A sample is ``(image, label)``: a uint8 NDArray of shape ``(28, 28, 1)`` and an int32
    label. Files are checked and fetched as for :class:`MNIST`.

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/fashion-mnist'
        Folder holding (or receiving) the four IDX files.
    train : bool, default True
        The training split when true, the test split otherwise.
    transform : function, default None
        Called as ``transform(data, label)`` on every sample; what it returns is the sample.
        For instance ``lambda data, label: (data.astype('float32') / 255, label)`` scales
        the pixels to ``[0, 1]``.
    """

    _mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)

    def __init__(self, root: Optional[str] = None, train: bool = True,
                 transform: Optional[Callable] = None):
        self._train = train
        self._train_data = _FileSpec("train-images-idx3-ubyte.gz",
                                     "0cf37b0d40ed5169c6b3aba31069a9770ac9043d")
        self._train_label = _FileSpec("train-labels-idx1-ubyte.gz",
                                      "236021d52f1e40852b06a4c3008d8de8aef1e40b")
        self._test_data = _FileSpec("t10k-images-idx3-ubyte.gz",
                                    "626ed6a7c06dd17c0eec72fa3be1740f146a2863")
        self._test_label = _FileSpec("t10k-labels-idx1-ubyte.gz",
                                     "17f9ab60e7257a1620f4ad76bbbaf857c3920701")
        self._namespace = "fashion-mnist"
        root = root if root is not None else os.path.join(data_dir(), "datasets", "fashion-mnist")
        super().__init__(os.path.expanduser(root), transform)


class CIFAR10(dataset._DownloadedDataset):
    """CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar.html): 32x32 colour photographs in
    ten classes, 50,000 for training and 10,000 for testing.

    A sample is ``(image, label)``: a uint8 NDArray of shape ``(32, 32, 3)`` and an int32
    label. The binary batches are read from ``root``; when one is missing or differs from the
    published file, the archive is downloaded and unpacked there.

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/cifar10
        Folder holding (or receiving) the ``.bin`` batches.
    train : bool, default True
        The training split when true, the test split otherwise.
    transform : function, default None
        Called as ``transform(data, label)`` on every sample; what it returns is the sample.
        For instance ``lambda data, label: (data.astype('float32') / 255, label)`` scales
        the pixels to ``[0, 1]``.
    """

    _record = 3072 + 1

    def __init__(self, root: Optional[str] = None, train: bool = True,
                 transform: Optional[Callable] = None):
        self._train = train
        self._archive_file = ("cifar-10-binary.tar.gz", "fab780a1e191a7eda0f345501ccd62d20f7ed891")
        self._train_data = [("data_batch_1.bin", "aadd24acce27caa71bf4b10992e9e7b2d74c2540"),
                            ("data_batch_2.bin", "c0ba65cce70568cd57b4e03e9ac8d2a5367c1795"),
                            ("data_batch_3.bin", "1dd00a74ab1d17a6e7d73e185b69dbf31242f295"),
                            ("data_batch_4.bin", "aab85764eb3584312d3c7f65fd2fd016e36a258e"),
                            ("data_batch_5.bin", "26e2849e66a845b7f1e4614ae70f4889ae604628")]
        self._test_data = [("test_batch.bin", "67eb016db431130d61cd03c7ad570b013799c88c")]
        self._namespace = "cifar10"
        root = root if root is not None else os.path.join(data_dir(), "datasets", "cifar10")
        super().__init__(os.path.expanduser(root), transform)

    def _label_column(self) -> int:
        return 0

    def _read_batch(self, filename: str) -> tuple:
        with open(filename, "rb") as fin:
            raw = np.frombuffer(fin.read(), dtype=np.uint8)
        if raw.size % self._record:
            raise MXNetError(f"{type(self).__name__}: {filename} is not a CIFAR binary batch "
                             f"(its size is not a multiple of {self._record} bytes)")
        data = raw.reshape(-1, self._record)
        skip = self._record - 3072
        return (data[:, skip:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1),
                data[:, self._label_column()].astype(np.int32))

    def _get_data(self) -> None:
        files = self._train_data + self._test_data
        def usable(name: str, sha1: str) -> bool:
            path = os.path.join(self._root, name)
            return os.path.exists(path) and check_sha1(path, sha1)
        if not all(usable(name, sha1) for name, sha1 in files):
            self._fetch_archive(files)
        batches = [self._read_batch(os.path.join(self._root, name))
                   for name, _ in (self._train_data if self._train else self._test_data)]
        data = [images for images, _ in batches]
        label = [labels for _, labels in batches]
        self._data = NDArray(torch.from_numpy(np.ascontiguousarray(np.concatenate(data))))
        self._label = np.concatenate(label)

    def _fetch_archive(self, files: list) -> None:
        name, sha1 = self._archive_file
        try:
            filename = download(_get_repo_file_url("gluon/dataset/" + self._namespace, name),
                                path=self._root, sha1_hash=sha1, retries=1)
            with tarfile.open(filename) as tar:
                # the "data" filter refuses absolute paths and links out of root (Python >= 3.10.12)
                extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(self._root, **extra)
        except Exception as err:  # noqa: BLE001
            names = ", ".join(n for n, _ in files)
            raise DatasetUnavailable(
                f"{type(self).__name__}: the binary batches ({names}) are missing or differ from "
                f"the published files in {self._root}, and downloading {name} failed "
                f"({type(err).__name__}: {err}). Extract {name} (its .bin files) into "
                f"{self._root}") from None


class CIFAR100(CIFAR10):
    """CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html): 32x32 colour photographs in
    100 classes grouped into 20 superclasses.

    A sample is ``(image, label)``: a uint8 NDArray of shape ``(32, 32, 3)`` and an int32
    label, fine or coarse as chosen. Files are checked and fetched as for :class:`CIFAR10`.

    Parameters
    ----------
    root : str, default $MXNET_HOME/datasets/cifar100
        Folder holding (or receiving) ``train.bin`` and ``test.bin``.
    fine_label : bool, default False
        Label samples with their class (0-99) when true, with their superclass (0-19) otherwise.
    train : bool, default True
        The training split when true, the test split otherwise.
    transform : function, default None
        Called as ``transform(data, label)`` on every sample; what it returns is the sample.
        For instance ``lambda data, label: (data.astype('float32') / 255, label)`` scales
        the pixels to ``[0, 1]``.
    """

    _record = 3072 + 2

    def __init__(self, root: Optional[str] = None, fine_label: bool = False, train: bool = True,
                 transform: Optional[Callable] = None):
        self._train = train
        self._archive_file = ("cifar-100-binary.tar.gz", "a0bb982c76b83111308126cc779a992fa506b90b")
        self._train_data = [("train.bin", "e207cd2e05b73b1393c74c7f5e7bea451d63e08e")]
        self._test_data = [("test.bin", "8fb6623e830365ff53cf14adec797474f5478006")]
        self._fine_label = fine_label
        self._namespace = "cifar100"
        root = root if root is not None else os.path.join(data_dir(), "datasets", "cifar100")
        dataset._DownloadedDataset.__init__(self, os.path.expanduser(root), transform)

    def _label_column(self) -> int:
        return int(self._fine_label)


class ImageRecordDataset(dataset.RecordFileDataset):
    """A dataset over a RecordIO file of images (as ``im2rec`` packs them): item ``i`` is
    ``(image, label)``.

    Each image is a uint8 NDArray of shape (height, width, channels); the label is the header's
    float, or a float32 NumPy array for records packed with several labels.

    Parameters
    ----------
    filename : str
        Path to the ``.rec`` file (its ``.idx`` index beside it).
    flag : {0, 1}, default 1
        1 decodes every image to three-channel RGB, 0 to one-channel greyscale.
    transform : callable, default None
        Called as ``transform(image, label)``; what it returns is the item, for instance
        ``lambda data, label: (data.astype('float32') / 255, label)``.
    """

    def __init__(self, filename: str, flag: int = 1, transform: Optional[Callable] = None):
        super().__init__(filename)
        self._flag = flag
        self._transform = transform

    def __getitem__(self, idx: int) -> Any:
        from .... import image, recordio

        header, img = recordio.unpack(super().__getitem__(idx))
        data = image.imdecode(img, self._flag)
        if self._transform is not None:
            return self._transform(data, header.label)
        return data, header.label


class ImageFolderDataset(dataset.Dataset):
    """Images sorted into one sub-folder per class, such as ``root/cat/1.jpg`` and
    ``root/dog/7.png``.

    The class folders, in sorted order, give the labels 0, 1, ...; files ending in ``.jpg``,
    ``.jpeg`` or ``.png`` (any case) are the samples, and anything else is skipped with a
    warning. A sample is ``(image, label)`` with the image decoded by :func:`mxtorch.image.imread`
    as a uint8 ``(H, W, C)`` NDArray.

    Parameters
    ----------
    root : str
        The folder holding the class folders.
    flag : {0, 1}, default 1
        1 decodes images to three-channel colour, 0 to one-channel greyscale.
    transform : callable, default None
        Called as ``transform(data, label)`` on every sample; what it returns is the sample.
        For instance ``lambda data, label: (data.astype('float32') / 255, label)`` scales
        the pixels to ``[0, 1]``.

    Attributes
    ----------
    synsets : list
        Class names (the folder names); label ``i`` is ``synsets[i]``.
    items : list of tuples
        Every sample as ``(filename, label)``.
    """

    def __init__(self, root: str, flag: int = 1, transform: Optional[Callable] = None):
        self._root = os.path.expanduser(root)
        self._flag = flag
        self._transform = transform
        self._exts = [".jpg", ".jpeg", ".png"]
        self._list_images(self._root)

    def _list_images(self, root: str) -> None:
        self.synsets: list = []
        self.items: list = []
        if not os.path.isdir(root):
            raise MXNetError(f"ImageFolderDataset: root {root!r} is not a directory; expected a "
                             "folder with one sub-folder of images per class")
        for folder in sorted(os.listdir(root)):
            path = os.path.join(root, folder)
            if not os.path.isdir(path):
                warnings.warn("Ignoring %s, which is not a directory." % path, stacklevel=3)
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for filename in sorted(os.listdir(path)):
                filename = os.path.join(path, filename)
                ext = os.path.splitext(filename)[1]
                if ext.lower() not in self._exts:
                    warnings.warn("Ignoring %s of type %s. Only support %s" % (
                        filename, ext, ", ".join(self._exts)))
                    continue
                self.items.append((filename, label))

    def __getitem__(self, idx: int) -> Any:
        from .... import image
        filename, label = self.items[idx]
        img = image.imread(filename, self._flag)
        if self._transform is not None:
            return self._transform(img, label)
        return img, label

    def __len__(self) -> int:
        return len(self.items)


class ImageListDataset(dataset.Dataset):
    """Images named by a list, each with its label (MXNet 2.x's class; 1.9.1 reads such
    lists with ``mx.image.ImageIter``).

    The list is either an ``.lst`` file, whose tab-separated lines hold an index, one or more
    labels and a path relative to ``root`` (``0\t1\tdog/7.png``), or a Python list of
    ``[label, path]`` entries where the label may be a number or a list of numbers. A sample is
    ``(image, label)``: the decoded uint8 ``(H, W, C)`` image and the label as a float32
    NDArray.

    Parameters
    ----------
    root : str
        Folder the image paths (and a list file's name) are relative to.
    imglist : str or list
        The ``.lst`` file's name or the list of entries.
    flag : {0, 1}, default 1
        1 decodes images to three-channel colour, 0 to one-channel greyscale.

    Raises
    ------
    ValueError
        When ``imglist`` is neither, or an entry does not end with a path.

    Attributes
    ----------
    items : list of tuples
        Every sample as ``(label, filename)``, the label a float32 NDArray.
    """

    def __init__(self, root: str = ".", imglist: Any = None, flag: int = 1):
        self._root = os.path.expanduser(root)
        self._flag = flag
        if isinstance(imglist, str):
            self.items = self._read_list_file(os.path.join(self._root, imglist))
        elif isinstance(imglist, (list, tuple)):
            self.items = [self._list_entry(entry) for entry in imglist]
        else:
            raise ValueError("imglist must be the path of an image list (.lst) file or a list of "
                             f"[label, path] entries, got {type(imglist).__name__}")

    @staticmethod
    def _read_list_file(fname: str) -> list:
        return [(array(labels), relpath) for _, labels, relpath in read_lst(fname)]

    @staticmethod
    def _list_entry(entry: Any) -> tuple:
        if not isinstance(entry[-1], str):
            raise ValueError(f"each imglist entry must end with the image path, got {entry!r}")
        if len(entry) > 2:
            label = array(list(entry[:-1]))
        elif isinstance(entry[0], numeric_types):
            label = array([entry[0]])
        else:
            label = array(entry[0])
        return label, entry[-1]

    def __getitem__(self, idx: int) -> Any:
        from .... import image
        label, path = self.items[idx]
        return image.imread(os.path.join(self._root, path), self._flag), label

    def __len__(self) -> int:
        return len(self.items)
