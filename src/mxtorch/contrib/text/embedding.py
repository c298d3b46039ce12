"""Pretrained token embeddings for ``mx.contrib.text``: GloVe, fastText and files of your own.

A token embedding is a :class:`~mxtorch.contrib.text.vocab.Vocabulary` whose every index has a
vector (``idx_to_vec``). The vectors come from a text file with one token per line followed by
its values (``token v1 v2 ... vk``, the GloVe and fastText ``.vec`` format). Reading such a file
is bounded: a line longer than :data:`MAX_LINE_CHARS` or a vector longer than
:data:`MAX_VEC_LEN` is refused, as is any value that is not a number, with an
:class:`~mxtorch.base.MXNetError` naming the file and line.

The named pretrained files (:func:`get_pretrained_file_names`) are fetched once, by
:func:`mxtorch.gluon.utils.download` with their SHA-1 sums, into
``$MXNET_HOME/embeddings/<glove|fasttext>/``; only the one wanted file is taken out of the
downloaded archive.
"""
from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tarfile
import warnings
import zipfile
from typing import Any, Callable, Optional, Union

import numpy as np

from ... import ndarray as nd
from ... import registry
from ...base import MXNetAssertionError, MXNetError, MXNetValueError, data_dir
from . import vocab
from .vocab import UNKNOWN_IDX

__all__ = ["register", "create", "get_pretrained_file_names", "TokenEmbedding", "GloVe",
           "FastText", "CustomEmbedding", "CompositeEmbedding"]

#: The longest line (in characters) an embedding file may hold: 300 float values take ~4 KB.
MAX_LINE_CHARS = 1 << 20
#: The longest vector an embedding file may hold.
MAX_VEC_LEN = 1 << 16

_APACHE_REPO_URL = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"

with open(os.path.join(os.path.dirname(__file__), "pretrained_files.json"), encoding="utf8") as _f:
    # names and SHA-1 sums of MXNet 1.9.1's pretrained files (tests/conformance/gen_contrib_text.py)
    _PRETRAINED = json.load(_f)


class _MXNetKeyError(MXNetError, KeyError):
    """A refusal where MXNet raised ``KeyError``: programs that catch either keep working."""

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0]) if self.args else ""


