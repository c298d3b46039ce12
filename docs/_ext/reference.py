"""A Griffe extension for the API reference (mkdocs.yml loads it; `make docs` builds with it).

mkdocstrings inspects the live modules (``nd.*`` and ``sym.*`` exist only after import), and
inspection sees what CPython puts in every class and module namespace: ``__doc__``,
``__module__``, ``__weakref__``, ``__file__``... The ``public`` filter keeps special names, so
without this each class would list them as attributes. Docstrings also carry Sphinx roles
(``:class:`Trainer```) and literal-block markers (``text::``), which Markdown would print
verbatim: the roles become code spans, the markers a colon.
"""
from __future__ import annotations

import re
from typing import Any

import griffe

# Names CPython or the import system set on every class or module: bookkeeping, not API.
PLUMBING = frozenset({
    "__doc__", "__module__", "__weakref__", "__dict__", "__annotations__", "__slots__",
    "__qualname__", "__name__", "__file__", "__path__", "__package__", "__cached__", "__loader__",
    "__spec__", "__builtins__", "__hash__", "__array_priority__", "__firstlineno__",
    "__static_attributes__", "__orig_bases__", "__parameters__",
})

# :role:`target`, :role:`~pkg.mod.target`, :role:`title <target>`
_ROLES = "class|func|meth|attr|mod|obj|data|exc|const|any|math|ref|doc|term"
_ROLE = re.compile(rf":(?:py:)?(?:{_ROLES}):`([^`]+)`")


# "text::" before an indented block is reStructuredText's literal-block marker; in Markdown the
# indented block is already code, and the marker reads as a stray colon.
_LITERAL_MARKER = re.compile(r"(?<=\S)::(?=\n[ \t]*\n)")


def _role_to_code(match: re.Match) -> str:
    text = match.group(1).strip()
    titled = re.fullmatch(r"(.+?)\s*<[^>]+>", text)
    if titled:
        text = titled.group(1)
    elif text.startswith("~"):
        text = text[1:].rsplit(".", 1)[-1]
    return f"`{text}`"


class CleanReference(griffe.Extension):
    """Drops interpreter bookkeeping members; Sphinx roles become code spans, ``::`` markers colons."""

    def _drop(self, obj: griffe.Object) -> None:
        for name in PLUMBING & set(obj.members):
            obj.del_member(name)

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        self._drop(cls)

    def on_module_members(self, *, mod: griffe.Module, **kwargs: Any) -> None:
        self._drop(mod)

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ":" in obj.docstring.value:
            text = _ROLE.sub(_role_to_code, obj.docstring.value)
            obj.docstring.value = _LITERAL_MARKER.sub(":", text)
