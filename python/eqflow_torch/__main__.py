"""python -m eqflow_torch [--bug NAME]... | --list-bugs — serve eqflow/1 from PyTorch (docs/protocol.md).

The handshake is answered before torch is imported (that import can outlast eqflow's handshake timeout on a
loaded machine): torch is imported by a background thread meanwhile, and the first request waits for it."""
import argparse
import importlib
import itertools
import sys
import threading

from .bugs import BUGS
from .wire import hello_reply, requests, server_name, write


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m eqflow_torch", description="An eqflow/1 implementation in PyTorch (float64).")
    p.add_argument("--bug", action="append", default=[], choices=sorted(BUGS), help="plant a bug (repeatable)")
    p.add_argument("--list-bugs", action="store_true", help="print the planted bugs' names, one per line")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    args = p.parse_args(argv)
    if args.list_bugs:
        sys.stdout.write("".join(f"{name}\n" for name in BUGS))
        return
    threading.Thread(target=importlib.import_module, args=("torch",), daemon=True).start()
    stream = requests(sys.stdin.buffer)
    first = []
    for msgs in stream:
        while msgs and isinstance(msgs[0], dict) and "hello" in msgs[0]:
            write(sys.stdout.buffer, [hello_reply(msgs.pop(0), server_name(args.bug))])
        if msgs:
            first = [msgs]
            break
    if not first:
        return  # stdin closed after the handshake
    import torch  # waits for the background import

    from .server import serve
    torch.set_num_threads(args.threads)
    serve(args.bug, groups=itertools.chain(first, stream))


if __name__ == "__main__":
    main()
