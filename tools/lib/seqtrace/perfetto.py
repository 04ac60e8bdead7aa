"""Chrome Trace Event JSON for ui.perfetto.dev (and chrome://tracing).

Layout: one process per host (pid 1, 2, ...); one thread (track) per execution context
per CPU ("cpu0 hardirq:e1000(81)", "cpu0 softirq:NET_RX", "cpu0 thread:server(5)"), named
with "M" metadata events, plus one "cpu0 scheduler" track whose slices are the thread
runs between two sched_switch records. STEP records become "B"/"E" slices, INSTANT and
HANDOFF records "i" instants, COUNTER records "C" counters.

Flows ("s" then "f" with bp "e", integer ids, one id per arrow):
  pkt      consecutive steps of each packet's chain (packets.build_chain): from the app's
           call to the wire, and from the hard IRQ that raised NET_RX to the woken thread;
  handoff  each hand-off record to the slice (or the thread's run) it started;
  wire     (two hosts) a frame leaving one host to the same frame arriving at the other.

Binding rules the importers apply: a flow event binds to the slice open on its track at
its timestamp, topmost first. So that no importer has to break ties between events at
the same time, every event on a track gets its own time, at least 4 ns after the last
one (records closer than that are moved by a few ns; the original time is in args.ns),
and flow events sit 2 ns inside the slice they bind to. An instant that ends or starts a
flow without any slice around it becomes a 4 ns slice of its own name. Timestamps are
written in microseconds with exactly three decimals, so importers that truncate and
those that round both get the nanosecond back."""
import json

from .stream import BEGIN, END, POINT, COUNTER, CTX_THREAD
from .packets import find_packets, wire_id, wire_text
from .stream import format_value

SPACING = 4
INSIDE = 2


