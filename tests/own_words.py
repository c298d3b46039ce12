"""How much of mxtorch's prose and code is MXNet 1.9.1's, word for word.

mxtorch follows MXNet's API, formats and numerics; its docstrings, comments and code are its own.
This module measures that against fingerprints of MXNet 1.9.1's sources, written by
``tests/conformance/gen_mxnet_prose.py`` in the reference venv (hashes only: no MXNet text ships):

- docstring text: the share of characters of mxtorch's docstrings that sit in sentences of 60
  characters or more found verbatim (case and spacing aside) in MXNet's docstrings, its Python
  sources' and its generated operator documentation;
- comments: the same for ``#`` comments against MXNet's comments;
- code: the share of mxtorch's code lines of 50 characters or more (stripped) that are lines of
  MXNet's Python sources.

``python tests/own_words.py`` prints the three figures and the files that contribute most;
``tests/test_own_words.py`` keeps them under their ceilings.
"""
from __future__ import annotations

import ast
import hashlib
import io
import pathlib
import re
import sys
import tokenize
from dataclasses import dataclass, field

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "mxtorch"
FINGERPRINTS = ROOT / "tests" / "conformance" / "golden" / "own_words"
KINDS = ("docstrings", "comments", "code")

MIN_SENTENCE = 60  # characters: shorter sentences are too generic to say anything about copying
MIN_CODE_LINE = 50
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


def fingerprint(text: str) -> int:
    """A 64-bit hash of ``text``: the first eight bytes of its SHA-256, as an unsigned integer."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def sentences(text: str) -> list:
    """Sentences of a piece of prose, lower-cased with runs of white space made one space
    (paragraph breaks end a sentence too, so a heading never joins the text under it)."""
    parts = (" ".join(p.split()).lower() for p in _SENTENCE_END.split(text))
    return [p for p in parts if p]


def code_line(line: str) -> str:
    """A line of code as compared: stripped of indentation and trailing white space."""
    return line.strip()


def docstrings(tree: ast.AST) -> list:
    """The docstrings of a module, its classes and its functions."""
    nodes = [tree] + [n for n in ast.walk(tree)
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    texts = (ast.get_docstring(n, clean=True) for n in nodes)
    return [t for t in texts if t]


def comments(source: str) -> list:
    """The ``#`` comments of a source file, consecutive comment lines joined into one text."""
    blocks, current, last_row = [], [], -2
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type != tokenize.COMMENT:
                continue
            text = tok.string.lstrip("#").strip()
            if tok.start[0] != last_row + 1 and current:
                blocks.append(" ".join(current))
                current = []
            current.append(text)
            last_row = tok.start[0]
    except (tokenize.TokenError, SyntaxError):
        pass
    if current:
        blocks.append(" ".join(current))
    return blocks


def code_lines(source: str, tree: ast.AST) -> list:
    """Long code lines of a file, docstring and comment lines left out."""
    skip = set()
    for text_node in (n.body[0] for n in [tree] + list(ast.walk(tree))
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef,
                                        ast.ClassDef))
                      and n.body and isinstance(n.body[0], ast.Expr)
                      and isinstance(getattr(n.body[0], "value", None), ast.Constant)
                      and isinstance(n.body[0].value.value, str)):
        skip.update(range(text_node.lineno, (text_node.end_lineno or text_node.lineno) + 1))
    lines = []
    for number, line in enumerate(source.splitlines(), 1):
        stripped = code_line(line)
        if number in skip or stripped.startswith("#") or len(stripped) < MIN_CODE_LINE:
            continue
        lines.append(stripped)
    return lines


@dataclass
class Tally:
    """Matched and total amounts (characters or lines) of one kind, overall and per file."""

    matched: int = 0
    total: int = 0
    per_file: dict = field(default_factory=dict)

    def add(self, path: str, matched: int, total: int) -> None:
        self.matched += matched
        self.total += total
        old = self.per_file.get(path, (0, 0))
        self.per_file[path] = (old[0] + matched, old[1] + total)

    @property
    def share(self) -> float:
        return self.matched / self.total if self.total else 0.0


def load_fingerprints() -> dict:
    """MXNet 1.9.1's fingerprints per kind (sorted ``uint64`` arrays)."""
    return {kind: np.load(FINGERPRINTS / f"{kind}.npy", allow_pickle=False) for kind in KINDS}


def _known(known: np.ndarray, texts: list) -> list:
    if not texts:
        return []
    hashes = np.array([fingerprint(t) for t in texts], dtype=np.uint64)
    where = np.searchsorted(known, hashes).clip(max=len(known) - 1)
    return list(known[where] == hashes)


def _prose_tally(tally: Tally, path: str, known: np.ndarray, texts: list) -> None:
    parts = [s for text in texts for s in sentences(text)]
    long_parts = [s for s in parts if len(s) >= MIN_SENTENCE]
    matched = sum(len(s) for s, hit in zip(long_parts, _known(known, long_parts)) if hit)
    tally.add(path, matched, sum(len(s) for s in parts))


def measure(root: pathlib.Path = SOURCES) -> dict:
    """The three tallies for every ``.py`` file under ``root``."""
    known = load_fingerprints()
    tallies = {kind: Tally() for kind in KINDS}
    for file in sorted(root.rglob("*.py")):
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source)
        path = str(file.relative_to(root))
        _prose_tally(tallies["docstrings"], path, known["docstrings"], docstrings(tree))
        _prose_tally(tallies["comments"], path, known["comments"], comments(source))
        lines = code_lines(source, tree)
        tallies["code"].add(path, sum(_known(known["code"], lines)), len(lines))
    return tallies


def report(tallies: dict, top: int = 12) -> str:
    out = []
    for kind, tally in tallies.items():
        unit = "lines" if kind == "code" else "characters"
        out.append(f"{kind}: {tally.share:.1%} of {tally.total} {unit} found in MXNet 1.9.1")
        worst = sorted(tally.per_file.items(), key=lambda item: -item[1][0])[:top]
        out.extend(f"  {m:>7} / {t:<7} {path}" for path, (m, t) in worst if m)
    return "\n".join(out)


if __name__ == "__main__":
    print(report(measure(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCES)))