class TokenEmbedding(vocab.Vocabulary):
    """Base class of token embeddings (MXNet calls it ``_TokenEmbedding``).

    Index 0 is the unknown token: its vector is the file's own vector for ``unknown_token`` when
    the file has one, else ``init_unknown_vec(shape=vec_len)``. A token that appears again later
    in a file keeps its first vector (a warning names the line); a line with a single value after
    the token is taken for a header and skipped (with a warning).

    Without a vocabulary, the embedding indexes every token of its file, in file order. With one,
    it indexes the vocabulary's tokens and gives each its vector from the file (the unknown
    token's vector for tokens the file lacks).

    Attributes
    ----------
    vec_len : int
        Length of each vector.
    idx_to_vec : NDArray
        ``(len(self), vec_len)`` float32 array, row ``i`` the vector of token ``idx_to_token[i]``.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._vec_len: Optional[int] = None
        self._idx_to_vec: Optional[nd.NDArray] = None

    # -- pretrained files ----------------------------------------------------------------------
    @classmethod
    def _get_download_file_name(cls, pretrained_file_name: str) -> str:
        return pretrained_file_name

    @classmethod
    def _get_pretrained_file_url(cls, pretrained_file_name: str) -> str:
        repo_url = os.environ.get("MXNET_GLUON_REPO", _APACHE_REPO_URL)
        if not repo_url.endswith("/"):
            repo_url += "/"
        return (f"{repo_url}gluon/embeddings/{cls.__name__.lower()}/"
                f"{cls._get_download_file_name(pretrained_file_name)}")

    @classmethod
    def _get_pretrained_file(cls, embedding_root: str, pretrained_file_name: str) -> str:
        """The local path of a named pretrained file, downloading and unpacking it if missing."""
        from ...gluon.utils import check_sha1, download

        embedding_dir = os.path.join(os.path.expanduser(embedding_root), cls.__name__.lower())
        path = os.path.join(embedding_dir, pretrained_file_name)
        file_sha1 = cls.pretrained_file_name_sha1[pretrained_file_name]
        if os.path.exists(path) and check_sha1(path, file_sha1):
            return path
        url = cls._get_pretrained_file_url(pretrained_file_name)
        archive = os.path.join(embedding_dir, os.path.basename(url))
        archive_sha1 = getattr(cls, "pretrained_archive_name_sha1", {}).get(
            os.path.basename(url), file_sha1)
        os.makedirs(embedding_dir, exist_ok=True)
        download(url, archive, sha1_hash=archive_sha1)
        if archive != path:
            _extract_member(archive, pretrained_file_name, path)
        if not check_sha1(path, file_sha1):
            raise MXNetError(f"{path} taken from {archive} does not have the SHA-1 sum "
                             f"{file_sha1} MXNet lists for {pretrained_file_name}")
        return path

    @classmethod
    def _check_pretrained_file_names(cls, pretrained_file_name: str) -> None:
        if pretrained_file_name not in cls.pretrained_file_name_sha1:
            name = cls.__name__.lower()
            raise _MXNetKeyError(
                f"Cannot find pretrained file {pretrained_file_name} for token embedding {name}. "
                f"Valid pretrained files for embedding {name}: "
                + ", ".join(cls.pretrained_file_name_sha1))

    # -- loading -------------------------------------------------------------------------------
    def _load_embedding(self, pretrained_file_path: str, elem_delim: str,
                        init_unknown_vec: Callable, encoding: str = "utf8") -> None:
        """Index the tokens of an embedding file and set ``idx_to_vec`` from its vectors."""
        path = os.path.expanduser(pretrained_file_path)
        if not os.path.isfile(path):
            raise MXNetValueError("`pretrained_file_path` must be a valid path to the pre-trained "
                                  f"token embedding file, got {pretrained_file_path!r}.")
        logging.info("Loading pre-trained token embedding vectors from %s", path)
        rows: list = []
        seen: set = set()
        unknown_vec = None
        with open(path, "r", encoding=encoding) as f:
            for line_num, line in enumerate(iter(lambda: f.readline(MAX_LINE_CHARS + 1), ""), 1):
                token, values = self._parse_line(line, line_num, path, elem_delim)
                if token == self._unknown_token and unknown_vec is None:
                    unknown_vec = values
                    seen.add(token)
                elif token in seen:
                    warnings.warn(f"At line {line_num} of the pre-trained token embedding file: "
                                  f"the vector of token {token} is already loaded; this duplicate "
                                  "is skipped.")
                elif len(values) == 1:
                    warnings.warn(f"At line {line_num} of the pre-trained text embedding file: "
                                  f"token {token} with the 1-dimensional vector {values.tolist()} "
                                  "is likely a header and is skipped.")
                else:
                    if rows and len(values) != len(rows[0]):
                        raise MXNetError(
                            f"At line {line_num} of {path}: the dimension of token {token} is "
                            f"{len(values)} but the dimension of previous tokens is "
                            f"{len(rows[0])}. Dimensions of all the tokens must be the same.")
                    rows.append(values)
                    self._idx_to_token.append(token)
                    self._token_to_idx[token] = len(self._idx_to_token) - 1
                    seen.add(token)
        if not rows:
            raise MXNetError(f"{path} holds no token embedding vectors (lines of a token followed "
                             f"by its values, separated by {elem_delim!r})")
        self._vec_len = len(rows[0])
        table = np.zeros((len(rows) + 1, self._vec_len), dtype=np.float32)
        table[1:] = np.stack(rows)
        if unknown_vec is not None:
            if len(unknown_vec) != self._vec_len:
                raise MXNetError(f"{path}: the vector of the unknown token {self._unknown_token} "
                                 f"has {len(unknown_vec)} values, the others {self._vec_len}")
            table[UNKNOWN_IDX] = unknown_vec
        self._idx_to_vec = nd.array(table)
        if unknown_vec is None:
            self._idx_to_vec[UNKNOWN_IDX] = init_unknown_vec(shape=self._vec_len)

    @staticmethod
    def _parse_line(line: str, line_num: int, path: str, elem_delim: str) -> tuple:
        """``(token, float32 values)`` of one line, or a clear error for a malformed one."""
        if len(line) > MAX_LINE_CHARS:
            raise MXNetError(f"At line {line_num} of {path}: the line is longer than "
                             f"{MAX_LINE_CHARS} characters; this is not a token embedding file")
        elems = line.rstrip().split(elem_delim)
        if len(elems) < 2:
            raise MXNetError(f"At line {line_num} of the pre-trained text embedding file {path}: "
                             "the line holds no vector; expected a token followed by its values "
                             f"separated by {elem_delim!r}")
        if len(elems) - 1 > MAX_VEC_LEN:
            raise MXNetError(f"At line {line_num} of {path}: {len(elems) - 1} values, more than "
                             f"the {MAX_VEC_LEN} mxtorch accepts in one vector")
        try:
            values = np.array([float(v) for v in elems[1:]], dtype=np.float32)
        except ValueError as err:
            raise MXNetError(f"At line {line_num} of {path}: a value of token {elems[0][:50]!r} "
                             f"is not a number ({err})") from None
        return elems[0], values

    def _index_tokens_from_vocabulary(self, vocabulary: vocab.Vocabulary) -> None:
        self._token_to_idx = dict(vocabulary.token_to_idx)
        self._idx_to_token = list(vocabulary.idx_to_token)
        self._unknown_token = vocabulary.unknown_token
        self._reserved_tokens = (None if vocabulary.reserved_tokens is None
                                 else list(vocabulary.reserved_tokens))

    def _set_idx_to_vec_by_embeddings(self, token_embeddings: list, vocab_len: int,
                                      vocab_idx_to_token: list) -> None:
        """Give each vocabulary token the concatenation of its vectors in ``token_embeddings``
        (each embedding's own unknown vector for index 0 and for tokens it lacks)."""
        parts = []
        for embed in token_embeddings:
            rows = [embed.idx_to_vec[UNKNOWN_IDX].reshape((1, -1))]
            if vocab_len > 1:
                rows.append(embed.get_vecs_by_tokens(list(vocab_idx_to_token[1:])))
            parts.append(nd.concat(*rows, dim=0))
        self._idx_to_vec = nd.concat(*parts, dim=1)
        self._vec_len = sum(embed.vec_len for embed in token_embeddings)

    def _build_embedding_for_vocabulary(self, vocabulary: Optional[vocab.Vocabulary]) -> None:
        if vocabulary is None:
            return
        if not isinstance(vocabulary, vocab.Vocabulary):
            raise MXNetAssertionError("The argument `vocabulary` must be an instance of "
                                      "mxnet.contrib.text.vocab.Vocabulary.")
        self._set_idx_to_vec_by_embeddings([self], len(vocabulary), vocabulary.idx_to_token)
        self._index_tokens_from_vocabulary(vocabulary)

    # -- public API ----------------------------------------------------------------------------
    @property
    def vec_len(self) -> Optional[int]:
        """int: the length of each vector."""
        return self._vec_len

    @property
    def idx_to_vec(self) -> Optional[nd.NDArray]:
        """NDArray: row ``i`` is the vector of the token with index ``i``."""
        return self._idx_to_vec

    def get_vecs_by_tokens(self, tokens: Union[str, list],
                           lower_case_backup: bool = False) -> nd.NDArray:
        """The vectors of a token or of a list of tokens.

        Parameters
        ----------
        tokens : str or list of str
        lower_case_backup : bool, default False
            Whether a token not found as written is looked up again in lower case.

        Returns
        -------
        NDArray
            Shape ``(vec_len,)`` for one token, ``(len(tokens), vec_len)`` for a list; the unknown
            token's vector for tokens not indexed.
        """
        single = not isinstance(tokens, list)
        tokens = [tokens] if single else tokens
        if lower_case_backup:
            indices = [self._token_to_idx[t] if t in self._token_to_idx
                       else self._token_to_idx.get(t.lower(), UNKNOWN_IDX) for t in tokens]
        else:
            indices = [self._token_to_idx.get(t, UNKNOWN_IDX) for t in tokens]
        vecs = nd.Embedding(nd.array(indices), self._idx_to_vec, input_dim=self._idx_to_vec.shape[0],
                            output_dim=self._idx_to_vec.shape[1])
        return vecs[0] if single else vecs

    def update_token_vectors(self, tokens: Union[str, list], new_vectors: nd.NDArray) -> None:
        """Replace the vectors of indexed tokens.

        Parameters
        ----------
        tokens : str or list of str
            Indexed tokens (to change the unknown token's vector, name ``unknown_token``).
        new_vectors : NDArray
            ``(len(tokens), vec_len)``; 1-D ``(vec_len,)`` is accepted for a single token.
        """
        if self._idx_to_vec is None:
            raise MXNetAssertionError("The property `idx_to_vec` has not been properly set.")
        if not isinstance(new_vectors, nd.NDArray):
            raise MXNetAssertionError("`new_vectors` must be an NDArray, got "
                                      f"{type(new_vectors).__name__}")
        if not isinstance(tokens, list):
            tokens = [tokens]
        if len(tokens) == 1 and new_vectors.ndim == 1:
            new_vectors = new_vectors.expand_dims(axis=0)
        if new_vectors.shape != (len(tokens), self._vec_len):
            raise MXNetAssertionError(
                f"`new_vectors` has shape {new_vectors.shape}; it must be (number of tokens, "
                f"vec_len) = {(len(tokens), self._vec_len)}")
        indices = []
        for token in tokens:
            if token not in self._token_to_idx:
                raise MXNetValueError(
                    f"Token {token} is unknown. To update the embedding vector for an unknown "
                    "token, please specify it explicitly as the `unknown_token` "
                    f"{self._idx_to_token[UNKNOWN_IDX]} in `tokens`. This is to avoid unintended "
                    "updates.")
            indices.append(self._token_to_idx[token])
        for row, idx in enumerate(indices):
            self._idx_to_vec[idx] = new_vectors[row]


_TokenEmbedding = TokenEmbedding  # MXNet's name, which its documentation tells users to subclass


def _extract_member(archive: str, member: str, dest: str) -> None:
    """Copy the single file ``member`` (found by its base name) out of a zip or tar.gz archive to
    ``dest``, atomically; nothing else of the archive is written."""
    from ..._fileio.atomic import atomic_output

    def copy(src: io.BufferedIOBase) -> None:
        with atomic_output(dest) as tmp, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)

    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if os.path.basename(n) == member]
            if names:
                with zf.open(names[0]) as src:
                    copy(src)
                return
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive, "r:*") as tf:
            for info in tf:
                if info.isfile() and os.path.basename(info.name) == member:
                    copy(tf.extractfile(info))
                    return
    raise MXNetError(f"{archive} does not contain {member}")


