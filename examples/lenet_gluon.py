"""The talk's Gluon LeNet ("Convolutional Neural Nets Using MXNet", November 2017), run on mxtorch.

The network, initialisation, loss, trainer, training loop with its moving loss, and
``evaluate_accuracy`` are the talk's code (as in "Deep Learning - The Straight Dope"); the only
change for mxtorch is the import. Around it sits the data pipeline a reader expects: MNIST from
``gluon.data.vision.MNIST`` turned into float CHW tensors in [0, 1] by ``transforms.ToTensor``.

Usage::

    .venv/bin/python examples/lenet_gluon.py [--epochs 10] [--root ../shared/data/mnist]
                                             [--batch-size 64] [--seed N] [--no-train-accuracy]
                                             [--train-size N]

``--root`` is the folder that holds the four MNIST IDX files (``.gz`` or raw). Its default is
MXNet's own, ``$MXNET_HOME/datasets/mnist`` (``~/.mxnet/...``), where the files are downloaded on
first use; on a machine without network, point it at a copy (these machines have one in
``../shared/data/mnist``). ``--train-size 2000 --epochs 1`` is a quick run of a few seconds.
Expect about 98% test accuracy after one epoch (MXNet 1.9.1 spreads around 98% too, by seed) and
99% after ten (99.08% measured, benchmarks/RESULTS.md).
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

import numpy as np
from tqdm import tqdm

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon.data.vision import transforms

DEFAULT_ROOT = None  # MXNet's dataset folder, $MXNET_HOME/datasets/mnist

num_outputs = 10
num_fc = 512
smoothing_constant = .01


def lenet() -> gluon.nn.Sequential:
    """The talk's network: two convolution + max-pooling stages, then two dense layers."""
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Conv2D(channels=20, kernel_size=5, activation='relu'))
        net.add(gluon.nn.MaxPool2D(pool_size=2, strides=2))
        net.add(gluon.nn.Conv2D(channels=50, kernel_size=5, activation='relu'))
        net.add(gluon.nn.MaxPool2D(pool_size=2, strides=2))
        # The Flatten layer collapses all axis, except the first one, into one axis.
        net.add(gluon.nn.Flatten())
        net.add(gluon.nn.Dense(num_fc, activation="relu"))
        net.add(gluon.nn.Dense(num_outputs))
    return net


def mnist_loaders(root: Optional[str], batch_size: int, train_size: Optional[int] = None) -> tuple:
    """Training (shuffled; its first ``train_size`` images when given) and test DataLoaders of
    MNIST as float32 (1, 28, 28) images in [0, 1]."""
    to_tensor = transforms.ToTensor()
    train = gluon.data.vision.MNIST(root=root, train=True)
    if train_size is not None:
        train = gluon.data.SimpleDataset([train[i] for i in range(min(train_size, len(train)))])
    train = train.transform_first(to_tensor)
    test = gluon.data.vision.MNIST(root=root, train=False).transform_first(to_tensor)
    train_data = gluon.data.DataLoader(train, batch_size, shuffle=True)
    test_data = gluon.data.DataLoader(test, batch_size, shuffle=False)
    return train_data, test_data


def evaluate_accuracy(data_iterator, net, ctx) -> float:
    """Fraction of correctly classified samples, as the talk's notebooks computed it."""
    acc = mx.metric.Accuracy()
    for i, (data, label) in enumerate(data_iterator):
        data = data.as_in_context(ctx)
        label = label.as_in_context(ctx)
        output = net(data)
        predictions = nd.argmax(output, axis=1)
        acc.update(preds=predictions, labels=label)
    return acc.get()[1]


def train(epochs: int = 10, root: Optional[str] = DEFAULT_ROOT, batch_size: int = 64,
          train_accuracy: bool = True, ctx: Optional[mx.Context] = None,
          train_size: Optional[int] = None) -> float:
    """Train the talk's LeNet on MNIST and return the final test accuracy.

    Parameters
    ----------
    epochs : int, default 10
        Passes over the 60,000 training images.
    root : str or None
        Folder of the MNIST IDX files; None means MXNet's default dataset folder.
    batch_size : int, default 64
        Mini-batch size of training and evaluation.
    train_accuracy : bool, default True
        Also measure accuracy on the training set after each epoch, as the talk did (a
        forward pass over 60,000 images more per epoch).
    ctx : Context, optional
        Where to train; ``mx.gpu(0)`` when a GPU is present, else ``mx.cpu()``.
    train_size : int, optional
        Train on the first ``train_size`` images only, for a quick run.

    Returns
    -------
    float
        Test accuracy after the last epoch.
    """
    ctx = ctx if ctx is not None else (mx.gpu(0) if mx.context.num_gpus() else mx.cpu())
    train_data, test_data = mnist_loaders(root, batch_size, train_size)
    net = lenet()

    net.collect_params().initialize(mx.init.Xavier(magnitude=2.24), ctx=ctx)
    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': .1})

    moving_loss = test_accuracy = 0.0
    for e in range(epochs):
        progress = tqdm(train_data, desc=f"Epoch {e}", unit="batch", leave=False)
        for i, (data, label) in enumerate(progress):
            data = data.as_in_context(ctx)
            label = label.as_in_context(ctx)
            with autograd.record():
                output = net(data)
                loss = softmax_cross_entropy(output, label)
            loss.backward()
            trainer.step(data.shape[0])

            #####
            # Keep a moving average of the losses
            #####
            curr_loss = nd.mean(loss).asscalar()
            moving_loss = (curr_loss if ((i == 0) and (e == 0))
                           else (1 - smoothing_constant) * moving_loss + (smoothing_constant) * curr_loss)
            if i % 50 == 0:
                progress.set_postfix(loss=f"{moving_loss:.4f}")
        progress.close()

        test_accuracy = evaluate_accuracy(test_data, net, ctx)
        if train_accuracy:
            train_acc = evaluate_accuracy(train_data, net, ctx)
            print("Epoch %s. Loss: %s, Train_acc %s, Test_acc %s"
                  % (e, moving_loss, train_acc, test_accuracy))
        else:
            print("Epoch %s. Loss: %s, Test_acc %s" % (e, moving_loss, test_accuracy))
    return test_accuracy


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train the talk's Gluon LeNet on MNIST.")
    parser.add_argument("--epochs", type=int, default=10, help="passes over the training set (10)")
    parser.add_argument("--root", default=DEFAULT_ROOT,
                        help="folder of the MNIST IDX files (default: $MXNET_HOME/datasets/mnist, "
                             "downloading there when missing)")
    parser.add_argument("--train-size", type=int, default=None,
                        help="train on the first N images only, for a quick run")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch size (64)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed the initialisation (mx.random) and shuffling (numpy) for a repeatable run")
    parser.add_argument("--no-train-accuracy", dest="train_accuracy", action="store_false",
                        help="skip the per-epoch accuracy on the training set")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or (args.train_size is not None and args.train_size < 1):
        parser.error("--epochs, --batch-size and --train-size must be at least 1")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.seed is not None:
        mx.random.seed(args.seed)
        np.random.seed(args.seed)  # gluon's RandomSampler shuffles with numpy, as MXNet's does
    accuracy = train(args.epochs, args.root, args.batch_size, args.train_accuracy,
                     train_size=args.train_size)
    print(f"Test accuracy after {args.epochs} epoch(s): {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
