"""Jupyter support for EntropyLab's ``entropy-lab`` shell.

- ``kernel``: a Jupyter kernel running each cell's lines through one
  ``entropy-lab --kernel`` process;
- ``magic``: the ``%%lab`` cell magic for the plain Python kernel (Colab);
- ``convert``: EntropyLab notebooks (Markdown with ```lab blocks) to and
  from ``.ipynb``;
- ``install``: the kernelspec installer (``python -m entropylab_jupyter install``).
"""

__version__ = "0.1.0"


def load_ipython_extension(ipython):
    """``%load_ext entropylab_jupyter``: registers the ``%%lab`` cell magic."""
    from .magic import load_ipython_extension as load

    load(ipython)