def ts_text(ns):
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    return "%s%d.%03d" % (sign, ns // 1000, ns % 1000)


def _args(r):
    a = {}
    for k, (conv, alt), v in zip(r.ev.args, r.ev.convs, (r.a0, r.a1)):
        if k == "-":
            continue
        txt = format_value(conv, alt, v)
        a[k] = txt if conv in "xXo" or abs(int(txt)) >= 1 << 53 else int(txt)
    if r.ev.name == "skb_wire":
        a["wire"] = wire_text(wire_id(r))
    if r.pkt:
        a["pkt"] = r.pkt
    a["ns"] = r.ns
    if r.target is not None or r.ev.kind == 2:
        a["target"] = r.host.target_label(r)
        if r.target is not None:
            a["latency_ns"] = r.target.ns - r.ns
    return a


class Builder:
    """Collects the events of one JSON file."""

    def __init__(self, hosts, wire_pairs=(), packet_flows=True, handoff_flows=True):
        self.hosts = hosts
        self.events = []
        self.flows = []          # (src bind, dst bind, cat, name)
        self.flow_seen = set()
        self.tids = {}           # track or ("sched", host, cpu) -> (pid, tid)
        self.ntids = 0
        self.adj = {}            # Rec -> adjusted ns; ("slice", s) -> begin ns ...
        self.wrap = set()        # instants emitted as 4 ns slices
        self.stats = {"slices": 0, "instants": 0, "flows": 0, "tracks": 0, "moved": 0}
        for h in hosts:
            if not hasattr(h, "packets"):
                find_packets(h)
        if packet_flows:
            self._packet_flows()
        if handoff_flows:
            self._handoff_flows()
        for tx, rx in wire_pairs:
            self._flow(("rec", tx), ("rec", rx), "wire", "wire")

    # ------------------------------------------------------------------ flows
    def _bind_of_step(self, s):
        if s.run is not None:
            return ("run", s.run)
        if s.slice is not None:
            return ("slice", s.slice)
        return ("rec", s.rec)

    def _norm(self, b):
        if b[0] == "rec" and b[1].phase == BEGIN and b[1].slice is not None:
            return ("slice", b[1].slice)
        if b[0] == "rec" and b[1].phase == END:
            return ("end", b[1].slice) if b[1].slice is not None else None
        return b

    def _flow(self, src, dst, cat, name):
        src, dst = self._norm(src), self._norm(dst)
        if src is None or dst is None or src == dst:
            return
        key = (src[0], id(src[1]), dst[0], id(dst[1]))
        if key in self.flow_seen:
            return
        self.flow_seen.add(key)
        for b in (src, dst):
            if b[0] == "rec" and b[1].slice is None:
                self.wrap.add(b[1])
        self.flows.append((src, dst, cat, name))

    def _packet_flows(self):
        for h in self.hosts:
            for p in sorted(h.packets.values(), key=lambda p: p.id):
                steps = p.chain()
                for a, b in zip(steps, steps[1:]):
                    self._flow(self._bind_of_step(a), self._bind_of_step(b), "pkt", "pkt %d" % p.id)

    def _handoff_flows(self):
        for h in self.hosts:
            for r in h.handoffs:
                t = r.target
                if t is None:
                    continue
                run = h.switch_runs.get(t)
                dst = ("run", run) if run is not None else ("rec", t)
                self._flow(("rec", r), dst, "handoff", r.ev.name)

    # ------------------------------------------------------------------ tracks
    def _tid(self, key, pid, name, sort):
        if key not in self.tids:
            self.ntids += 1
            tid = pid * 100000 + self.ntids
            self.tids[key] = (pid, tid)
            self.events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                                "args": {"name": name}})
            self.events.append({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid,
                                "args": {"sort_index": sort}})
            self.stats["tracks"] += 1
        return self.tids[key]

    def _emit(self, ph, pid, tid, ns, name, cat, args=None, **kw):
        e = {"ph": ph, "pid": pid, "tid": tid, "ts": ns / 1000.0, "name": name, "cat": cat}
        if args is not None:
            e["args"] = args
        e.update(kw)
        self.events.append(e)
        return e

    def _track(self, pid, t, order):
        pid_tid = self._tid(t, pid, "cpu%d %s" % (t.cpu, t.label), order)
        _, tid = pid_tid
        last = None
        stack = []

        def bump(ns):
            nonlocal last
            t_ = ns if last is None or ns >= last + SPACING else last + SPACING
            if t_ != ns:
                self.stats["moved"] += 1
            last = t_
            return t_

        def close(s, ns):
            e_ns = bump(ns)
            self.adj[("end", s)] = e_ns
            self._emit("E", pid, tid, e_ns, s.name, s.ev.cat)

        for r in t.recs:
            while stack and stack[-1].closed_by in ("stale", "repair") and stack[-1].end_ns <= r.ns:
                s = stack.pop()
                close(s, s.end_ns)
            if r.phase == BEGIN:
                s = r.slice
                b = bump(r.ns)
                self.adj[("slice", s)] = b
                self._emit("B", pid, tid, b, s.name, s.ev.cat, _args(r))
                self.stats["slices"] += 1
                stack.append(s)
            elif r.phase == END:
                if r.slice is None or r.slice not in stack:
                    continue
                while stack and stack[-1] is not r.slice:
                    s = stack.pop()
                    close(s, r.ns)
                stack.pop()
                close(r.slice, r.ns)
            elif r.ev.kind == COUNTER:
                self._emit("C", pid, tid, bump(r.ns), "%s %s" % (t.label, r.ev.name), r.ev.cat,
                           {r.ev.args[0]: r.a0})
            elif r in self.wrap:
                b = bump(r.ns)
                self.adj[("rec", r)] = b
                self._emit("B", pid, tid, b, r.ev.name, r.ev.cat, _args(r))
                self._emit("E", pid, tid, bump(b + SPACING), r.ev.name, r.ev.cat)
                self.stats["slices"] += 1
            else:
                b = bump(r.ns)
                self.adj[("rec", r)] = b
                self._emit("i", pid, tid, b, r.ev.name, r.ev.cat, _args(r), s="t")
                self.stats["instants"] += 1
        while stack:
            s = stack.pop()
            close(s, s.end_ns)

    def _sched(self, pid, h, cpu, order):
        runs = sorted((u for u in h.runs if u.cpu == cpu), key=lambda u: u.start_ns)
        if not runs:
            return
        _, tid = self._tid(("sched", h.index, cpu), pid, "cpu%d scheduler" % cpu, order)
        last = None
        for u in runs:
            b = u.start_ns if last is None or u.start_ns >= last + SPACING else last + SPACING
            e = max(u.end_ns, b + SPACING)
            self.adj[("run", u)] = b
            self.tids[("run", u)] = (pid, tid)
            self._emit("B", pid, tid, b, u.label, "sched", {"tid": u.tid, "ns": u.start_ns})
            self._emit("E", pid, tid, e, u.label, "sched")
            last = e
            self.stats["slices"] += 1

    def build(self):
        for h in self.hosts:
            pid = h.index + 1
            self.events.append({"ph": "M", "name": "process_name", "pid": pid,
                                "args": {"name": "seqos %s (%s)" % (h.label, h.trace.source)}})
            self.events.append({"ph": "M", "name": "process_sort_index", "pid": pid,
                                "args": {"sort_index": pid}})
            order = 0
            for cpu in sorted({t.cpu for t in h.tracks.values()}):
                self._sched(pid, h, cpu, order)
                order += 1
                for t in h.sorted_tracks():
                    if t.cpu == cpu:
                        self._track(pid, t, order)
                        order += 1
        self._emit_flows()
        meta = [e for e in self.events if e["ph"] == "M"]
        rest = [e for e in self.events if e["ph"] != "M"]
        rest.sort(key=lambda e: e["ts"])
        return meta + rest

    def _where(self, b, end=False):
        """(pid, tid, ns) of the point a flow event binds at."""
        kind, obj = b
        if kind == "run":
            pid, tid = self.tids[("run", obj)]
            return pid, tid, self.adj[b] + INSIDE
        if kind == "slice":
            pid, tid = self.tids[obj.track]
            return pid, tid, self.adj[b] + INSIDE
        if kind == "end":
            pid, tid = self.tids[obj.track]
            return pid, tid, self.adj[b] - INSIDE
        pid, tid = self.tids[obj.track]
        return pid, tid, self.adj[b] + INSIDE

    def _emit_flows(self):
        fid = 0
        for src, dst, cat, name in self.flows:
            try:
                sp, st, sns = self._where(src)
                dp, dt, dns = self._where(dst)
            except KeyError:
                continue  # an end point that was not emitted (orphan record)
            fid += 1
            self._emit("s", sp, st, sns, name, "flow." + cat, id=fid)
            self._emit("f", dp, dt, dns, name, "flow." + cat, id=fid, bp="e")
        self.stats["flows"] = fid


