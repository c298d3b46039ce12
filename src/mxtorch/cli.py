"""The ``mxtorch`` command.

Each subcommand is one function ``add_<name>(subparsers)`` that declares its arguments and sets
``run`` to the function doing the work; listing it in ``COMMANDS`` is all it takes to add one.
The heavy imports (torch, FastAPI) happen inside the ``run`` functions, so ``mxtorch --help`` is fast.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Sequence

__all__ = ["main", "parse_ctx", "COMMANDS"]


def parse_ctx(text: str) -> Any:
    """``cpu``, ``gpu`` or ``gpu:N`` -> the matching ``mx.Context``."""
    import mxtorch as mx

    name, _, index = text.partition(":")
    if name == "cpu" and not index:
        return mx.cpu()
    if name == "gpu" and (not index or index.isdigit()):
        ctx = mx.gpu(int(index or 0))
        visible = mx.num_gpus()
        if ctx.device_id >= visible:  # said now, before any model or data is loaded
            raise argparse.ArgumentTypeError(
                f"{text}: this machine has {visible} GPU(s) that torch can use; run on the CPU "
                f"with --ctx cpu" + (f" or pick one of gpu:0..gpu:{visible - 1}" if visible else ""))
        return ctx
    raise argparse.ArgumentTypeError(f"invalid context {text!r}: expected cpu, gpu or gpu:N")


def add_train(subparsers: Any) -> None:
    """``mxtorch train lenet``: train the talk's Gluon LeNet on MNIST."""
    train = subparsers.add_parser("train", help="train a network", description="Train a network.")
    models = train.add_subparsers(dest="model", required=True, metavar="MODEL")
    lenet = models.add_parser(
        "lenet", help="the talk's Gluon LeNet on MNIST",
        description="Train the talk's Gluon LeNet on MNIST, evaluating on the test set after each "
                    "epoch and checkpointing atomically (resume with --resume).")
    lenet.add_argument("--epochs", type=int, default=10, help="total epochs to train (default 10)")
    lenet.add_argument("--batch-size", type=int, default=64, help="samples per batch (default 64)")
    lenet.add_argument("--lr", type=float, default=0.1, help="SGD learning rate (default 0.1)")
    lenet.add_argument("--momentum", type=float, default=0.0, help="SGD momentum (default 0, as the talk)")
    lenet.add_argument("--root", default=None,
                       help="folder with MNIST's IDX files (default: MXNET_HOME/datasets/mnist, "
                            "downloaded when missing)")
    lenet.add_argument("--out", default="lenet.params",
                       help="parameter file to write, its card beside it as .json (default lenet.params)")
    lenet.add_argument("--checkpoint-dir", default=None,
                       help="where checkpoints go (default: OUT's folder/<name>-checkpoints)")
    lenet.add_argument("--ctx", type=parse_ctx, default="cpu", help="cpu, gpu or gpu:N (default cpu)")
    lenet.add_argument("--resume", action="store_true",
                       help="continue from the last complete checkpoint (parameters, trainer state, epoch, "
                            "seed), first finishing OUT and its card if a killed run left them behind it")
    lenet.add_argument("--seed", type=int, default=None,
                       help="random seed, for a reproducible run (a resumed run ends as an uninterrupted "
                            "one would; without --seed one is drawn and kept in the checkpoint)")
    lenet.set_defaults(run=_run_train_lenet)


def _run_train_lenet(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from .apps.train import TrainConfig, train_lenet
    from .gluon.data.vision.datasets import DatasetUnavailable

    if args.root is not None and not os.path.isdir(args.root):
        raise ValueError(f"--root {args.root}: no such folder (it should hold MNIST's four IDX files)")
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                         momentum=args.momentum, root=args.root,
                         out=args.out, checkpoint_dir=args.checkpoint_dir, ctx=args.ctx,
                         resume=args.resume, seed=args.seed, command="mxtorch " + _join(argv))
    try:
        train_lenet(config)
    except DatasetUnavailable as err:
        err.option = "--root"
        raise
    return 0


