"""Decoding the binary trace stream (COM2) into records (docs/trace-format.md).

A stream is a sequence of chunks, each a 12-byte header (magic "SQTR", type, reserved,
payload length) and a payload. The HEADER chunk carries the event table, so event ids
are never hard-coded here: a record's event is looked up in the table of the last
HEADER seen. The reader is forgiving, because a serial line is not a file system:

- bytes that are not a chunk (the firmware's own COM2 output before the kernel, noise)
  are skipped up to the next magic that starts a plausible chunk header;
- a chunk cut short (the file ends, or a new chunk starts inside its claimed length) is
  decoded as far as it is whole;
- records whose event, phase or context kind are out of range are dropped and counted;
- a missing END is reported, not fatal; records that arrive before any HEADER are
  decoded with the first HEADER that follows;
- trace_lost records are kept (the ring overflowed); gaps in the per-CPU sequence numbers
  without such a marker (a chunk lost in transit) are reported and marked with a
  synthetic trace_lost record so later stages treat both the same way.

Everything found wrong goes to Trace.problems (text), never to an exception, unless
nothing at all could be decoded (StreamError)."""
import struct

MAGIC = 0x52545153
MAGIC_BYTES = struct.pack("<I", MAGIC)
CHUNK_HDR = struct.Struct("<IHHI")
REC = struct.Struct("<QQQQHBBIHHI")
REC_SIZE = REC.size  # 48
HEADER_FIXED = struct.Struct("<IIQQII")
NAME_ENTRY = struct.Struct("<B3xI32s")

CHUNK_HEADER, CHUNK_NAMES, CHUNK_RECORDS, CHUNK_END, CHUNK_INFO = 1, 2, 3, 4, 5
CHUNK_TYPES = {CHUNK_HEADER: "HEADER", CHUNK_NAMES: "NAMES", CHUNK_RECORDS: "RECORDS",
               CHUNK_END: "END", CHUNK_INFO: "INFO"}
MAX_CHUNK = 64 << 20

# Event kinds, phases and context kinds (include/seqos/trace.h).
STEP, INSTANT, HANDOFF, COUNTER = 0, 1, 2, 3
KIND_NAMES = ("STEP", "INSTANT", "HANDOFF", "COUNTER")
BEGIN, END, POINT = 1, 2, 3
PHASE_CHARS = {BEGIN: "B", END: "E", POINT: "i"}
CTX_THREAD, CTX_HARDIRQ, CTX_SOFTIRQ, CTX_TASKLET, CTX_WORK, CTX_TIMER, CTX_VECTOR = range(1, 8)
CTX_KIND_NAMES = {1: "thread", 2: "hardirq", 3: "softirq", 4: "tasklet", 5: "work",
                  6: "timer", 7: "vector"}
SOFTIRQ_NAMES = ("HI", "TIMER", "NET_TX", "NET_RX", "TASKLET")
CATEGORY_NAMES = ("core", "irq", "sched", "work", "timer", "net", "tcp", "sock")


class StreamError(Exception):
    """Raised when a file holds no decodable trace at all."""


def category_name(bits):
    """'net' for the category bit TRC_NET; '+'-joined when several bits are set."""
    names = [CATEGORY_NAMES[i] for i in range(8) if bits & (1 << i)]
    return "+".join(names) if names else "none"


def parse_format(fmt):
    """The two arguments of an event's format ("to=%#lx vec=%lu"): [(name, conversion,
    alternate form)] -> [("to", "x", True), ("vec", "u", False)]. Positions without a
    name= prefix are called a0/a1."""
    out, i, n = [], 0, len(fmt)
    while i < n and len(out) < 2:
        j = fmt.find("%", i)
        if j < 0:
            break
        if fmt.startswith("%%", j):
            i = j + 2
            continue
        k = j + 1
        while k < n and fmt[k] in "#-+ 0123456789.":
            k += 1
        flags = fmt[j + 1:k]
        while k < n and fmt[k] in "lhzjt":
            k += 1
        conv = fmt[k] if k < n else "u"
        name = "a%d" % len(out)
        if j > 0 and fmt[j - 1] == "=":
            s = j - 1
            while s > 0 and not fmt[s - 1].isspace():
                s -= 1
            name = fmt[s:j - 1] or name
        out.append((name, conv, "#" in flags))
        i = k + 1
    while len(out) < 2:
        out.append(("a%d" % len(out), "u", False))
    return out


