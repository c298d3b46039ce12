"""Fingerprint MXNet 1.9.1's prose and code for tests/own_words.py (hashes only, no text).

Run in the reference venv:  .ref/bin/python tests/conformance/gen_mxnet_prose.py
Writes tests/conformance/golden/own_words/{docstrings,comments,code}.npy: sorted unique 64-bit
hashes of MXNet's docstring sentences (its Python sources' and the documentation its operator
registry generates for nd.*, sym.* and their sub-namespaces), of its comment sentences, and of its
long code lines, split and normalised exactly as tests/own_words.py splits mxtorch's.
"""
import ast
import pathlib
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from tests.own_words import (FINGERPRINTS, MIN_SENTENCE, code_lines, comments,  # noqa: E402
                             docstrings, fingerprint, sentences)

NAMESPACES = ("", "contrib", "linalg", "random", "image", "sparse", "op")


def generated_docs() -> list:
    """The docstrings MXNet builds at import time for its generated operator functions."""
    docs = []
    for top in (mx.nd, mx.sym):
        for name in NAMESPACES:
            module = getattr(top, name) if name else top
            docs.extend(getattr(module, attr).__doc__ for attr in dir(module)
                        if callable(getattr(module, attr, None))
                        and isinstance(getattr(getattr(module, attr), "__doc__", None), str))
    return docs


def main() -> None:
    prose = {"docstrings": list(generated_docs()), "comments": []}
    code = []
    root = pathlib.Path(mx.__file__).parent
    for file in sorted(root.rglob("*.py")):
        source = file.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        prose["docstrings"].extend(docstrings(tree))
        prose["comments"].extend(comments(source))
        code.extend(code_lines(source, tree))
    FINGERPRINTS.mkdir(parents=True, exist_ok=True)
    for kind, texts in prose.items():
        found = {s for t in texts for s in sentences(t) if len(s) >= MIN_SENTENCE}
        _save(kind, found)
    _save("code", set(code))


def _save(kind: str, texts: set) -> None:
    hashes = np.unique(np.array([fingerprint(t) for t in texts], dtype=np.uint64))
    np.save(FINGERPRINTS / f"{kind}.npy", hashes, allow_pickle=False)
    print(f"{kind}: {len(hashes)} fingerprints")


if __name__ == "__main__":
    main()