def add_digits(subparsers: Any) -> None:
    """``mxtorch digits``: serve the digit web app."""
    digits = subparsers.add_parser(
        "digits", help="serve the digit web app (draw a digit, the network reads it)",
        description="Serve the digit web app: draw a digit in the page, LeNet reads it. Against DNS "
                    "rebinding, requests are answered only when their Host header is localhost, an IP "
                    "address, the --host name, this machine's host name (when --host is 0.0.0.0 or "
                    "another address beyond loopback) or an --allowed-host name; others get 400.")
    digits.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    digits.add_argument("--allowed-host", dest="allowed_hosts", action="append", metavar="NAME",
                        help="another host name the page is reached by (repeatable); *.example.org "
                             "accepts the names under example.org, * any name (behind a proxy that checks)")
    digits.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    digits.add_argument("--params", default=None,
                        help="parameter file to serve (default: the LeNet shipped with mxtorch)")
    digits.add_argument("--ctx", type=parse_ctx, default="cpu", help="cpu, gpu or gpu:N (default cpu)")
    digits.set_defaults(run=_run_digits)


def _run_digits(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from .apps.digits.server import serve

    serve(host=args.host, port=args.port, params=args.params, ctx=args.ctx,
          allowed_hosts=args.allowed_hosts or ())
    return 0


def add_predict(subparsers: Any) -> None:
    """``mxtorch predict``: classify photos with a pretrained model-zoo network."""
    predict = subparsers.add_parser(
        "predict", help="classify images with a pretrained ImageNet network",
        description="Classify images with a model-zoo network (pretrained weights from the model "
                    "store, or --params): resize 256, centre crop 224, ImageNet normalisation.")
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="JPEG, PNG or WebP files")
    predict.add_argument("--model", default="resnet50_v1", help="model-zoo name (default resnet50_v1)")
    predict.add_argument("--params", default=None,
                         help="parameter file to load instead of the pretrained weights")
    predict.add_argument("--topk", type=int, default=5, help="classes to show per image (default 5)")
    predict.add_argument("--ctx", type=parse_ctx, default="cpu", help="cpu, gpu or gpu:N (default cpu)")
    predict.add_argument("--json", action="store_true", help="print JSON instead of text")
    predict.set_defaults(run=_run_predict)


def _run_predict(args: argparse.Namespace, argv: Sequence[str]) -> int:
    import json

    from .apps.predict import classify, format_predictions

    if args.topk < 1:
        raise ValueError(f"--topk must be at least 1, got {args.topk}")
    predictions = classify(args.images, model=args.model, topk=args.topk, params=args.params,
                           ctx=args.ctx)
    if args.json:
        print(json.dumps([p.to_dict() for p in predictions], indent=2))
    else:
        print(format_predictions(predictions))
    return 1 if any(p.error for p in predictions) else 0


def add_run(subparsers: Any) -> None:
    """``mxtorch run prog.py [args]``: run an unmodified MXNet program on mxtorch."""
    run = subparsers.add_parser(
        "run", help="run an MXNet program unchanged (import mxnet gives mxtorch)",
        description="Run an MXNet program as `python PROGRAM ARGS` would, with `import mxnet` "
                    "(and every mxnet.* module) answered by mxtorch in the program and in all it "
                    "imports. Refuses when a real MXNet is installed, unless --force. Everything "
                    "after PROGRAM goes to the program.")
    run.add_argument("--force", action="store_true",
                     help="shadow a real MXNet installation (run on mxtorch anyway)")
    run.add_argument("-m", dest="as_module", action="store_true",
                     help="PROGRAM is a module name, run as `python -m` runs it")
    run.add_argument("program", metavar="PROGRAM", help="the program's file (or module with -m)")
    run.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="the program's arguments")
    run.set_defaults(run=_run_program, passthrough=True)