def arg_names(fmt):
    """The names of the two arguments in an event's format ("to=%#lx vec=%lu" ->
    ["to", "vec"])."""
    return [a[0] for a in parse_format(fmt)]


def format_value(conv, alt, v):
    """One argument as the kernel's printf would show it."""
    if conv in "xX":
        return ("%#x" if alt else "%x") % v
    if conv in "di":
        return str(v - (1 << 64) if v >= 1 << 63 else v)
    if conv == "o":
        return "%o" % v
    return str(v)


class EventDesc:
    """One entry of the stream's event table."""
    __slots__ = ("id", "name", "kind", "category", "fmt", "args", "convs")

    def __init__(self, eid, name, kind, category, fmt):
        self.id, self.name, self.kind, self.category, self.fmt = eid, name, kind, category, fmt
        parsed = parse_format(fmt)
        self.args = [a[0] for a in parsed]
        self.convs = [(a[1], a[2]) for a in parsed]

    @property
    def cat(self):
        return category_name(self.category)

    def __repr__(self):
        return "EventDesc(%d %s %s)" % (self.id, self.name, KIND_NAMES[self.kind])


class Rec:
    """One 48-byte record, decoded; ns is nanoseconds since the boot hand-off."""
    __slots__ = ("tsc", "pkt", "a0", "a1", "ev", "phase", "ctx_kind", "ctx_id", "cpu",
                 "flags", "seq", "ns", "idx", "host", "synthetic",
                 # filled in by model.build(): order, track, slice (begun/ended/enclosing)
                 "order", "track", "slice", "target", "cause", "run")

    def __init__(self, t, ev, ns, idx):
        (self.tsc, self.pkt, self.a0, self.a1, _, self.phase, self.ctx_kind, self.ctx_id,
         self.cpu, self.flags, self.seq) = t
        self.ev, self.ns, self.idx = ev, ns, idx
        self.host = None
        self.synthetic = False
        self.order = idx
        self.track = self.slice = self.target = self.cause = self.run = None

    @property
    def name(self):
        return self.ev.name

    @property
    def ctx(self):
        return (self.ctx_kind, self.ctx_id)

    def arg(self, name):
        """An argument by the name its format gives it; None when there is none."""
        a = self.ev.args
        if a[0] == name:
            return self.a0
        if a[1] == name:
            return self.a1
        return None

    def args(self):
        """The two arguments as {name: value}, without '-' placeholders."""
        return {k: v for k, v in zip(self.ev.args, (self.a0, self.a1)) if k != "-"}

    def args_text(self):
        """The two arguments as {name: text}, formatted as the event's format says."""
        out = {}
        for k, (conv, alt), v in zip(self.ev.args, self.ev.convs, (self.a0, self.a1)):
            if k != "-":
                out[k] = format_value(conv, alt, v)
        return out

    def __repr__(self):
        return "<%d ns cpu%d %s:%d %s %s pkt=%d a0=%#x a1=%#x>" % (
            self.ns, self.cpu, CTX_KIND_NAMES.get(self.ctx_kind, "?"), self.ctx_id,
            PHASE_CHARS.get(self.phase, "?"), self.ev.name, self.pkt, self.a0, self.a1)


