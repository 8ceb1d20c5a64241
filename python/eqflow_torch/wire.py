"""eqflow/1 framing without torch (docs/protocol.md §1, §3): JSON lines, the handshake, reading pipelined requests.

Kept free of torch so that the handshake is answered at once: importing torch can take longer than eqflow's
handshake timeout on a loaded machine; it is imported after the handshake, with the first request."""
import importlib.metadata
import json
import os
import select

from .errors import ProtocolError, need

PROTOCOL = "eqflow/1"
CAPABILITIES = ["action", "projectors", "risk", "step", "sampled-step", "flow", "perm-generators"]


def server_name(bugs):
    """The name announced in the handshake (the same on every restart), with torch's version from its metadata."""
    try:
        version = importlib.metadata.version("torch").split("+")[0]
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    suffix = f" with bug {'+'.join(sorted(bugs))}" if bugs else ""
    return f"eqflow_torch (torch {version}, float64){suffix}"


def hello_reply(msg, name):
    if msg.get("hello") != PROTOCOL:
        return {"error": {"code": "unsupported", "message": f"this implementation speaks {PROTOCOL}, not {msg.get('hello')!r}"}}
    return {"protocol": PROTOCOL, "name": name, "capabilities": CAPABILITIES}


class Unreadable:
    """A line that is not a JSON object, with its error answer."""

    def __init__(self, reply):
        self.reply = reply


def parse(line):
    """A request object, or Unreadable for a line that is not one."""
    try:
        msg = json.loads(line)
        need(isinstance(msg, dict), "request", "expected a JSON object")
        return msg
    except (ValueError, ProtocolError) as e:
        return Unreadable({"error": {"code": "invalid-argument", "message": f"not a JSON object: {e}"}})


def lines_available(inp):
    """Blocks for input, then yields every complete line already available as one list (pipelined requests arrive
    together); ends at EOF. Inputs without a file descriptor are read line by line."""
    try:
        fd = inp.fileno()
    except (AttributeError, OSError, ValueError):
        for raw in inp:
            yield [raw]
        return
    buf, eof = b"", False
    while not eof:
        chunk = os.read(fd, 1 << 20)
        eof = not chunk
        buf += chunk
        while not eof and select.select([fd], [], [], 0)[0]:
            more = os.read(fd, 1 << 20)
            eof = not more
            buf += more
        *complete, buf = buf.split(b"\n")
        if eof and buf:
            complete.append(buf)
        yield complete


def requests(inp):
    """The parsed requests of each group of available lines (blank lines dropped)."""
    for group in lines_available(inp):
        msgs = [parse(raw.decode("utf-8")) for raw in group if raw.strip()]
        if msgs:
            yield msgs


def write(out, replies):
    """One JSON line per reply, flushed. allow_nan=False: NaN/Infinity are not JSON; float repr round-trips."""
    out.write("".join(json.dumps(r, allow_nan=False, separators=(",", ":")) + "\n" for r in replies).encode("utf-8"))
    out.flush()
