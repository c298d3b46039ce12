"""Token indexing for ``mx.contrib.text``: :class:`Vocabulary`."""
from __future__ import annotations

import collections
from typing import Any, Hashable, Optional, Union

from ...base import MXNetAssertionError, MXNetValueError

__all__ = ["Vocabulary"]

# The unknown token always has index 0; embeddings rely on it.
UNKNOWN_IDX = 0


class Vocabulary:
    """Index of text tokens: the unknown token, then reserved tokens, then the counted tokens by
    decreasing frequency.

    Parameters
    ----------
    counter : collections.Counter, optional
        Token frequencies. Its keys are indexed from the most frequent down (ties in the keys'
        sort order), skipping the unknown and reserved tokens, subject to ``most_freq_count``
        and ``min_freq``.
    most_freq_count : int, optional
        The most keys of ``counter`` to index (reserved tokens and the unknown token not
        counted). None indexes all that pass ``min_freq``.
    min_freq : int, default 1
        The least frequency a key of ``counter`` needs to be indexed.
    unknown_token : hashable, default '<unk>'
        What every token outside the vocabulary maps to (index 0).
    reserved_tokens : list of hashable, optional
        Tokens always indexed, right after the unknown token (padding, sentence start...). No
        duplicates, and not the unknown token.

    Attributes
    ----------
    token_to_idx : dict
        Token to index.
    idx_to_token : list
        Index to token.
    unknown_token : hashable
    reserved_tokens : list or None
    """

    def __init__(self, counter: Optional[collections.Counter] = None,
                 most_freq_count: Optional[int] = None, min_freq: int = 1,
                 unknown_token: Hashable = "<unk>", reserved_tokens: Optional[list] = None):
        if not min_freq > 0:
            raise MXNetAssertionError("`min_freq` must be set to a positive value.")
        if reserved_tokens is not None:
            if unknown_token in set(reserved_tokens):
                raise MXNetAssertionError("`reserved_token` cannot contain `unknown_token`.")
            if len(set(reserved_tokens)) != len(reserved_tokens):
                raise MXNetAssertionError(
                    "`reserved_tokens` cannot contain duplicate reserved tokens.")
        self._index_unknown_and_reserved_tokens(unknown_token, reserved_tokens)
        if counter is not None:
            self._index_counter_keys(counter, unknown_token, reserved_tokens, most_freq_count,
                                     min_freq)

    def _index_unknown_and_reserved_tokens(self, unknown_token: Hashable,
                                           reserved_tokens: Optional[list]) -> None:
        self._unknown_token = unknown_token
        self._idx_to_token = [unknown_token]
        self._reserved_tokens = None if reserved_tokens is None else list(reserved_tokens)
        if reserved_tokens is not None:
            self._idx_to_token.extend(reserved_tokens)
        self._token_to_idx = {token: idx for idx, token in enumerate(self._idx_to_token)}

    def _index_counter_keys(self, counter: collections.Counter, unknown_token: Hashable,
                            reserved_tokens: Optional[list], most_freq_count: Optional[int],
                            min_freq: int) -> None:
        if not isinstance(counter, collections.Counter):
            raise MXNetAssertionError("`counter` must be an instance of collections.Counter.")
        special = set(reserved_tokens or ()) | {unknown_token}
        # Frequency first (descending); equal frequencies in the keys' own order (stable sort).
        by_freq = sorted(sorted(counter.items(), key=lambda kv: kv[0]),
                         key=lambda kv: kv[1], reverse=True)
        cap = len(special) + (len(counter) if most_freq_count is None else most_freq_count)
        for token, freq in by_freq:
            if freq < min_freq or len(self._idx_to_token) == cap:
                break
            if token not in special:
                self._idx_to_token.append(token)
                self._token_to_idx[token] = len(self._idx_to_token) - 1

    def __len__(self) -> int:
        return len(self._idx_to_token)

    @property
    def token_to_idx(self) -> dict:
        """dict: each indexed token's index."""
        return self._token_to_idx

    @property
    def idx_to_token(self) -> list:
        """list: the indexed tokens, in index order."""
        return self._idx_to_token

    @property
    def unknown_token(self) -> Hashable:
        """The token that stands for every token outside the vocabulary."""
        return self._unknown_token

    @property
    def reserved_tokens(self) -> Optional[list]:
        """list or None: the reserved tokens."""
        return self._reserved_tokens

    def to_indices(self, tokens: Union[Hashable, list]) -> Union[int, list]:
        """Indices of a token or a list of tokens (0, the unknown token's, for tokens outside
        the vocabulary).

        Parameters
        ----------
        tokens : hashable or list
            One token, or a list of tokens.

        Returns
        -------
        int or list of int
        """
        if not isinstance(tokens, list):
            return self._token_to_idx.get(tokens, UNKNOWN_IDX)
        return [self._token_to_idx.get(token, UNKNOWN_IDX) for token in tokens]

    def to_tokens(self, indices: Union[int, list]) -> Any:
        """Tokens of an index or a list of indices.

        Parameters
        ----------
        indices : int or list of int
            Indices in ``[0, len(self))``.

        Returns
        -------
        hashable or list
        """
        single = not isinstance(indices, list)
        indices = [indices] if single else indices
        max_idx = len(self._idx_to_token) - 1
        for idx in indices:
            if not isinstance(idx, int) or idx > max_idx:
                raise MXNetValueError(f"Token index {idx} in the provided `indices` is invalid.")
        tokens = [self._idx_to_token[idx] for idx in indices]
        return tokens[0] if single else tokens
