import pathlib

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"
GOLDEN_OPS = GOLDEN / "ops"