def _run_program(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from . import _mxnet_alias as alias

    # The program's arguments exactly as given (argparse would drop a "--" among them).
    rest = list(argv[argv.index("run") + 1:])
    while rest and rest[0] in ("--force", "-m"):
        rest.pop(0)
    if rest and rest[0] == "--":
        rest.pop(0)
    try:
        return alias.run_program(args.program, rest[1:], as_module=args.as_module, force=args.force)
    except alias.RealMXNetFound as err:
        print(f"mxtorch: error: {err}", file=sys.stderr)
        return 2


def add_alias(subparsers: Any) -> None:
    """``mxtorch alias install|uninstall|status``: make ``import mxnet`` give mxtorch for good."""
    alias = subparsers.add_parser(
        "alias", help="make `import mxnet` give mxtorch in this environment (or undo it)",
        description="Make `import mxnet` give mxtorch in every Python run from this environment, "
                    "by a small .pth file in its site-packages; `uninstall` removes it. A real "
                    "MXNet is never shadowed unless --force.")
    actions = alias.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (("install", "write the .pth file"), ("uninstall", "remove the .pth file"),
                       ("status", "say whether the alias is installed and what `import mxnet` gives")):
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        action.add_argument("--site-dir", default=None,
                            help="site directory to use (default: this environment's site-packages)")
        if name == "install":
            action.add_argument("--force", action="store_true",
                                help="install even though a real MXNet is installed, and shadow it")
        action.set_defaults(run=_run_alias)


def _run_alias(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from . import _mxnet_alias as alias

    site_dir = os.path.abspath(args.site_dir or alias.default_site_dir())
    if args.action == "install":
        try:
            path = alias.install(site_dir, force=args.force)
        except alias.RealMXNetFound as err:
            print(f"mxtorch: error: {err}", file=sys.stderr)
            return 2
        print(f"`import mxnet` now gives mxtorch in every Python that uses {site_dir} "
              f"(wrote {path}); undo with `mxtorch alias uninstall`")
    elif args.action == "uninstall":
        path = alias.uninstall(site_dir)
        print(f"removed {path}" if path else f"no mxtorch alias installed in {site_dir}")
    else:
        path = alias.installed_pth(site_dir)
        real = alias.find_real_mxnet([site_dir])
        print(f"alias: {'installed (' + path + ')' if path else 'not installed'} in {site_dir}")
        print(f"real MXNet: {real or 'none found'}")
    return 0


def add_im2rec(subparsers: Any) -> None:
    """``mxtorch im2rec``: MXNet's tools/im2rec.py (image lists and RecordIO packing)."""
    from .tools.im2rec import add_arguments

    im2rec = subparsers.add_parser(
        "im2rec", help="make .lst image lists and pack .rec/.idx RecordIO files",
        description="Create an image list from a folder tree (--list), or pack the images of "
                    "<prefix>*.lst into .rec/.idx RecordIO files (MXNet's tools/im2rec.py).")
    add_arguments(im2rec)
    im2rec.set_defaults(run=_run_im2rec)


def _run_im2rec(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from .tools.im2rec import run

    return run(args)


from .launch import add_launch  # noqa: E402  (argparse only: torch is imported by the workers)

COMMANDS: list[Callable[[Any], None]] = [add_train, add_digits, add_predict, add_run, add_alias, add_im2rec,
                                         add_launch]


def _join(argv: Sequence[str]) -> str:
    import shlex

    return shlex.join(argv)


def build_parser() -> argparse.ArgumentParser:
    """The ``mxtorch`` argument parser with every subcommand in ``COMMANDS``."""
    from . import __mxtorch_version__, __version__

    parser = argparse.ArgumentParser(prog="mxtorch", description="mxtorch: the MXNet API on PyTorch.")
    parser.add_argument("--version", action="version",
                        version=f"mxtorch {__mxtorch_version__} (the MXNet {__version__} API)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``mxtorch`` command; returns the exit status.

    Expected failures (a missing or damaged file, a GPU that is not there, bad data) print one
    line, ``mxtorch: error: ...``, and exit with status 1 instead of a traceback. ``run`` is the
    exception: the program's errors, tracebacks and exit status are its own, as under Python.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if getattr(args, "passthrough", False):   # `run`: the program's own errors and exit status
        return args.run(args, argv)
    from .base import MXNetError

    try:
        return args.run(args, argv)
    except KeyboardInterrupt:
        print("mxtorch: interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError, MXNetError) as err:
        if getattr(args, "json", False):  # a script reading --json output gets its errors as JSON
            import json

            print(json.dumps({"error": str(err)}))
        else:
            print(f"mxtorch: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
