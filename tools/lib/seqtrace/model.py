"""The execution model of one machine's trace: tracks, slices and hand-offs.

A track is one execution context on one CPU (thread:server(5) on cpu0, softirq:NET_RX on
cpu0, ...). Records of STEP events become slices on their track, nested as the kernel's
begin/end records say; what the stream lost is repaired here, and every repair is
counted, so the outputs always nest properly:

- an end whose begin is missing (before the trace started, or lost) is dropped;
- an end that matches a slice deeper in the stack closes the slices above it ("repair");
- a new activation of a hard IRQ, softirq, tasklet, timer or work item while the last
  one is still open on the same track closes the stale one (its end was lost);
- slices still open when the stream ends are closed at its last record ("eof").

A HANDOFF record (raise_softirq, napi_schedule, netif_rx, tasklet_schedule, queue_work,
wake_up, ksoftirqd_wakeup, ...) names its target context in a0 as TRACE_CTX(kind, id).
It is resolved to the record that starts the target's next activation: for a thread,
the sched_switch that switches to it (or its own next record when it was running
already); for the other kinds, the next depth-0 begin on the same CPU. rec.target is
that record; rec.cause (or Host.switch_causes for a switch) lists the hand-offs that led
to it. sched_switch records (written by the thread leaving) also give the Runs: which
thread ran on each CPU when."""
import heapq

from .stream import (BEGIN, END, HANDOFF, CTX_THREAD, CTX_HARDIRQ, CTX_SOFTIRQ, CTX_TASKLET,
                     CTX_WORK, CTX_TIMER)

# Track order within a CPU, as a reader of function_graph expects: interrupts first.
KIND_ORDER = {CTX_HARDIRQ: 0, CTX_SOFTIRQ: 1, CTX_TASKLET: 2, CTX_TIMER: 3, CTX_WORK: 4,
              CTX_THREAD: 5}


def target_ctx(a0):
    """(kind, id) a HANDOFF record's a0 names (TRACE_CTX(kind, id))."""
    return (a0 >> 32) & 0xff, a0 & 0xffffffff


class Slice:
    """One STEP, from its begin record to its end (real or repaired)."""
    __slots__ = ("track", "ev", "begin", "end", "end_ns", "depth", "parent", "closed_by",
                 "children")

    def __init__(self, track, begin, depth, parent):
        self.track, self.ev, self.begin = track, begin.ev, begin
        self.end, self.end_ns, self.depth, self.parent = None, None, depth, parent
        self.closed_by = None
        self.children = 0

    @property
    def name(self):
        return self.ev.name

    @property
    def start_ns(self):
        return self.begin.ns

    @property
    def dur(self):
        return self.end_ns - self.begin.ns

    @property
    def pkt(self):
        return self.begin.pkt

    def ancestors(self):
        """Enclosing slices, innermost first."""
        s = self.parent
        while s is not None:
            yield s
            s = s.parent

    def __repr__(self):
        return "<Slice %s %s @%d +%s>" % (self.track.label, self.name, self.start_ns,
                                          None if self.end_ns is None else self.dur)


class Run:
    """A thread running on a CPU, from the sched_switch that switched to it (start; None
    for the thread found running when the trace began) to the one that switched away."""
    __slots__ = ("host", "cpu", "tid", "start_ns", "start", "end_ns", "end")

    def __init__(self, host, cpu, tid, ns, start):
        self.host, self.cpu, self.tid, self.start_ns, self.start = host, cpu, tid, ns, start
        self.end_ns = self.end = None

    @property
    def label(self):
        return self.host.trace.ctx_label(CTX_THREAD, self.tid)

    @property
    def dur(self):
        return self.end_ns - self.start_ns


class Track:
    """One execution context on one CPU of one host."""

    def __init__(self, host, cpu, kind, cid):
        self.host, self.cpu, self.kind, self.id = host, cpu, kind, cid
        self.recs = []
        self.slices = []
        self.stack = []

    @property
    def key(self):
        return (self.cpu, self.kind, self.id)

    @property
    def label(self):
        return self.host.trace.ctx_label(self.kind, self.id)

    @property
    def name(self):
        return self.host.trace.ctx_name(self.kind, self.id)

    def sort_key(self):
        return (self.cpu, KIND_ORDER.get(self.kind, 9), self.id)

    def __repr__(self):
        return "<Track cpu%d %s>" % (self.cpu, self.label)


