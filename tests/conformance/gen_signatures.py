"""Save the Python signatures of MXNet 1.9.1's generated operator functions.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_signatures.py
Writes tests/conformance/golden/signatures.json: {"nd.Convolution": ["data", ..., "out", "name",
"**kwargs"], ...} for the operator functions of mx.nd and mx.sym and their contrib, linalg, image
and random sub-namespaces (``*data`` marks a variadic one). tests/ops/test_signatures.py compares
mxtorch's ``inspect.signature`` of the same functions with it.
"""
import inspect
import json
import pathlib

import mxnet as mx

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "signatures.json"
NAMESPACES = ("", "contrib", "linalg", "image", "random")


def _params(function) -> list:
    marks = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [marks.get(p.kind, "") + p.name for p in inspect.signature(function).parameters.values()]


def main() -> None:
    table = {}
    for prefix, top in (("nd", mx.nd), ("sym", mx.sym)):
        for space in NAMESPACES:
            module = getattr(top, space) if space else top
            for name in sorted(dir(module)):
                function = getattr(module, name)
                # the operator functions are the ones MXNet generated from its registry (exec'd)
                if name.startswith("_") or not inspect.isfunction(function) or \
                        function.__code__.co_filename != "<string>":
                    continue
                table[".".join(p for p in (prefix, space, name) if p)] = _params(function)
    OUT.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")
    print("wrote", OUT, len(table), "signatures")


if __name__ == "__main__":
    main()
