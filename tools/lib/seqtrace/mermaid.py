"""Mermaid sequence diagrams: one per connection, and one of context hand-offs.

Connection diagrams draw each packet's chain (packets.build_chain) as messages between
participants: the layers of the stack (socket layer, TCP, UDP, IP, netdev, driver) and
the contexts that are not a layer (app thread, hard IRQ, NET_RX / NET_TX softirq,
ksoftirqd, timers, tasklets, workqueue). Consecutive steps of one participant in one
context are one message ("ip_queue_xmit → ip_local_out → ip_output"). Each message
carries the measured delay since the previous one ("+12.3 µs"). A solid arrow is a call
within one context, a dashed arrow a change of context (a hand-off: the delay is how long
the work waited), and "-)" a frame crossing the wire between two hosts (delay corrected
by the estimated clock offset). Coloured rect blocks show which context runs the
messages inside them, with a note naming it.

The hand-off diagram has one participant per context and one message per hand-off
(raise_softirq, napi_schedule, tasklet_schedule, queue_work, wake_up, ...) with its
latency; a hand-off repeating the same (source, event, target) more than three times
(the timer tick) is counted but drawn only three times.

Only the syntax checked by check.check_mermaid is emitted."""
import re

from .packets import participant_rank, wire_text
from .stream import CTX_THREAD, CTX_HARDIRQ, CTX_SOFTIRQ, CTX_TASKLET, CTX_WORK, CTX_TIMER

CTX_COLOURS = {CTX_THREAD: "rgb(225, 236, 255)", CTX_HARDIRQ: "rgb(255, 222, 222)",
               CTX_SOFTIRQ: "rgb(255, 240, 214)", CTX_TASKLET: "rgb(238, 226, 255)",
               CTX_TIMER: "rgb(224, 250, 224)", CTX_WORK: "rgb(236, 236, 236)"}
MAX_NAMES = 4


def fmt_ns(ns):
    """850 ns, 12.3 µs, 4.56 ms, 1.23 s."""
    a = abs(ns)
    sign = "-" if ns < 0 else ""
    if a < 1000:
        return "%s%d ns" % (sign, a)
    if a < 1000000:
        return "%s%.1f µs" % (sign, a / 1e3)
    if a < 1000000000:
        return "%s%.2f ms" % (sign, a / 1e6)
    return "%s%.2f s" % (sign, a / 1e9)


def _clean(text):
    """Text safe inside a message, note or alias (see check.check_mermaid)."""
    text = text.replace(";", ",").replace("#", "no.").replace("%%", "%")
    return re.sub(r"\s+", " ", text).strip() or "-"


class Diagram:
    """Participants in a fixed left-to-right order, then lines."""

    def __init__(self, multi_host):
        self.multi = multi_host
        self.parts = {}   # (host index, key) -> (id, label, rank)
        self.lines = []
        self.rect = False

    def pid(self, host, part):
        key = (host.index, part[0])
        if key not in self.parts:
            ident = "h%d_%s" % (host.index, re.sub(r"[^A-Za-z0-9_]", "_", part[0]))
            label = ("%s %s" % (host.label, part[1])) if self.multi else part[1]
            self.parts[key] = (ident, _clean(label),
                               (host.index, participant_rank(part[0]), len(self.parts)))
        return self.parts[key][0]

    def open_rect(self, kind, note_pid, text):
        self.close_rect()
        self.lines.append("    rect %s" % CTX_COLOURS.get(kind, "rgb(240, 240, 240)"))
        self.lines.append("    Note over %s: %s" % (note_pid, _clean(text)))
        self.rect = True

    def close_rect(self):
        if self.rect:
            self.lines.append("    end")
            self.rect = False

    def msg(self, a, arrow, b, text):
        self.lines.append("    %s%s%s: %s" % (a, arrow, b, _clean(text)))

    def note(self, pid, text):
        self.lines.append("    Note over %s: %s" % (pid, _clean(text)))

    def text(self, title=None):
        self.close_rect()
        out = ["sequenceDiagram"]
        if title:
            out.append("    %% " + title.replace("\n", " "))
        for ident, label, _ in sorted(self.parts.values(), key=lambda p: p[2]):
            out.append("    participant %s as %s" % (ident, label))
        return "\n".join(out + self.lines) + "\n"