class Host:
    """One machine's trace, built into tracks, slices and resolved hand-offs."""

    def __init__(self, trace, index=0, label=None):
        self.trace = trace
        self.index = index
        self.label = label or trace.info.get("hostname") or trace.info.get("host") or \
            "host%d" % index
        trace.host = self.label
        self.tracks = {}
        self.records = []       # merged over CPUs, in causal order
        self.slices = []
        self.handoffs = []
        self.repairs = {"orphan_end": 0, "repair": 0, "stale": 0, "eof": 0}
        self.offset_ns = 0      # subtracted from this host's times by a join
        self.runs = []          # Run: a thread on a CPU between two sched_switch records
        self.switch_runs = {}   # sched_switch record -> the Run it starts
        self.switch_causes = {} # sched_switch record -> hand-offs resolved by it
        self._last_switch_in = {}
        self._build()

    # ------------------------------------------------------------------ building
    def track_of(self, r):
        key = (r.cpu, r.ctx_kind, r.ctx_id)
        t = self.tracks.get(key)
        if t is None:
            t = self.tracks[key] = Track(self, r.cpu, r.ctx_kind, r.ctx_id)
        return t

    def _build(self):
        per_cpu = {}
        for r in self.trace.records:
            r.host = self
            if r.ev.name == "trace_meta":
                continue
            per_cpu.setdefault(r.cpu, []).append(r)
        # Each CPU's records stay in stream (commit) order; CPUs interleave by time.
        self.records = list(heapq.merge(*per_cpu.values(), key=lambda r: r.ns))
        for i, r in enumerate(self.records):
            r.order = i
            r.cause = None
            r.target = None
            self._slice(r)
        last = self.records[-1].ns if self.records else 0
        for t in self.tracks.values():
            while t.stack:
                self._close(t, last, "eof")
        self._handoffs()

    def _close(self, t, ns, why, end=None):
        s = t.stack.pop()
        s.end, s.end_ns, s.closed_by = end, max(ns, s.begin.ns), why
        if why != "end":
            self.repairs[why] += 1

    def _slice(self, r):
        t = self.track_of(r)
        r.track = t
        t.recs.append(r)
        if r.phase == BEGIN:
            if t.stack and t.kind != CTX_THREAD and r.ev is t.stack[0].ev:
                # A new activation while the last is open: its end was lost.
                last = t.recs[-2].ns if len(t.recs) > 1 else r.ns
                while t.stack:
                    self._close(t, last, "stale")
            parent = t.stack[-1] if t.stack else None
            s = Slice(t, r, len(t.stack), parent)
            if parent is not None:
                parent.children += 1
            t.stack.append(s)
            t.slices.append(s)
            self.slices.append(s)
            r.slice = s
        elif r.phase == END:
            for k in range(len(t.stack) - 1, -1, -1):
                if t.stack[k].ev is r.ev:
                    while len(t.stack) > k + 1:
                        self._close(t, r.ns, "repair")
                    r.slice = t.stack[-1]
                    self._close(t, r.ns, "end", r)
                    break
            else:
                self.repairs["orphan_end"] += 1
                r.slice = None
        else:
            r.slice = t.stack[-1] if t.stack else None

    def _handoffs(self):
        """Resolves hand-offs (see the module doc) and builds the run periods of threads
        from sched_switch: a thread target starts at its switch-in, or at its own next
        record when it was running already."""
        pending, last_run, current = {}, {}, {}
        for r in self.records:
            is_switch = r.ev.name == "sched_switch"
            if r.ctx_kind == CTX_THREAD and r.cpu not in current:
                current[r.cpu] = self._run(r.cpu, r.ctx_id, r.ns, None)
            if is_switch:
                kind, tid = target_ctx(r.a0)
                run = current.get(r.cpu)
                if run is not None:
                    run.end_ns, run.end = r.ns, r
                current[r.cpu] = run = self._run(r.cpu, tid, r.ns, r)
                self.switch_runs[r] = run
                key = (CTX_THREAD, tid, None)
            else:
                key = (r.ctx_kind, r.ctx_id, None if r.ctx_kind == CTX_THREAD else r.cpu)
            if key in pending and (is_switch or r.ctx_kind == CTX_THREAD or
                                   (r.phase == BEGIN and r.slice.depth == 0)):
                hs = pending.pop(key)
                for h in hs:
                    h.target = r
                if is_switch:
                    self.switch_causes[r] = hs
                else:
                    r.cause = hs
            if r.ctx_kind == CTX_THREAD:
                c = self.switch_causes.get(self._last_switch_in.get(r.ctx_id)) or r.cause
                if r.cause:
                    last_run[r.ctx_id] = r.cause[0]
                elif c:
                    last_run[r.ctx_id] = c[0]
                r.run = last_run.get(r.ctx_id)
            if is_switch:
                self._last_switch_in[target_ctx(r.a0)[1]] = r
            elif r.ev.kind == HANDOFF:
                kind, cid = target_ctx(r.a0)
                if 1 <= kind <= 6:
                    self.handoffs.append(r)
                    if (kind, cid) == (r.ctx_kind, r.ctx_id):
                        # Work passed to the running context itself (a packet queued
                        # for the NAPI loop that is running): it continues in this
                        # activation, there is nothing to resolve.
                        continue
                    tk = (kind, cid, None if kind == CTX_THREAD else r.cpu)
                    pending.setdefault(tk, []).append(r)
        last = self.records[-1].ns if self.records else 0
        for run in current.values():
            if run.end_ns is None:
                run.end_ns = max(last, run.start_ns)
        self.runs = [u for u in self.runs if u.start is not None or u.end_ns > u.start_ns]

    def _run(self, cpu, tid, ns, start):
        run = Run(self, cpu, tid, ns, start)
        self.runs.append(run)
        return run

    # ------------------------------------------------------------------ queries
    def sorted_tracks(self):
        return sorted(self.tracks.values(), key=Track.sort_key)

    def label_of(self, r):
        """The context label of a record (thread:server(5), softirq:NET_RX, ...)."""
        return self.trace.ctx_label(r.ctx_kind, r.ctx_id)

    def target_label(self, h):
        kind, cid = target_ctx(h.a0)
        return self.trace.ctx_label(kind, cid)

    def activation(self, r):
        """The outermost slice on r's track open at r (the context's current run), or
        None for a record outside any slice."""
        s = r.slice
        if s is None:
            return None
        while s.parent is not None:
            s = s.parent
        return s

    def cause_of(self, r):
        """The hand-off that started the activation r belongs to, or None. For a thread,
        the hand-off that made it run last before r."""
        if r.track.kind == CTX_THREAD:
            return r.run
        a = self.activation(r)
        if a is not None and a.begin.cause:
            return a.begin.cause[0]
        return None


def build(trace, index=0, label=None):
    """A Host for one decoded stream."""
    return Host(trace, index, label)