def register(embedding_cls: type) -> type:
    """Register a token embedding class (a subclass of :class:`TokenEmbedding`) so that
    :func:`create` makes it by its lower-case class name.

    Examples
    --------
    >>> @mx.contrib.text.embedding.register
    ... class MyEmbed(mx.contrib.text.embedding.TokenEmbedding):
    ...     pretrained_file_name_sha1 = {}
    """
    return registry.get_register_func(TokenEmbedding, "token embedding")(embedding_cls)


def create(embedding_name: str, **kwargs: Any) -> TokenEmbedding:
    """Make a registered token embedding by name ('glove', 'fasttext', or one registered with
    :func:`register`); ``kwargs`` go to its constructor (e.g. ``pretrained_file_name``)."""
    return registry.get_create_func(TokenEmbedding, "token embedding")(embedding_name, **kwargs)


def get_pretrained_file_names(embedding_name: Optional[str] = None) -> Union[dict, list]:
    """The pretrained files a registered embedding can load.

    Parameters
    ----------
    embedding_name : str, optional
        A registered embedding name, e.g. 'glove'.

    Returns
    -------
    list or dict
        The embedding's file names; without a name, a dict of every registered embedding's.
    """
    known = registry.get_registry(TokenEmbedding)
    if embedding_name is None:
        return {name: list(cls.pretrained_file_name_sha1) for name, cls in known.items()}
    if embedding_name not in known:
        raise _MXNetKeyError(f"Cannot find `embedding_name` {embedding_name}. Use "
                             "`get_pretrained_file_names(embedding_name=None).keys()` to get all "
                             "the valid embedding names.")
    return list(known[embedding_name].pretrained_file_name_sha1)