class Trace:
    """Everything one stream says: schema, names, info, records and what went wrong."""

    def __init__(self, source="stream"):
        self.source = source
        self.version = None
        self.record_size = REC_SIZE
        self.tsc_hz = 0
        self.boot_tsc = 0
        self.ncpus = 1
        self.events = []          # EventDesc, index = event id (latest HEADER)
        self.names = {}           # (ctx kind, id) -> name
        self.info = {}            # INFO key=value
        self.records = []         # Rec, in stream order
        self.end = None           # (written, lost) from END, None when missing
        self.headers = 0
        self.skipped_bytes = 0    # not part of any chunk (firmware output, noise)
        self.problems = []        # what was wrong, as text
        self.bad_records = 0
        self.gaps = 0             # sequence gaps without a trace_lost marker
        self.host = None          # label given by the caller (model / cli)

    # ------------------------------------------------------------------ queries
    def event(self, name):
        """The EventDesc called name, or None."""
        for e in self.events:
            if e.name == name:
                return e
        return None

    @property
    def lost(self):
        """Records the kernel reported lost (trace_lost markers), plus sequence gaps."""
        return sum(r.a0 for r in self.records if r.ev.name == "trace_lost")

    def ns(self, tsc):
        if not self.tsc_hz:
            return tsc
        d = tsc - self.boot_tsc
        return d * 1000000000 // self.tsc_hz

    def ctx_name(self, kind, cid):
        """The name the kernel registered for a context (vectors for hard IRQs)."""
        if kind == CTX_HARDIRQ:
            return self.names.get((CTX_VECTOR, cid), "")
        return self.names.get((kind, cid), "")

    def ctx_label(self, kind, cid):
        """The kernel's text form of a context: thread:shell(4), softirq:NET_RX, ..."""
        if kind == CTX_SOFTIRQ and cid < len(SOFTIRQ_NAMES):
            return "softirq:" + SOFTIRQ_NAMES[cid]
        return "%s:%s(%d)" % (CTX_KIND_NAMES.get(kind, "?"), self.ctx_name(kind, cid), cid)


def _plausible(data, off, end):
    """True when a chunk header that could be real starts at off."""
    if off + 12 > end:
        return False
    magic, typ, res, length = CHUNK_HDR.unpack_from(data, off)
    if magic != MAGIC or typ not in CHUNK_TYPES or res != 0 or length > MAX_CHUNK:
        return False
    if typ == CHUNK_RECORDS:
        if length < 8 or (length - 8) % REC_SIZE:
            return False
        if off + 20 <= end:
            count = struct.unpack_from("<I", data, off + 16)[0]
            return length == 8 + count * REC_SIZE
    if typ == CHUNK_END:
        return length == 16
    if typ == CHUNK_NAMES:
        return length % NAME_ENTRY.size == 0
    return True


def _next_chunk(data, start, end):
    """Offset of the next plausible chunk header in data[start:end], or -1."""
    off = start
    while True:
        off = data.find(MAGIC_BYTES, off, end)
        if off < 0:
            return -1
        if _plausible(data, off, len(data)):
            return off
        off += 1


def decode(data, source="stream"):
    """Decodes a whole stream held in bytes; returns a Trace."""
    t = Trace(source)
    dec = _Decoder(t)
    n = len(data)
    off = 0
    while off < n:
        at = _next_chunk(data, off, n)
        if at < 0:
            if n - off:
                t.skipped_bytes += n - off
                if t.headers or t.records:
                    t.problems.append("%d bytes after offset %d are not a chunk" % (n - off, off))
            break
        if at > off:
            t.skipped_bytes += at - off
            if t.headers:  # before the first header this is the firmware talking
                t.problems.append("skipped %d bytes of garbage at offset %d" % (at - off, off))
        _, typ, _, length = CHUNK_HDR.unpack_from(data, at)
        pstart = at + 12
        pend = pstart + length
        cut = False
        # A chunk is whole unless the file ends inside it or another chunk starts
        # inside it (the rest of this one was lost on the way).
        inner = _next_chunk(data, pstart, min(pend, n))
        if inner >= 0:
            pend, cut = inner, True
        elif pend > n:
            pend, cut = n, True
        if cut:
            t.problems.append("%s chunk at offset %d cut short: %d of %d bytes" % (
                CHUNK_TYPES[typ], at, pend - pstart, length))
        dec.chunk(typ, data, pstart, pend, cut, at)
        off = pend if cut else pstart + length
    dec.finish()
    if not t.headers and not t.records:
        raise StreamError("%s: no seqos trace stream found (%d bytes)" % (source, n))
    return t


