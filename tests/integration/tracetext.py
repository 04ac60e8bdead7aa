"""Parse the text of the shell's `trace dump` (kernel/trace.c trace_format) into records:

    6.382352237 hardirq:selftest(224)      B hardirq              pkt=0    vector=224 gsi=-1

Fields: t (seconds, float), ctx ("hardirq:selftest(224)"), kind ("hardirq"), cid (the
number in parentheses or the softirq name), phase (B, E or i), event, pkt, args (dict)."""
import re

LINE = re.compile(r"^\s*(\d+)\.(\d{9}) (\S+)\s+([BEi]) (\S+)\s+pkt=(\d+)\s*(.*)$")
CTX = re.compile(r"^(\w+):(.*?)(?:\((\d+)\))?$")


class Rec:
    def __init__(self, m):
        self.t = int(m.group(1)) + int(m.group(2)) / 1e9
        self.ctx = m.group(3)
        c = CTX.match(self.ctx)
        self.kind = c.group(1)
        self.cname = c.group(2)
        self.cid = int(c.group(3)) if c.group(3) else c.group(2)
        self.phase = m.group(4)
        self.event = m.group(5)
        self.pkt = int(m.group(6))
        self.args = dict(kv.split("=", 1) for kv in m.group(7).split() if "=" in kv)

    def arg(self, k):
        return int(self.args[k], 0) if k in self.args else None

    def __repr__(self):
        return "%.9f %s %s %s %s" % (self.t, self.ctx, self.phase, self.event, self.args)


def parse(text):
    """Returns (records, malformed lines). Comment lines (#) are skipped."""
    recs, bad = [], []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = LINE.match(line)
        if m:
            recs.append(Rec(m))
        else:
            bad.append(line)
    return recs, bad


def find(recs, event, start=0, **args):
    """Index of the first record at or after start with this event and these args."""
    for i in range(start, len(recs)):
        r = recs[i]
        if r.event == event and all(r.arg(k) == v for k, v in args.items()):
            return i
    return -1