_EMBEDDING_ROOT = os.path.join(data_dir(), "embeddings")


@register
class GloVe(TokenEmbedding):
    """GloVe word vectors (https://nlp.stanford.edu/projects/glove/), downloaded on first use.

    Parameters
    ----------
    pretrained_file_name : str, default 'glove.840B.300d.txt'
        One of ``get_pretrained_file_names('glove')``.
    embedding_root : str, default $MXNET_HOME/embeddings
        Where the files are kept.
    init_unknown_vec : callable, default nd.zeros
        Makes the unknown token's vector, called as ``init_unknown_vec(shape=vec_len)``.
    vocabulary : Vocabulary, optional
        Tokens to index; all tokens of the file when None.
    """

    pretrained_file_name_sha1 = _PRETRAINED["glove"]["pretrained_file_name_sha1"]
    pretrained_archive_name_sha1 = _PRETRAINED["glove"]["pretrained_archive_name_sha1"]

    @classmethod
    def _get_download_file_name(cls, pretrained_file_name: str) -> str:
        # glove.6B.50d.txt comes in glove.6B.zip: the archive shares the corpus part of the name
        by_corpus = {a.split(".")[1]: a for a in cls.pretrained_archive_name_sha1}
        return by_corpus[pretrained_file_name.split(".")[1]]

    def __init__(self, pretrained_file_name: str = "glove.840B.300d.txt",
                 embedding_root: str = _EMBEDDING_ROOT, init_unknown_vec: Callable = nd.zeros,
                 vocabulary: Optional[vocab.Vocabulary] = None, **kwargs: Any):
        GloVe._check_pretrained_file_names(pretrained_file_name)
        super().__init__(**kwargs)
        path = GloVe._get_pretrained_file(embedding_root, pretrained_file_name)
        self._load_embedding(path, " ", init_unknown_vec)
        self._build_embedding_for_vocabulary(vocabulary)