def read(path):
    """Reads and decodes a stream file."""
    with open(path, "rb") as f:
        return decode(f.read(), path)


class _Decoder:
    """Chunk-by-chunk decoding state (the current event table, sequence numbers)."""

    def __init__(self, t):
        self.t = t
        self.pending = []        # raw records seen before any HEADER
        self.last_seq = {}       # cpu -> seq of the last record
        self.after_marker = {}   # cpu -> last record was a reader-side trace_lost
        self.meta = {}           # (kind, id) -> {chunk index: 16 bytes}

    def chunk(self, typ, data, s, e, cut, at):
        t = self.t
        if typ == CHUNK_HEADER:
            self.header(data, s, e, at)
        elif typ == CHUNK_NAMES:
            for o in range(s, e - NAME_ENTRY.size + 1, NAME_ENTRY.size):
                kind, cid, raw = NAME_ENTRY.unpack_from(data, o)
                t.names[(kind, cid)] = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        elif typ == CHUNK_RECORDS:
            if e - s < 8:
                return
            o = s + 8
            count = struct.unpack_from("<I", data, s + 4)[0]
            whole = (e - o) // REC_SIZE
            if whole < count and not cut:
                t.problems.append("RECORDS chunk at offset %d holds %d of %d records" % (at, whole, count))
            for i in range(min(count, whole)):
                self.record(data[o + i * REC_SIZE:o + (i + 1) * REC_SIZE])
        elif typ == CHUNK_END:
            if e - s >= 16:
                t.end = struct.unpack_from("<QQ", data, s)
        elif typ == CHUNK_INFO:
            for line in data[s:e].decode("utf-8", "replace").splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    t.info[k.strip()] = v.strip()

    def header(self, data, s, e, at):
        t = self.t
        if e - s < HEADER_FIXED.size:
            t.problems.append("HEADER at offset %d too short" % at)
            return
        version, rsize, hz, boot, ncpus, nev = HEADER_FIXED.unpack_from(data, s)
        if rsize != REC_SIZE:
            t.problems.append("HEADER at offset %d: record size %d, expected %d" % (at, rsize, REC_SIZE))
            return
        events, o = [], s + HEADER_FIXED.size
        for i in range(nev):
            if o + 6 > e:
                break
            kind, cat, nl, fl = struct.unpack_from("<BBHH", data, o)
            o += 6
            if o + nl + fl > e:
                break
            name = data[o:o + nl].decode("utf-8", "replace")
            fmt = data[o + nl:o + nl + fl].decode("utf-8", "replace")
            o += nl + fl
            events.append(EventDesc(i, name, kind if kind <= COUNTER else INSTANT, cat, fmt))
        if len(events) < nev:
            t.problems.append("HEADER at offset %d: %d of %d events readable" % (at, len(events), nev))
        if t.version is not None and (t.tsc_hz, t.boot_tsc) != (hz, boot):
            t.problems.append("HEADER at offset %d: clock changed (a different boot?)" % at)
        t.version, t.record_size, t.tsc_hz, t.boot_tsc, t.ncpus = version, rsize, hz, boot, ncpus
        t.events = events
        t.headers += 1
        self.last_seq.clear()
        if self.pending:
            raw, self.pending = self.pending, []
            t.problems.append("%d records before the first HEADER, decoded with it" % len(raw))
            for r in raw:
                self.record(r)

    def record(self, raw):
        t = self.t
        if not t.events:
            self.pending.append(raw)
            return
        v = REC.unpack(raw)
        ev_id, phase, ck = v[4], v[5], v[6]
        if ev_id >= len(t.events) or phase not in PHASE_CHARS or not 1 <= ck <= 6:
            t.bad_records += 1
            return
        ev = t.events[ev_id]
        r = Rec(v, ev, t.ns(v[0]), len(t.records))
        cpu = r.cpu
        prev = self.last_seq.get(cpu)
        is_marker = ev.name == "trace_lost"
        if prev is not None and r.seq != (prev + 1) & 0xffffffff and not is_marker:
            # The reader's own trace_lost marker carries the next record's seq.
            if not (self.after_marker.get(cpu) and r.seq == prev):
                missing = (r.seq - prev - 1) & 0xffffffff
                t.gaps += 1
                t.problems.append("cpu%d: %d records missing before seq %d (no trace_lost marker)" % (
                    cpu, missing, r.seq))
                self.synthetic_loss(r, missing)
        self.last_seq[cpu] = r.seq
        self.after_marker[cpu] = is_marker
        if ev.name == "trace_meta":
            self.meta_name(r)
        t.records.append(r)

    def synthetic_loss(self, r, missing):
        lost_ev = self.t.event("trace_lost")
        if lost_ev is None:
            return
        m = Rec((r.tsc, 0, missing, r.tsc, lost_ev.id, POINT, r.ctx_kind, r.ctx_id, r.cpu, 0,
                 r.seq), lost_ev, r.ns, len(self.t.records))
        m.synthetic = True
        self.t.records.append(m)
        r.idx = len(self.t.records)

    def meta_name(self, r):
        key = ((r.pkt >> 32) & 0xff, r.pkt & 0xffffffff)
        parts = self.meta.setdefault(key, {})
        if r.flags == 0:
            parts.clear()
        parts[r.flags] = struct.pack("<QQ", r.a0, r.a1)
        raw = b"".join(parts[i] for i in sorted(parts))
        self.t.names[key] = raw.split(b"\0", 1)[0].decode("utf-8", "replace")

    def finish(self):
        t = self.t
        if self.pending:
            t.problems.append("%d records but no HEADER: cannot decode them" % len(self.pending))
        if t.headers and t.end is None:
            t.problems.append("no END chunk: the stream is incomplete")
        if t.bad_records:
            t.problems.append("%d records with an unknown event, phase or context dropped" % t.bad_records)


