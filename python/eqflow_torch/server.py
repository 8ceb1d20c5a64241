"""The eqflow/1 JSON-lines server (docs/protocol.md): reads requests from stdin, answers on stdout, one line each."""
import json
import math
import sys
import traceback

import torch

from .bugs import BUGS
from .case import Case
from .errors import ProtocolError, need
from .reps import F64
from .wire import Unreadable, hello_reply, requests, server_name, write



def number(v, field):
    need(isinstance(v, (int, float)) and not isinstance(v, bool), field, f"expected a number, got {v!r}")
    need(math.isfinite(v), field, f"expected a finite number, got {v!r}", "not-finite")
    return float(v)


def vector(v, n, field):
    need(isinstance(v, list), field, f"expected an array of {n} numbers")
    need(len(v) == n, field, f"expected length {n}, got {len(v)}", "dimension-mismatch")
    # type() first: torch.tensor would turn True into 1.0 (set(map(type, v)) runs in C: 7× faster than a generator)
    if not set(map(type, v)) <= {float, int}:
        for i, x in enumerate(v):
            number(x, f"{field}[{i}]")
    return torch.tensor(v, dtype=F64)


def finite_list(x, field):
    """x as a list of floats; a non-finite entry is an error answer (JSON has no NaN)."""
    if not bool(torch.isfinite(x).all()):
        i = int((~torch.isfinite(x.reshape(-1))).nonzero()[0])
        raise ProtocolError("not-finite", field, f"the result became {float(x.reshape(-1)[i])} at entry {i}")
    return x.tolist()


class Server:
    def __init__(self, bugs=()):
        self.bugs = frozenset(bugs)
        self.name = server_name(self.bugs)
        self.sessions, self.cache, self.next = {}, {}, 1

    def open(self, spec):
        key = json.dumps(spec, sort_keys=True)
        case = self.cache.get(key)
        if case is None:
            if len(self.cache) > 32:
                self.cache.clear()  # bounded over long property runs
            case = self.cache[key] = Case(spec, self.bugs)
        sid = f"s{self.next}"
        self.next += 1
        self.sessions[sid] = case
        return {"session": sid, "dim": case.dim}

    def handle(self, msg):
        op = msg.get("op")
        if op == "open":
            return self.open(msg.get("case"))
        if op == "close":
            self.sessions.pop(msg.get("session"), None)
            return {}
        need(msg.get("session") in self.sessions, "session", f"no open session {msg.get('session')!r}")
        c = self.sessions[msg["session"]]
        A = vector(msg.get("A"), c.dim, "A")
        if op == "act":
            return {"A": finite_list(c.act(c.element(msg.get("g"), "g"), A), "A")}
        if op == "project":
            which = msg.get("which")
            need(which in ("G", "L", "E"), "which", f"expected G, L or E, got {which!r}")
            return {"A": finite_list({"G": c.pi_G, "L": c.pi_L, "E": c.pi_E}[which](A), "A")}
        if op == "risk":
            mode = msg.get("mode")
            need(mode in ("nominal", "augmented"), "mode", f"expected nominal or augmented, got {mode!r}")
            value, grad = c.risk(mode, A)
            need(math.isfinite(value), "value", f"the risk is {value}", "not-finite")
            return {"value": value, "gradient": finite_list(grad, "gradient")}
        if op == "step":
            eta, gamma = number(msg.get("eta"), "eta"), number(msg.get("gamma"), "gamma")
            return {"A": finite_list(c.step(msg.get("kind"), A, eta, gamma), "A")}
        if op == "sampledStep":
            eta, gamma = number(msg.get("eta"), "eta"), number(msg.get("gamma"), "gamma")
            el = msg.get("elements")
            need(isinstance(el, list) and len(el) == c.count, "elements", f"expected {c.count} group elements (one per sample)", "dimension-mismatch")
            el = [c.element(g, f"elements[{s}]") for s, g in enumerate(el)]
            return {"A": finite_list(c.sampled_step(A, eta, gamma, el), "A")}
        if op == "flow":
            gamma, h = number(msg.get("gamma"), "gamma"), number(msg.get("step"), "step")
            need(h > 0, "step", f"expected a step > 0, got {h}")
            times = msg.get("times")
            need(isinstance(times, list), "times", "expected an array of times")
            times = [number(t, f"times[{k}]") for k, t in enumerate(times)]
            return {"points": [finite_list(p, "points") for p in c.flow(msg.get("kind"), A, gamma, times, h)]}
        raise ProtocolError("unsupported", "op", f"unknown op {op!r}")

    def answer(self, msg):
        if "hello" in msg:
            return hello_reply(msg, self.name)
        rid = msg.get("id")
        try:
            with torch.no_grad() if msg.get("op") in ("act", "project") else _nothing():
                return {"id": rid, **self.handle(msg)}
        except ProtocolError as e:
            return {"id": rid, "error": {"code": e.code, "field": e.field, "message": e.message}}
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            traceback.print_exc(file=sys.stderr)
            return {"id": rid, "error": {"code": "invalid-argument", "message": f"{type(e).__name__}: {e}"}}
        except Exception as e:  # noqa: BLE001 - any other failure is answered, never a silent exit
            traceback.print_exc(file=sys.stderr)
            return {"id": rid, "error": {"code": "internal", "message": f"{type(e).__name__}: {e}"}}


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