@register
class FastText(TokenEmbedding):
    """fastText word vectors (https://fasttext.cc/), downloaded on first use.

    Parameters
    ----------
    pretrained_file_name : str, default 'wiki.simple.vec'
        One of ``get_pretrained_file_names('fasttext')``.
    embedding_root : str, default $MXNET_HOME/embeddings
        Where the files are kept.
    init_unknown_vec : callable, default nd.zeros
        Makes the unknown token's vector, called as ``init_unknown_vec(shape=vec_len)``.
    vocabulary : Vocabulary, optional
        Tokens to index; all tokens of the file when None.
    """

    pretrained_file_name_sha1 = _PRETRAINED["fasttext"]["pretrained_file_name_sha1"]
    pretrained_archive_name_sha1 = _PRETRAINED["fasttext"]["pretrained_archive_name_sha1"]

    @classmethod
    def _get_download_file_name(cls, pretrained_file_name: str) -> str:
        return pretrained_file_name.rsplit(".", 1)[0] + ".zip"

    def __init__(self, pretrained_file_name: str = "wiki.simple.vec",
                 embedding_root: str = _EMBEDDING_ROOT, init_unknown_vec: Callable = nd.zeros,
                 vocabulary: Optional[vocab.Vocabulary] = None, **kwargs: Any):
        FastText._check_pretrained_file_names(pretrained_file_name)
        super().__init__(**kwargs)
        path = FastText._get_pretrained_file(embedding_root, pretrained_file_name)
        self._load_embedding(path, " ", init_unknown_vec)
        self._build_embedding_for_vocabulary(vocabulary)


class CustomEmbedding(TokenEmbedding):
    """Token embedding read from a file of your own: each line a token and its values, separated
    by ``elem_delim`` (``token<d>v1<d>v2...<d>vk``).

    Parameters
    ----------
    pretrained_file_path : str
        The file.
    elem_delim : str, default ' '
        What separates the token and the values on a line.
    encoding : str, default 'utf8'
        The file's text encoding.
    init_unknown_vec : callable, default nd.zeros
        Makes the unknown token's vector when the file has none, called as
        ``init_unknown_vec(shape=vec_len)``.
    vocabulary : Vocabulary, optional
        Tokens to index; all tokens of the file when None.
    **kwargs
        ``unknown_token`` and ``reserved_tokens``, as for Vocabulary.
    """

    def __init__(self, pretrained_file_path: str, elem_delim: str = " ", encoding: str = "utf8",
                 init_unknown_vec: Callable = nd.zeros,
                 vocabulary: Optional[vocab.Vocabulary] = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._load_embedding(pretrained_file_path, elem_delim, init_unknown_vec, encoding)
        self._build_embedding_for_vocabulary(vocabulary)


class CompositeEmbedding(TokenEmbedding):
    """The tokens of a vocabulary, each with the concatenation of its vectors in one or more
    token embeddings (in the order given).

    Parameters
    ----------
    vocabulary : Vocabulary
        The tokens to index.
    token_embeddings : TokenEmbedding or list of TokenEmbedding
        The embeddings whose vectors are joined.
    """

    def __init__(self, vocabulary: vocab.Vocabulary,
                 token_embeddings: Union[TokenEmbedding, list]):
        if not isinstance(vocabulary, vocab.Vocabulary):
            raise MXNetAssertionError("The argument `vocabulary` must be an instance of "
                                      "mxnet.contrib.text.vocab.Vocabulary.")
        if not isinstance(token_embeddings, list):
            token_embeddings = [token_embeddings]
        for embed in token_embeddings:
            if not isinstance(embed, TokenEmbedding):
                raise MXNetAssertionError("The argument `token_embeddings` must be a token "
                                          "embedding or a list of token embeddings, got "
                                          f"{type(embed).__name__}")
        self._index_tokens_from_vocabulary(vocabulary)
        self._set_idx_to_vec_by_embeddings(token_embeddings, len(self), self.idx_to_token)
