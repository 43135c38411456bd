"""The kernelspec installer: ``python -m entropylab_jupyter install
[--user | --sys-prefix | --prefix DIR] [--binary PATH] [--name NAME]``."""

import json
import os
import sys
import tempfile

KERNEL_NAME = "entropylab"
DISPLAY_NAME = "EntropyLab"


def kernel_json(binary=None, python=None):
    """The kernelspec: this Python runs ``entropylab_jupyter.kernel``;
    ``binary`` is recorded for when neither $ENTROPYLAB_BIN nor PATH has one."""
    argv = [python or sys.executable, "-m", "entropylab_jupyter.kernel", "-f", "{connection_file}"]
    if binary:
        argv.append("--EntropyLabKernel.binary=%s" % os.path.abspath(os.path.expanduser(binary)))
    return {
        "argv": argv,
        "display_name": DISPLAY_NAME,
        "language": "entropylab",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def install(user=False, prefix=None, binary=None, name=KERNEL_NAME):
    """Installs the kernelspec; returns the folder it went to."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        with open(os.path.join(folder, "kernel.json"), "w") as f:
            json.dump(kernel_json(binary), f, indent=1)
        return KernelSpecManager().install_kernel_spec(folder, name, user=user, prefix=prefix)
