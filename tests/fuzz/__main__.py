"""Fuzz campaigns: ``python -m tests.fuzz [TARGET ...] [--seconds S | --examples N]``.

With ``--engine atheris`` (``pip install atheris``) each target runs coverage-guided under libFuzzer
in its own process, seeded with its seeds and corpus; the default engine is harness.py's mutator.
Findings are written to ``tests/fuzz/corpus/<target>/`` with ``--save``: fix them, then commit them
as regression inputs.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile

from tests.fuzz import harness


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _mutate_campaign(name: str, args: argparse.Namespace) -> dict:
    target = harness.discover()[name]
    harness.warm_up(target)     # imports, caches and allocator pools, before memory is measured
    warm = _peak_rss_kb()

    def report(finding: harness.Finding) -> None:
        print(finding, file=sys.stderr)
        if args.save:
            print(f"  saved as {harness.save_finding(name, finding.data)}", file=sys.stderr)

    result = harness.campaign(target, seconds=args.seconds, examples=args.examples, seed=args.seed,
                              keep_going=True, on_finding=report)
    return {"tried": result.tried, "accepted": result.accepted, "refused": result.refused,
            "findings": len(result.findings), "warm_rss_kb": warm, "peak_rss_kb": _peak_rss_kb()}


def _atheris_campaign(name: str, args: argparse.Namespace) -> None:
    """Runs in a child process: libFuzzer owns the process and exits when done."""
    import atheris

    with atheris.instrument_imports(include=["mxtorch"]):
        target = harness.discover()[name]
    harness.warm_up(target)
    seed_dir = tempfile.mkdtemp(prefix=f"fuzz-{name}-")
    for i, data in enumerate(target.seeds() + [p.read_bytes() for p in harness.corpus(name)]):
        with open(f"{seed_dir}/seed-{i}", "wb") as f:
            f.write(data)

    def one_input(data: bytes) -> None:
        harness.check(target, data)

    crash_dir = harness.CORPUS_DIR / name if args.save else tempfile.mkdtemp(prefix=f"crash-{name}-")
    crash_dir.mkdir(parents=True, exist_ok=True) if args.save else None
    atheris.Setup([sys.argv[0], seed_dir, f"-max_total_time={int(args.seconds or 60)}",
                   f"-max_len={harness.MAX_INPUT_BYTES}", f"-timeout={int(harness.TIME_LIMIT_S) + 1}",
                   f"-artifact_prefix={crash_dir}/", "-print_final_stats=1"], one_input)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="target names (default: all)")
    parser.add_argument("--seconds", type=float, help="time budget per target")
    parser.add_argument("--examples", type=int, help="inputs per target (mutate engine)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=("mutate", "atheris"), default="mutate")
    parser.add_argument("--save", action="store_true", help="write findings into the corpus")
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    parser.add_argument("--atheris-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.atheris_child:
        _atheris_campaign(args.atheris_child, args)
        return 0
    if args.seconds is None and args.examples is None:
        args.examples = 1000
    names = args.targets or sorted(harness.discover())
    summary, failed = {}, False
    for name in names:
        if args.engine == "atheris":
            child = [sys.executable, "-m", "tests.fuzz", "--atheris-child", name, "--seconds",
                     str(args.seconds or 60)] + (["--save"] if args.save else [])
            code = subprocess.call(child)
            summary[name] = {"exit": code}
            failed |= code != 0
        else:
            summary[name] = _mutate_campaign(name, args)
            failed |= summary[name]["findings"] > 0
            print(f"{name}: {summary[name]}", file=sys.stderr)
    if args.json:
        print(json.dumps(summary))
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
