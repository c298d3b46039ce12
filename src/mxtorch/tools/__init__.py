"""Command-line tools that ship with MXNet (``im2rec``), usable as ``mxtorch`` subcommands."""
