"""Error answers of the eqflow/1 protocol (docs/protocol.md §5): a code, the offending field, a sentence."""


class ProtocolError(Exception):
    """An error answered as {"code", "field", "message"}; codes are eqflow's EqflowError codes."""

    def __init__(self, code, field, message):
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


def need(ok, field, message, code="invalid-argument"):
    """Raises ProtocolError(code, field, message) unless ok."""
    if not ok:
        raise ProtocolError(code, field, message)


def integer(v, field, lo=0, hi=None):
    """v as a Python int in lo..hi (JSON integers only: no bool, no float)."""
    need(isinstance(v, int) and not isinstance(v, bool) and v >= lo and (hi is None or v <= hi), field,
         f"expected an integer in {lo}..{'' if hi is None else hi}, got {v!r}")
    return v