def _groups(steps):
    """Consecutive steps of one participant in one context, as lists."""
    out = []
    for s in steps:
        if out and out[-1][-1].part == s.part and out[-1][-1].ctx == s.ctx and out[-1][-1].host is s.host:
            out[-1].append(s)
        else:
            out.append([s])
    return out


def _names(g):
    names = [s.name or "runs" for s in g]
    if len(names) > MAX_NAMES:
        names = names[:2] + ["…"] + names[-1:]
    return " → ".join(names)


def _draw_chain(d, steps, prev=None):
    """Messages for one chain; prev is (participant id, step) the chain continues from."""
    last_ctx = None
    for g in _groups(steps):
        first, host = g[0], g[0].host
        dst = d.pid(host, first.part)
        if (host.index, first.ctx) != last_ctx:
            d.open_rect(first.ctx[0], dst, first.label)
            last_ctx = (host.index, first.ctx)
        if prev is None:
            d.msg(dst, "->>", dst, _names(g))
        else:
            src, ps = prev
            arrow = "->>" if ps.ctx == first.ctx and ps.host is host else "-->>"
            d.msg(src, arrow, dst, "%s +%s" % (_names(g), fmt_ns(first.ns - ps.ns)))
        prev = (dst, g[-1])
    d.close_rect()
    return prev


def connection_diagram(conn, max_packets=8, wire_peer=None):
    """Mermaid text for one Connection. wire_peer maps an rx skb_wire record to the tx
    skb_wire record of the same frame on the other host (join.match)."""
    pkts = [p for p in conn.sorted_packets() if p.chain()]
    multi = len({p.host.index for p in pkts}) > 1
    d = Diagram(multi)
    shown = pkts[:max_packets]
    for p in shown:
        steps = p.chain()
        first = steps[0]
        fid = d.pid(p.host, first.part)
        w = p.wires[0][1] if p.wires else None
        desc = "pkt %d%s: %s" % (p.id, (" on " + p.host.label) if multi else "",
                                 wire_text(w) if w else "no wire identity")
        prev = None
        for r, wid in p.rx_wires():
            tx = wire_peer.get(r) if wire_peer else None
            if tx is not None:
                src = d.pid(tx.host, ("netdev", "netdev"))
                d.note(fid, desc)
                d.msg(src, "-)", fid, "wire %s +%s" % (wire_text(wid).rsplit(" ", 1)[0], fmt_ns(first.ns - tx.ns)))
                prev = None
                break
        else:
            d.note(fid, desc)
        _draw_chain(d, steps, prev)
    if len(pkts) > len(shown):
        d.note(d.pid(shown[-1].host, shown[-1].chain()[-1].part),
               "%d more packets not drawn" % (len(pkts) - len(shown)))
    return d.text("%s: %d packets" % (conn.label, len(pkts)))


def handoff_diagram(hosts, max_handoffs=40, repeat=3):
    """Mermaid text: hand-offs between contexts with their latency, or None if none."""
    multi = len(hosts) > 1
    d = Diagram(multi)
    seen, drawn, skipped = {}, 0, 0
    items = sorted((h for host in hosts for h in host.handoffs if h.target is not None),
                   key=lambda r: r.ns)
    for h in items:
        host = h.host
        src_lab, dst_lab = host.label_of(h), host.target_label(h)
        key = (host.index, src_lab, h.ev.name, dst_lab)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > repeat or drawn >= max_handoffs:
            skipped += 1
            continue
        src = d.pid(host, ("ctx:" + src_lab, src_lab))
        dst = d.pid(host, ("ctx:" + dst_lab, dst_lab))
        d.msg(src, "-->>", dst, "%s +%s" % (h.ev.name, fmt_ns(h.target.ns - h.ns)))
        drawn += 1
    if not drawn:
        return None
    if skipped:
        d.note(src, "%d more hand-offs not drawn (repeats)" % skipped)
    return d.text("hand-offs between contexts")
