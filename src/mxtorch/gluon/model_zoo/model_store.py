"""Where the model zoo's pretrained weights come from: MXNet's published parameter files,
downloaded on first use, checked against their SHA-1 and kept in a local cache."""
from __future__ import annotations

import http.client
import logging
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from typing import Optional

from ..._fileio.atomic import commit
from ...base import MXNetError, data_dir
from ..utils import (_get_repo_url, _max_download_bytes, _sigterm_removes_partial_files,
                     check_sha1, download)

__all__ = ["get_model_file", "purge", "short_hash"]

# SHA-1 of each file MXNet 1.9.1 publishes (facts: the files are MXNet's)
_model_sha1 = {
    'alexnet': '44335d1f0046b328243b32a26a4fbd62d9057b45',
    'densenet121': 'f27dbf2dbd5ce9a80b102d89c7483342cd33cb31',
    'densenet161': 'b6c8a95717e3e761bd88d145f4d0a214aaa515dc',
    'densenet169': '2603f878403c6aa5a71a124c4a3307143d6820e9',
    'densenet201': '1cdbc116bc3a1b65832b18cf53e1cb8e7da017eb',
    'inceptionv3': 'ed47ec45a937b656fcc94dabde85495bbef5ba1f',
    'mobilenet0.25': '9f83e440996887baf91a6aff1cccc1c903a64274',
    'mobilenet0.5': '8e9d539cc66aa5efa71c4b6af983b936ab8701c3',
    'mobilenet0.75': '529b2c7f4934e6cb851155b22c96c9ab0a7c4dc2',
    'mobilenet1.0': '6b8c5106c730e8750bcd82ceb75220a3351157cd',
    'mobilenetv2_1.0': '36da4ff1867abccd32b29592d79fc753bca5a215',
    'mobilenetv2_0.75': 'e2be7b72a79fe4a750d1dd415afedf01c3ea818d',
    'mobilenetv2_0.5': 'aabd26cd335379fcb72ae6c8fac45a70eab11785',
    'mobilenetv2_0.25': 'ae8f9392789b04822cbb1d98c27283fc5f8aa0a7',
    'resnet18_v1': 'a0666292f0a30ff61f857b0b66efc0228eb6a54b',
    'resnet34_v1': '48216ba99a8b1005d75c0f3a0c422301a0473233',
    'resnet50_v1': '0aee57f96768c0a2d5b23a6ec91eb08dfb0a45ce',
    'resnet101_v1': 'd988c13d6159779e907140a638c56f229634cb02',
    'resnet152_v1': '671c637a14387ab9e2654eafd0d493d86b1c8579',
    'resnet18_v2': 'a81db45fd7b7a2d12ab97cd88ef0a5ac48b8f657',
    'resnet34_v2': '9d6b80bbc35169de6b6edecffdd6047c56fdd322',
    'resnet50_v2': 'ecdde35339c1aadbec4f547857078e734a76fb49',
    'resnet101_v2': '18e93e4f48947e002547f50eabbcc9c83e516aa6',
    'resnet152_v2': 'f2695542de38cf7e71ed58f02893d82bb409415e',
    'squeezenet1.0': '264ba4970a0cc87a4f15c96e25246a1307caf523',
    'squeezenet1.1': '33ba0f93753c83d86e1eb397f38a667eaf2e9376',
    'vgg11': 'dd221b160977f36a53f464cb54648d227c707a05',
    'vgg11_bn': 'ee79a8098a91fbe05b7a973fed2017a6117723a8',
    'vgg13': '6bc5de58a05a5e2e7f493e2d75a580d83efde38c',
    'vgg13_bn': '7d97a06c3c7a1aecc88b6e7385c2b373a249e95e',
    'vgg16': 'e660d4569ccb679ec68f1fd3cce07a387252a90a',
    'vgg16_bn': '7f01cf050d357127a73826045c245041b0df7363',
    'vgg19': 'ad2f660d101905472b83590b59708b71ea22b2e5',
    'vgg19_bn': 'f360b758e856f1074a85abd5fd873ed1d98297c3',
}

