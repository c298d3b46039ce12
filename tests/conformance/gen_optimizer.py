"""Run every optimizer case of tests/optimizer/cases.py through MXNet 1.9.1 and save the results.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_optimizer.py [--only ID ...]
Writes tests/conformance/golden/optimizer/<id>.npz holding the weights after each step
(w<step>_<i>), the final optimizer states (state<i>_<j>), num_update and learning_rate;
lr_scheduler.npz holding the learning rates of every scheduler case; and metric.npz holding
the names and values every metric case reports; trainer_*.npz holding the losses and the
parameters after each gluon.Trainer step, and for some of them <id>.states, the Trainer's
states file written by MXNet after one of the steps.
"""
import argparse
import pathlib
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "optimizer"))
import cases  # noqa: E402

OUT = HERE / "golden" / "optimizer"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", help="case ids to (re)generate")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for case in cases.CASES:
        if args.only and case.id not in args.only:
            continue
        np.savez_compressed(OUT / f"{case.id}.npz", **cases.run(mx, case))
        print("wrote", case.id)
    if not args.only or "lr_scheduler" in args.only:
        np.savez_compressed(OUT / "lr_scheduler.npz", **cases.run_schedulers(mx))
        print("wrote lr_scheduler")
    for case in cases.TRAINER_CASES:
        if args.only and case.id not in args.only:
            continue
        def save_states(step, trainer, case=case):
            if step == case.states_after:
                trainer.save_states(str(OUT / f"{case.id}.states"))
        np.savez_compressed(OUT / f"{case.id}.npz", **cases.run_trainer(mx, case, save_states))
        print("wrote", case.id)
    if not args.only or "metric" in args.only:
        np.savez_compressed(OUT / "metric.npz", **cases.run_metrics(mx))
        print("wrote metric")


if __name__ == "__main__":
    main()