def printf(fmt, a0, a1):
    """fmt (the kernel's printf text for an event) applied to a0 and a1."""
    out, i, n, vals = [], 0, len(fmt), [a0, a1]
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        if fmt.startswith("%%", j):
            out.append("%")
            i = j + 2
            continue
        k = j + 1
        while k < n and fmt[k] in "#-+ 0123456789.":
            k += 1
        flags = fmt[j + 1:k]
        while k < n and fmt[k] in "lhzjt":
            k += 1
        conv = fmt[k] if k < n else "u"
        v = vals.pop(0) if vals else 0
        if conv in "di":
            v = v - (1 << 64) if v >= 1 << 63 else v
            spec = "%" + flags + "d"
        elif conv in "xXo":
            spec = "%" + flags + conv
        elif conv == "c":
            spec, v = "%c", v & 0xff
        else:
            spec = "%" + flags + "d"
        try:
            out.append(spec % v)
        except (TypeError, ValueError):
            out.append(str(v))
        i = k + 1
    return "".join(out)


def format_text(t, r):
    """One record as the kernel's `trace dump` prints it (kernel/trace.c trace_format), so
    tests/integration/tracetext.py parses both."""
    ns = r.ns
    sec, frac = divmod(ns, 1000000000)
    ctx = t.ctx_label(r.ctx_kind, r.ctx_id)
    head = "%5d.%09d %-26s %s %-20s pkt=%-4d " % (sec, frac, ctx, PHASE_CHARS[r.phase], r.ev.name,
                                                 r.pkt)
    if r.ev.name == "trace_meta":
        raw = struct.pack("<QQ", r.a0, r.a1).split(b"\0", 1)[0].decode("utf-8", "replace")
        return head + "name[%d]=%s" % (r.flags, raw)
    if r.phase == END:
        return head
    return head + printf(r.ev.fmt, r.a0, r.a1)