_url_format = "{repo_url}gluon/models/{file_name}.zip"


def short_hash(name: str) -> str:
    """The first 8 hex digits of the SHA-1 of ``name``'s published parameter file."""
    if name not in _model_sha1:
        raise ValueError(f"Pretrained model for {name} is not available.")
    return _model_sha1[name][:8]


def _default_root() -> str:
    return os.path.join(data_dir(), "models")


_MAX_COMPRESSION_RATIO = 100  # trained float32 weights deflate by a few percent, not a hundredfold
_MAX_CENTRAL_DIRECTORY = 1 << 16  # one member's entry is well under 1 KiB
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_STORE_FILE = re.compile(r"(?P<file_name>.+-[0-9a-f]{8})"
                         r"(?:\.params|\.zip(?:\.?[0-9a-f-]{36}(?:\.[0-9a-f-]{36})?)?|"
                         r"(?P<extract>\.extract\.[A-Za-z0-9_]+))")


def _usable_cached_file(file_path: str, sha1_hash: str, cap: int) -> bool:
    """Whether ``file_path`` is a regular file of at most ``cap`` bytes with the expected SHA-1.
    Anything else (a device, a symlink to one, a file larger than any download) is not read."""
    return os.path.isfile(file_path) and os.path.getsize(file_path) <= cap and \
        check_sha1(file_path, sha1_hash)