def to_json(hosts, wire_pairs=(), **kw):
    """The trace as a JSON-serialisable dict, and stats."""
    b = Builder(hosts, wire_pairs, **kw)
    events = b.build()
    other = {"generator": "seqos tools/seqtrace",
             "hosts": [{"label": h.label, "source": h.trace.source, "tsc_hz": h.trace.tsc_hz,
                        "offset_ns": h.offset_ns, "problems": h.trace.problems[:50]}
                       for h in hosts]}
    return {"traceEvents": events, "otherData": other}, b.stats


def write(path, hosts, wire_pairs=(), **kw):
    """Writes the Chrome Trace Event JSON file; returns stats."""
    doc, stats = to_json(hosts, wire_pairs, **kw)
    with open(path, "w") as f:
        f.write(dumps(doc))
    return stats


def _event_text(e):
    if "ts" not in e:
        return json.dumps(e, separators=(",", ":"))
    d = dict(e)
    ts = ts_text(round(d.pop("ts") * 1000))
    text = json.dumps(d, separators=(",", ":"))
    return text[:-1] + ',"ts":' + ts + "}"


def dumps(doc):
    """JSON text with one event per line (diff-friendly, still valid JSON)."""
    events = doc["traceEvents"]
    head = {k: v for k, v in doc.items() if k != "traceEvents"}
    parts = ['{"traceEvents": [\n']
    parts.append(",\n".join(_event_text(e) for e in events))
    parts.append("\n]")
    for k, v in head.items():
        parts.append(",\n%s: %s" % (json.dumps(k), json.dumps(v)))
    parts.append("}\n")
    return "".join(parts)
