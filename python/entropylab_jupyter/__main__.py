"""``python -m entropylab_jupyter``: install the kernelspec, convert notebooks."""

import argparse
import sys

from .binary import BinaryNotFound, check_executable


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m entropylab_jupyter",
        description="Jupyter support for EntropyLab: the kernelspec and notebook conversion.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    inst = sub.add_parser("install", help="install the EntropyLab kernelspec")
    where = inst.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for this user (~/.local/share/jupyter)")
    where.add_argument("--sys-prefix", action="store_true", help="into this Python's prefix (a virtualenv)")
    where.add_argument("--prefix", metavar="DIR", help="into DIR/share/jupyter/kernels")
    inst.add_argument(
        "--binary",
        metavar="PATH",
        help="the entropy-lab binary, for when neither $ENTROPYLAB_BIN nor PATH has one",
    )
    inst.add_argument("--name", default="entropylab", help="the kernel's name (default: entropylab)")

    to_ipynb = sub.add_parser("to-ipynb", help="convert an EntropyLab notebook (.md) to .ipynb")
    to_ipynb.add_argument("source")
    to_ipynb.add_argument("target")
    to_md = sub.add_parser("to-md", help="convert a .ipynb to an EntropyLab notebook (.md)")
    to_md.add_argument("source")
    to_md.add_argument("target")

    args = parser.parse_args(argv)
    if args.command == "install":
        import sys as _sys

        from .install import install

        if args.binary:
            try:
                check_executable(args.binary)
            except BinaryNotFound as error:
                parser.error(str(error))
        prefix = _sys.prefix if args.sys_prefix else args.prefix
        folder = install(user=args.user, prefix=prefix, binary=args.binary, name=args.name)
        print("installed the EntropyLab kernelspec '%s' in %s" % (args.name, folder))
        return 0
    from . import convert

    try:
        if args.command == "to-ipynb":
            cells = convert.md_file_to_ipynb(args.source, args.target)
        else:
            cells = convert.ipynb_file_to_md(args.source, args.target)
    except (OSError, convert.NotebookFormatError) as error:
        print("error: %s" % error, file=sys.stderr)
        return 65 if isinstance(error, convert.NotebookFormatError) else 66
    print("wrote %s (%d command%s)" % (args.target, cells, "" if cells == 1 else "s"), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