MAX_BATCH = 256
BATCH_ENTRIES = 4_000_000  # activations of one batched evaluation (float64 entries), to bound memory


def batch_limit(case):
    """How many risk requests of this case one batched evaluation takes: many for small networks, one for the paper CNN."""
    rows = case.batch_rows
    width = max(case.model.widths + [b[0] * b[4] * b[4] * (4 if b[1] else 1) for b in getattr(case.model, "blocks", [])])
    return max(1, min(MAX_BATCH, BATCH_ENTRIES // max(1, rows * width)))


class Batcher:
    """Answers a list of requests in order, evaluating consecutive `risk` requests on the same session and mode in
    one batched autograd call (Case.risks). Requests only arrive together when the client pipelines them."""

    def __init__(self, server):
        self.server = server

    def batchable(self, msg):
        s = self.server
        return (isinstance(msg, dict) and msg.get("op") == "risk" and msg.get("session") in s.sessions
                and msg.get("mode") in ("nominal", "augmented") and isinstance(msg.get("A"), list)
                and len(msg["A"]) == s.sessions[msg["session"]].dim)

    def answer_all(self, msgs):
        out, i = [], 0
        while i < len(msgs):
            j = i
            if self.batchable(msgs[i]):
                key = (msgs[i]["session"], msgs[i]["mode"])
                limit = batch_limit(self.server.sessions[key[0]])
                while j + 1 < len(msgs) and j + 1 - i < limit and self.batchable(msgs[j + 1]) and (msgs[j + 1]["session"], msgs[j + 1]["mode"]) == key:
                    j += 1
            if j > i:
                out.extend(self.risks(msgs[i:j + 1]))
            else:
                out.append(msgs[i].reply if isinstance(msgs[i], Unreadable) else self.server.answer(msgs[i]))
            i = j + 1
        return out

    def risks(self, msgs):
        case = self.server.sessions[msgs[0]["session"]]
        try:
            As = torch.stack([vector(m["A"], case.dim, "A") for m in msgs])
            values, grads = case.risks(msgs[0]["mode"], As)
        except ProtocolError:
            return [self.server.answer(m) for m in msgs]  # each request gets its own error answer
        out = []
        for m, v, g in zip(msgs, values, grads):
            if math.isfinite(v) and bool(torch.isfinite(g).all()):
                out.append({"id": m.get("id"), "value": v, "gradient": g.tolist()})
            else:
                out.append(self.server.answer(m))
        return out


def serve(bugs=(), inp=None, out=None, groups=None):
    """Answers requests until stdin closes (the protocol's shutdown); `groups` continues a stream of requests."""
    unknown = [b for b in bugs if b not in BUGS]
    if unknown:
        raise SystemExit(f"unknown bug {unknown[0]!r} (known: {', '.join(BUGS)})")
    batcher = Batcher(Server(bugs))
    out = out or sys.stdout.buffer
    for msgs in groups if groups is not None else requests(inp or sys.stdin.buffer):
        write(out, batcher.answer_all(msgs))
