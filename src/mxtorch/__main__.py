"""``python -m mxtorch``: the ``mxtorch`` command (see :mod:`mxtorch.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
