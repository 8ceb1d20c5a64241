"""python -m eqflow_torch [--bug NAME]... | --list-bugs — serve eqflow/1 from PyTorch (docs/protocol.md)."""
import argparse
import sys

import torch

from .bugs import BUGS
from .server import serve


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m eqflow_torch", description="An eqflow/1 implementation in PyTorch (float64).")
    p.add_argument("--bug", action="append", default=[], choices=sorted(BUGS), help="plant a bug (repeatable)")
    p.add_argument("--list-bugs", action="store_true", help="print the planted bugs' names, one per line")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    args = p.parse_args(argv)
    if args.list_bugs:
        sys.stdout.write("".join(f"{name}\n" for name in BUGS))
        return
    torch.set_num_threads(args.threads)
    serve(args.bug)


if __name__ == "__main__":
    main()
