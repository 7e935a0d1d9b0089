"""The ``mxjax`` command: ``mxjax tutorial`` runs MXNet's Module tutorial on the shipped data."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mxjax`` console script."""
    parser = argparse.ArgumentParser(prog="mxjax", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    tut = sub.add_parser("tutorial", help="run MXNet's Module tutorial (UCI letter MLP)")
    tut.add_argument("--epochs", type=int, default=8,
                     help="epochs of the fit phase (default 8, as in the tutorial)")
    tut.add_argument("--context", default="cpu",
                     help="device: cpu, gpu, cpu(1), gpu(0) ... (default cpu)")
    tut.add_argument("--workdir", default=".",
                     help="where checkpoint files are written (default: current directory)")
    tut.add_argument("--quick", action="store_true",
                     help="fewer epochs in every phase (a smoke test)")
    args = parser.parse_args(argv)
    if args.command == "tutorial":
        from .tutorial import run

        run(num_epoch=args.epochs, context=args.context, workdir=args.workdir,
            quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