def _extract_params(archive: str, member_name: str, target: str, cap: tuple) -> None:
    """Copy ``member_name`` out of the zip ``archive`` into ``target``, after checking the member
    list and the sizes it declares; the copy reads no more than the declared size."""
    with open(archive, "rb") as f:
        # zipfile reads the whole central directory into memory: bound it before opening
        end_record = zipfile._EndRecData(f)  # the end-of-central-directory record, zip64 aware
    if end_record is None:
        raise zipfile.BadZipFile("File is not a zip file")
    if end_record[zipfile._ECD_SIZE] > _MAX_CENTRAL_DIRECTORY:
        raise MXNetError(f"the archive's member list takes {end_record[zipfile._ECD_SIZE]} bytes "
                         f"(more than {_MAX_CENTRAL_DIRECTORY}); it should hold only {member_name}")
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        others = [i.filename for i in infos if i.filename != member_name]
        if others or not infos:
            raise MXNetError(f"the archive should hold only {member_name}, but it holds "
                             f"{[i.filename for i in infos][:10]!r}")
        info = infos[0]
        if info.flag_bits & 0x1 or info.compress_type not in _COMPRESSIONS:
            raise MXNetError(f"{member_name} in the archive is encrypted or packed with an unknown "
                             f"method ({info.compress_type}); expected a plain or deflated member")
        if info.file_size > cap[0]:
            raise MXNetError(f"{member_name} in the archive declares {info.file_size} bytes, more "
                             f"than the limit of {cap[0]} bytes ({cap[1]})")
        if info.file_size > _MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise MXNetError(f"{member_name} in the archive declares {info.file_size} bytes "
                             f"packed into {info.compress_size}: a compression ratio over "
                             f"{_MAX_COMPRESSION_RATIO} is not a parameter file's")
        written = 0
        with zf.open(info) as src, open(target, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                written += len(chunk)
                if written > info.file_size:
                    raise MXNetError(f"{member_name} unpacks to more than the {info.file_size} "
                                     "bytes it declares")
                dst.write(chunk)


def get_model_file(name: str, root: Optional[str] = None) -> str:
    r"""Path of ``name``'s pretrained parameter file, downloading it first when needed.

    A cached file is used when its SHA-1 is the published one; otherwise (missing, or different
    content) the archive is fetched again and ``root`` is created if need be. It comes from
    ``$MXNET_GLUON_REPO`` (default: Apache's bucket) ``gluon/models/{name}-{short_hash}.zip``;
    the unpacked file is used only when its SHA-1 matches.

    The archive may hold only ``{name}-{short_hash}.params``; it and the file unpacked from it
    are limited to ``$MXTORCH_DOWNLOAD_MAX_BYTES`` (default 1 GiB, about twice the zoo's largest
    file) and the whole download to ``$MXTORCH_DOWNLOAD_TOTAL_TIMEOUT`` seconds (default 3600);
    see :func:`mxtorch.gluon.utils.download`. Temporary files are removed whatever happens,
    SIGTERM in the main thread included.

    Parameters
    ----------
    name : str
        The zoo's name for the network, such as ``'resnet18_v1'``.
    root : str, default $MXNET_HOME/models
        Folder of the cache.

    Returns
    -------
    file_path
        Where the verified ``.params`` file lies.

    Raises
    ------
    ValueError
        When the zoo publishes no weights under ``name``.
    MXNetError
        When the file cannot be fetched, unpacked within the limits, or verified.
    """
    file_name = f"{name}-{short_hash(name)}"
    root = os.path.expanduser(root or _default_root())
    file_path = os.path.join(root, file_name + ".params")
    sha1_hash = _model_sha1[name]
    cap = _max_download_bytes()
    if os.path.lexists(file_path):
        if _usable_cached_file(file_path, sha1_hash, cap[0]):
            return file_path
        logging.warning("Mismatch in the content of model file %s detected. Downloading again.",
                        file_path)
    else:
        logging.info("Model file not found. Downloading to %s.", file_path)

    os.makedirs(root, exist_ok=True)
    url = _url_format.format(repo_url=_get_repo_url(), file_name=file_name)
    with _sigterm_removes_partial_files():
        temp_zip = os.path.join(root, f"{file_name}.zip.{uuid.uuid4()}")
        temp_dir = tempfile.mkdtemp(prefix=f"{file_name}.extract.", dir=root)
        try:
            extracted = os.path.join(temp_dir, file_name + ".params")
            try:
                download(url, path=temp_zip, overwrite=True, retries=2,
                         label=f"{file_name}.params (model {name!r})")
                _extract_params(temp_zip, file_name + ".params", extracted, cap)
            except (OSError, http.client.HTTPException, zipfile.BadZipFile, MXNetError) as err:
                raise MXNetError(
                    f"could not obtain {file_name}.params (model {name!r}) from {url}: {err}. "
                    f"Without network access, place the file with SHA-1 {sha1_hash} at "
                    f"{file_path} (or set MXNET_GLUON_REPO to a mirror)") from None
            if not check_sha1(extracted, sha1_hash):
                raise MXNetError(
                    f"downloaded {file_name}.params from {url} has a different SHA-1 than the "
                    f"expected {sha1_hash}; the file was discarded. Please try again or place a "
                    f"verified copy at {file_path}")
            if os.path.islink(file_path):
                os.remove(file_path)  # replace the link itself, never what it points to
            commit(extracted, file_path)
        finally:
            shutil.rmtree(temp_dir, ignore_errors=True)
            if os.path.exists(temp_zip):
                os.remove(temp_zip)
    return file_path


def purge(root: Optional[str] = None) -> None:
    r"""Empty the cache of pretrained parameter files.

    Only what the store writes is removed: ``{name}-{short_hash}.params`` for the models it
    knows, and the temporary archives and folders of interrupted downloads. Other files in
    ``root`` are left alone.

    Parameters
    ----------
    root : str, default '$MXNET_HOME/models'
        Folder of the cache.
    """
    root = os.path.expanduser(root or _default_root())
    store_names = {f"{name}-{sha1[:8]}" for name, sha1 in _model_sha1.items()}
    for entry in os.listdir(root):
        match = _STORE_FILE.fullmatch(entry)
        if match is None or match["file_name"] not in store_names:
            continue
        path = os.path.join(root, entry)
        if match["extract"]:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
        elif os.path.isfile(path) or os.path.islink(path):
            os.remove(path)


def _load_pretrained(net, name: str, ctx, root: Optional[str]):
    """Load the zoo's published weights for ``name`` into ``net`` on ``ctx``; returns ``net``.
    The one place the zoo's constructors turn ``pretrained=True`` into loaded parameters."""
    net.load_parameters(get_model_file(name, root=root), ctx=ctx)
    return net
