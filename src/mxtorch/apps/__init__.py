"""Applications built on mxtorch's public API: the digit web app and the training command."""
