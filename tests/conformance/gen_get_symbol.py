"""Record what MXNet 1.9.1's autograd.get_symbol makes of a few recorded computations.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_get_symbol.py
Writes tests/conformance/golden/get_symbol.json: per case, the symbol's JSON. The same programs
are in tests/conformance/get_symbol_programs.py, run on mxtorch and compared.
"""
import json
import pathlib
import sys

import mxnet as mx

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from tests.conformance.get_symbol_programs import PROGRAMS  # noqa: E402

OUT = HERE / "golden" / "get_symbol.json"


def main() -> None:
    cases = {}
    for name, program in PROGRAMS.items():
        result = program(mx.nd, mx.autograd)
        cases[name] = json.loads(mx.autograd.get_symbol(result).tojson())
    OUT.write_text(json.dumps(cases, indent=1, sort_keys=True) + "\n")
    print("wrote", OUT, len(cases), "cases")


if __name__ == "__main__":
    main()
