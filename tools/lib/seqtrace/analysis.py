"""docs/analysis.md: the seed exchange explained from one traced run (seqtrace analysis).

Input: the two machines' streams of `make run` (server.trace, client.trace) and a
template (docs/analysis.md.in) whose hand-written prose holds {{placeholders}}; this
module finds, in the traces, the exchange's pieces and fills the placeholders with
measured tables and Mermaid diagrams:

  handshake  the SYN, SYN-ACK and ACK on the wire, each side's chain, the state changes
  send       the server's send(): __sys_sendto down to the driver, and TX completion
  receive    the client's data segment: hard IRQ, NET_RX, TCP, the wakeup, recv()
  close      both FINs and their ACKs, close() on each side, the state changes
  interplay  hard IRQs, softirqs (and where they ran), ksoftirqd, timers, threads and
             the hand-offs between them while the connection lived

Every step the template's prose relies on is checked: a missing one raises Missing
(the tool exits non-zero and writes nothing), so the document is never stale or
partial. Costs are per machine on its own clock (no join shift): "time" is from a
step's begin to its end, "own" subtracts the steps nested in it and whatever other
context ran on the CPU meanwhile (interrupts, softirqs, other threads)."""
import collections
import re

from . import join, mermaid, packets
from .model import target_ctx
from .stream import BEGIN, END, HANDOFF, CTX_THREAD, CTX_HARDIRQ, CTX_SOFTIRQ, CTX_TIMER, SOFTIRQ_NAMES

# Linux's TCP state numbers (seqos uses the same, include/net/tcp.h).
TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
              6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}
SOFTIRQ_FROM = {0: "at hard IRQ exit", 1: "at local_bh_enable", 2: "in ksoftirqd"}

# The steps the template's prose names, per section. The driver's transmit step is any
# NET step whose name a driver prefix starts (e1000_xmit_frame, start_xmit ...).
SEND_STEPS = ("__sys_sendto", "sock_sendmsg", "tcp_sendmsg", "tcp_push", "tcp_write_xmit",
              "tcp_transmit_skb", "ip_queue_xmit", "ip_local_out", "ip_output", "ip_finish_output",
              "dev_queue_xmit", "dev_hard_start_xmit", "skb_wire")
RECV_STEPS = ("hardirq", "net_rx_action", "napi_poll", "netif_receive_skb", "ip_rcv", "ip_local_deliver",
              "tcp_v4_rcv", "tcp_data_queue", "sk_data_ready", "__sys_recvfrom", "tcp_recvmsg",
              "copy_to_user")
DRIVER_XMIT = ("e1000_xmit_frame", "start_xmit")


class Missing(Exception):
    """The trace lacks a step the document needs."""


def need(cond, what):
    if not cond:
        raise Missing(what)


# ------------------------------------------------------------------ small helpers
def us(ns):
    """Microseconds with one decimal, for tables."""
    return "%.1f" % (ns / 1000.0)


def flags_text(f):
    names = [n for bit, n in ((0x02, "SYN"), (0x01, "FIN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK"))
             if f & bit]
    return "-".join(names) or "none"


def state_text(from_to):
    return "%s → %s" % (TCP_STATES.get((from_to >> 8) & 0xff, "?"), TCP_STATES.get(from_to & 0xff, "?"))


def table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---:" if h.endswith(("µs", "ms", "count")) else "---" for h in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def mermaid_block(text):
    return "```mermaid\n" + text.rstrip("\n") + "\n```"


def union_len(intervals, lo, hi):
    """Length of the union of intervals clipped to [lo, hi]."""
    iv = sorted((max(a, lo), min(b, hi)) for a, b in intervals if b > lo and a < hi)
    total, cur_a, cur_b = 0, None, None
    for a, b in iv:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total


def own_time(host, s):
    """A slice's time minus its nested steps and minus every other context that ran on
    its CPU meanwhile (interrupts, softirqs, and for a thread the other threads)."""
    lo, hi = s.start_ns, s.end_ns
    busy = [(c.start_ns, c.end_ns) for c in s.track.slices if c.parent is s]
    for t in host.tracks.values():
        if t is s.track or t.cpu != s.track.cpu or t.kind == CTX_THREAD:
            continue
        busy += [(c.start_ns, c.end_ns) for c in t.slices if c.depth == 0 and c.end_ns > lo and c.start_ns < hi]
    if s.track.kind == CTX_THREAD:
        busy += [(u.start_ns, u.end_ns) for u in host.runs
                 if u.cpu == s.track.cpu and u.tid != s.track.id and u.end_ns > lo and u.start_ns < hi]
    return max(0, (hi - lo) - union_len(busy, lo, hi))


def inside(s, name):
    """Is a step called name nested (at any depth) in slice s?"""
    return any(c.name == name and any(a is s for a in c.ancestors()) for c in s.track.slices
               if s.start_ns <= c.start_ns <= s.end_ns)


def is_tick(host, kind, cid):
    """The timer tick and what it raises: present in every window, not part of a path."""
    if kind == CTX_HARDIRQ:
        return host.trace.ctx_name(kind, cid) == "timer"
    return kind == CTX_TIMER or (kind == CTX_SOFTIRQ and cid == 1)


# ------------------------------------------------------------------ the exchange
Frame = collections.namedtuple("Frame", "tx rx sender receiver flags totlen seq order_ns")


class Exchange:
    """The seed exchange in two hosts' traces: roles, the connection, its frames."""

    def __init__(self, hosts):
        need(len(hosts) == 2, "two streams are needed (server and client), got %d" % len(hosts))
        for h in hosts:
            if not hasattr(h, "packets"):
                packets.find_packets(h)
        by_role = {}
        for h in hosts:
            names = {r.ev.name for r in h.records}
            if "__sys_accept" in names:
                by_role["server"] = h
            elif "__sys_connect" in names:
                by_role["client"] = h
        need("server" in by_role, "no __sys_accept in either trace: which one is the server?")
        need("client" in by_role, "no __sys_connect in either trace: which one is the client?")
        self.server, self.client = by_role["server"], by_role["client"]
        self.hosts = hosts
        bind = [r for r in self.server.records if r.ev.name == "__sys_bind" and r.phase == BEGIN]
        need(bind, "no __sys_bind on the server: the listening port is unknown")
        self.port = bind[0].arg("port")
        pairs = join.match(hosts)
        off = join.estimate(pairs, self.server, self.client)
        # Only to order frames of both machines; costs stay on each machine's clock.
        self.offset = off.theta0 if off.method != "no frames in common" else 0
        frames = []
        for tx, rx in pairs:
            w = packets.wire_id(tx)
            if w.proto != 6 or self.port not in (w.sport, w.dport):
                continue
            fl = self.tcp_flags(tx)
            t = tx.ns - (self.offset if tx.host is self.client else 0)
            frames.append(Frame(tx, rx, tx.host, rx.host, fl, w.totlen, w.word, t))
        frames.sort(key=lambda f: f.order_ns)
        # One connection: the one the first SYN opened (its client port).
        syns = [f for f in frames if f.flags is not None and f.flags & 0x12 == 0x02]
        need(syns, "no SYN of a connection to port %d on the wire in both traces" % self.port)
        cport = packets.wire_id(syns[0].tx).sport
        self.frames = [f for f in frames if cport in (packets.wire_id(f.tx).sport, packets.wire_id(f.tx).dport)]
        self.cport = cport
        for f in self.frames:
            need(f.flags is not None, "frame %s: no tcp_transmit_skb flags in its packet family"
                 % packets.wire_text(packets.wire_id(f.tx)))

    @staticmethod
    def tcp_flags(wire_rec):
        """The TCP flags tcp_transmit_skb recorded for the packet family of a tx frame."""
        p = wire_rec.host.packets.get(wire_rec.pkt)
        if p is None:
            return None
        for q in [p] + list(_parents(p)):
            for r in q.recs:
                if r.ev.name == "tcp_transmit_skb" and r.phase == BEGIN:
                    return r.arg("flags")
        # A SYN-ACK is built by tcp_send_synack, without tcp_transmit_skb.
        first = min((r for q in [p] + list(_parents(p)) for r in q.recs), key=lambda r: r.order)
        if any(s.name == "tcp_send_synack" for s in packets._enclosing(first)):
            return 0x12
        return None

    def role(self, h):
        return "server" if h is self.server else "client"

    def window(self, h):
        """(first, last) ns on h's clock of the connection's frames there."""
        ts = [f.tx.ns if f.sender is h else f.rx.ns for f in self.frames]
        return min(ts), max(ts)


def _parents(p):
    q = p.parent
    for _ in range(16):
        if q is None:
            return
        yield q
        q = q.parent


# ------------------------------------------------------------------ drawing
def _step_key(s):
    return (s.host.index, s.order, s.kind)


def frames_diagram(ex, frames, title):
    """Both machines: each frame's chain on its sender, the wire, its chain on the
    receiver; steps already drawn (a reply's chain starts with its cause's) are not
    repeated."""
    d = mermaid.Diagram(True)
    drawn, prev = set(), {}
    for f in frames:
        for h, rec in ((f.sender, f.tx), (f.receiver, f.rx)):
            p = h.packets[rec.pkt]
            steps = [s for s in p.chain() if _step_key(s) not in drawn]
            if h is f.sender:
                steps = packets.tx_part(steps, rec) or steps
                d.note(d.pid(h, steps[0].part), "%s %s → %s, IP length %d" % (
                    flags_text(f.flags), ex.role(f.sender), ex.role(f.receiver), f.totlen))
            else:
                d.msg(d.pid(f.sender, ("netdev", "netdev")), "-)", d.pid(h, steps[0].part),
                      "%s (wire)" % flags_text(f.flags))
            for s in steps:
                drawn.add(_step_key(s))
            last = prev.get(h.index) if h is f.sender else None
            if last is not None and last[1].ns > steps[0].ns:
                last = None  # drawn further than this chain's start: no delay to show
            prev[h.index] = mermaid._draw_chain(d, steps, last)
    return d.text(title)


def path_diagram(host, steps, title):
    d = mermaid.Diagram(False)
    mermaid._draw_chain(d, steps)
    return d.text(title)


# ------------------------------------------------------------------ rows of a path
class Row:
    __slots__ = ("rec", "slice", "host")

    def __init__(self, host, rec):
        self.host, self.rec = host, rec
        self.slice = rec.slice if rec.phase == BEGIN else None

    def cells(self, t0):
        r, s = self.rec, self.slice
        name = r.ev.name
        if r.ev.name == "sched_switch":
            name = "sched_switch → %s" % self.host.trace.ctx_label(*target_ctx(r.a0))
        elif r.ev.kind == HANDOFF:
            name = "%s → %s" % (name, self.host.trace.ctx_label(*target_ctx(r.a0)))
        args = " ".join("%s=%s" % kv for kv in r.args_text().items()
                        if kv[0] not in ("to",)) if r.ev.name != "skb_wire" else packets.wire_text(packets.wire_id(r))
        depth = s.depth if s is not None else (r.slice.depth + 1 if r.slice is not None else 0)
        return ["%s`%s`" % ("&nbsp;" * 2 * depth, name), self.host.label_of(r), us(r.ns - t0),
                us(s.dur) if s is not None else "", us(own_time(self.host, s)) if s is not None else "",
                args.replace("|", "/")]


ROW_HEAD = ["step", "context", "at µs", "time µs", "own µs", "arguments"]


def rows_table(rows):
    t0 = rows[0].rec.ns
    return table(ROW_HEAD, [r.cells(t0) for r in rows])


def records_between(host, lo, hi, keep):
    return [r for r in host.records if lo <= r.ns <= hi and r.phase != END and keep(r)]


# ------------------------------------------------------------------ sections
def send_section(ex):
    h = ex.server
    calls = [s for s in h.slices if s.name == "__sys_sendto" and s.track.kind == CTX_THREAD and
             inside(s, "tcp_sendmsg")]
    need(calls, "send: no __sys_sendto with a tcp_sendmsg inside on the server")
    call = calls[0]
    lo, hi = call.start_ns, call.end_ns
    recs = records_between(h, lo, hi, lambda r: r.cpu == call.track.cpu and r.ev.name != "trace_meta")
    names = {r.ev.name for r in recs if r.track is call.track}
    for n in SEND_STEPS:
        need(n in names, "send: step %s missing inside the server's __sys_sendto" % n)
    need(names & set(DRIVER_XMIT), "send: no driver transmit step (%s)" % ", ".join(DRIVER_XMIT))
    wire = [r for r in recs if r.ev.name == "skb_wire" and r.track is call.track]
    sent = wire[0].pkt
    done = [r for r in h.records if r.ev.name == "consume_skb" and r.pkt == sent]
    need(done, "send: no TX completion (consume_skb of packet %d) on the server" % sent)
    done = done[0]
    path = [r for r in recs if not is_tick(h, r.ctx_kind, r.ctx_id)]
    ticks = sum(1 for r in recs if r.ev.name == "hardirq" and r.phase == BEGIN and is_tick(h, r.ctx_kind, r.ctx_id))
    if done.ns > hi:
        act = h.activation(done)
        cause = h.cause_of(done)
        extra = []
        if cause is not None:
            extra += [s.begin for s in reversed(list(packets._enclosing(cause)))] + [cause]
        extra += [r for r in records_between(h, act.start_ns, done.ns, lambda r: r.track is done.track)]
        path += extra
    rows = [Row(h, r) for r in path]
    steps = [packets.Step.of_rec(r) for r in path if r.ev.name not in ("sched_switch",)]
    diag = path_diagram(h, steps, "send(): server, %s" % h.label_of(call.begin))
    in_ctx = {h.label_of(r) for r in path}
    return {
        "send_diagram": mermaid_block(diag),
        "send_table": rows_table(rows),
        "send_total_us": us(call.dur),
        "send_own_us": us(sum(own_time(h, s) for s in call.track.slices
                              if s.start_ns >= lo and s.end_ns <= hi)),
        "send_thread": h.label_of(call.begin),
        "send_contexts": ", ".join("`%s`" % c for c in sorted(in_ctx)),
        "send_completion": "`%s` (%s, %s µs after `__sys_sendto` began)" % (
            h.label_of(done), "inside the send() call" if done.ns <= hi else "after send() returned",
            us(done.ns - lo)),
        "send_ticks": str(ticks),
    }


def receive_section(ex):
    h = ex.client
    data = []
    for p in h.packets.values():
        for r in p.recs:
            if r.ev.name == "tcp_data_queue" and r.phase == BEGIN and (r.arg("len") or 0) > 0:
                data.append((r, p))
    need(data, "receive: no tcp_data_queue with data on the client")
    dq, p = min(data, key=lambda x: x[0].ns)
    chain = p.chain()
    names = {s.name for s in chain}
    recv = [s for s in h.slices if s.name == "__sys_recvfrom" and s.track.kind == CTX_THREAD]
    need(recv, "receive: no __sys_recvfrom on the client")
    call = min(recv, key=lambda s: abs(s.end_ns - dq.ns) if s.end_ns >= dq.ns else 1 << 62)
    need(call.end_ns >= dq.ns, "receive: no __sys_recvfrom returned after the data was queued")
    first = chain[0]
    lo = min(first.ns, call.start_ns)
    app = records_between(h, call.start_ns, call.end_ns, lambda r: r.track is call.track)
    app_names = {r.ev.name for r in app}
    for n in RECV_STEPS:
        need(n in names or n in app_names, "receive: step %s missing (packet %d, %s)" % (n, p.id, h.label))
    slept = any(r.ev.name == "sched_switch" for r in app)
    wake = [s for s in chain if s.name == "wake_up"]
    path = sorted({s.rec for s in chain if s.rec is not None and s.kind != "resume"} |
                  {r for r in app if r.ev.name != "trace_meta"} |
                  {s.rec for s in chain if s.kind == "resume" and s.rec is not None},
                  key=lambda r: r.order)
    rows = [Row(h, r) for r in path]
    steps = [packets.Step.of_rec(r) for r in path if r.ev.name != "sched_switch" or r.track is not call.track]
    diag = path_diagram(h, steps, "recv(): client")
    hard = [s for s in chain if s.name == "hardirq"]
    need(hard, "receive: the data segment's chain has no hard IRQ")
    t_irq = hard[0].ns
    copy = [r for r in app if r.ev.name == "copy_to_user"]
    return {
        "recv_diagram": mermaid_block(diag),
        "recv_table": rows_table(rows),
        "recv_irq_to_queue_us": us(dq.ns - t_irq),
        "recv_irq_to_return_us": us(call.end_ns - t_irq),
        "recv_call_us": us(call.dur),
        "recv_thread": h.label_of(call.begin),
        "recv_slept": ("recv() was called before the data arrived: `tcp_recvmsg` found the receive queue "
                       "empty and the thread slept (`sched_switch` away); `sk_data_ready` → `wake_up` in "
                       "NET_RX made it runnable again, %s µs after the hard IRQ" % us(
                           wake[0].ns - t_irq) if wake else "")
                      if slept else
                      "the data was already queued when recv() was called: `tcp_recvmsg` did not sleep",
        "recv_copy_bytes": str(copy[0].arg("bytes")) if copy else "?",
        "recv_pkt": str(p.id),
        "recv_softirq_from": SOFTIRQ_FROM.get(
            next((s.rec.arg("from") for s in chain if s.name == "softirq"), -1), "?"),
    }


def _frame_rows(ex, frames):
    rows = []
    for f in frames:
        tx_chain = f.sender.packets[f.tx.pkt].chain()
        first = packets.tx_part(tx_chain, f.tx)[0] if tx_chain else None
        rx_chain = f.receiver.packets[f.rx.pkt].chain()
        irq = [s for s in rx_chain if s.name == "hardirq"]
        tcp = [s for s in rx_chain if s.name == "tcp_v4_rcv"]
        rows.append([flags_text(f.flags), "%s → %s" % (ex.role(f.sender), ex.role(f.receiver)), f.totlen,
                     "`%s`" % f.sender.label_of(f.tx),
                     us(f.tx.ns - first.ns) if first else "",
                     us(f.rx.ns - irq[0].ns) if irq else "",
                     "`%s`" % f.receiver.label_of(tcp[0].rec) if tcp else "(not in TCP)"])
    return table(["frame", "direction", "IP length", "sent by", "sender: first step → wire µs",
                  "receiver: hard IRQ → stack µs", "received by"], rows)


def handled_by(h, rec):
    """When the handling of a received frame ended: the end of the activation of its
    packet's last record (NET_RX, or the thread's release_sock when the segment waited
    in the socket backlog); its state changes and replies happen before that."""
    p = h.packets.get(rec.pkt)
    last = max(p.recs, key=lambda r: r.order) if p and p.recs else rec
    act = h.activation(last)
    return act.end_ns if act is not None and act.end_ns is not None else last.ns


def _states(ex, lo_hi):
    rows = []
    for h in (ex.client, ex.server):
        lo, hi = lo_hi[h.index]
        for r in h.records:
            if r.ev.name == "tcp_set_state" and lo <= r.ns <= hi:
                rows.append((r.ns, [h.label, state_text(r.arg("from_to")), "`%s`" % h.label_of(r),
                                    " → ".join(s.name for s in reversed([r.slice] + list(r.slice.ancestors())))
                                    if r.slice else ""]))
    return [c for _, c in rows]


def handshake_section(ex):
    fr = ex.frames
    syn = next((f for f in fr if f.flags & 0x12 == 0x02 and f.sender is ex.client), None)
    need(syn, "handshake: no SYN from the client")
    synack = next((f for f in fr if f.flags & 0x12 == 0x12 and f.sender is ex.server), None)
    need(synack, "handshake: no SYN-ACK from the server")
    ack = next((f for f in fr if f.sender is ex.client and f.order_ns > synack.order_ns and
                f.flags & 0x10 and not f.flags & 0x03), None)
    need(ack, "handshake: no ACK from the client after the SYN-ACK")
    frames = [syn, synack, ack]
    conn = [s for s in ex.client.slices if s.name == "__sys_connect"]
    acc = [s for s in ex.server.slices if s.name == "__sys_accept" and s.end_ns >= ack.rx.ns]
    need(conn, "handshake: no __sys_connect on the client")
    need(acc, "handshake: no __sys_accept on the server returned after the ACK arrived")
    conn, acc = conn[0], min(acc, key=lambda s: s.end_ns)
    win = {ex.client.index: (conn.start_ns, conn.end_ns), ex.server.index: (syn.rx.ns, acc.end_ns)}
    states = _states(ex, win)
    need(len(states) >= 3, "handshake: expected the client's and the server's TCP state changes, found %d"
         % len(states))
    return {
        "handshake_diagram": mermaid_block(frames_diagram(ex, frames, "three-way handshake")),
        "handshake_frames": _frame_rows(ex, frames),
        "handshake_states": table(["machine", "state change", "context", "inside"], states),
        "connect_us": us(conn.dur),
        "accept_wake_us": us(acc.end_ns - ack.rx.ns),
        "client_port": str(ex.cport),
        "server_port": str(ex.port),
    }


def close_section(ex):
    fins = [f for f in ex.frames if f.flags & 0x01]
    need(any(f.sender is ex.server for f in fins), "close: no FIN from the server")
    need(any(f.sender is ex.client for f in fins), "close: no FIN from the client")
    first = fins[0]
    frames = [f for f in ex.frames if f.order_ns >= first.order_ns]
    last = frames[-1]
    if not last.flags & 0x01:
        last_ack = "the last FIN's ACK was seen leaving the %s and arriving at the %s" % (
            ex.role(last.sender), ex.role(last.receiver))
    else:
        # Not matched on both sides: did the peer send it (the client powers off as soon
        # as it has its answer, so it may not be there to receive it)?
        peer = last.receiver
        sent = [r for p in peer.packets.values() for r, w in p.tx_wires()
                if w.proto == 6 and ex.cport in (w.sport, w.dport) and r.ns > last.rx.ns]
        last_ack = ("the %s sent the ACK of the last FIN, but it is not in the %s's trace "
                    "(that machine had stopped)" % (ex.role(peer), ex.role(last.sender))) if sent else \
            "no ACK of the last FIN is in either trace"
    closes = {}
    for h in (ex.server, ex.client):
        c = [s for s in h.slices if s.name == "sock_close" and inside(s, "tcp_send_fin")]
        need(c, "close: no sock_close with tcp_send_fin on the %s" % ex.role(h))
        closes[h] = c[0]
    win = {h.index: (closes[h].start_ns, max(f.tx.ns if f.sender is h else handled_by(h, f.rx)
                                             for f in frames)) for h in closes}
    states = _states(ex, win)
    need(any("TIME_WAIT" in s[1] or "CLOSE" in s[1].split(" → ")[1] for s in states),
         "close: no state change to TIME_WAIT or CLOSE")
    who = "server" if first.sender is ex.server else "client"
    order = " then ".join("%s from the %s" % (flags_text(f.flags), ex.role(f.sender)) for f in frames)
    backlog = [r for h in closes for r in h.records if r.ev.name == "sk_add_backlog" and
               win[h.index][0] <= r.ns <= win[h.index][1]]
    return {
        "close_diagram": mermaid_block(frames_diagram(ex, frames, "close")),
        "close_frames": _frame_rows(ex, frames),
        "close_states": table(["machine", "state change", "context", "inside"], states),
        "close_first": who,
        "close_last_ack": last_ack,
        "close_order": order,
        "close_server_us": us(closes[ex.server].dur),
        "close_client_us": us(closes[ex.client].dur),
        "close_backlog": ("%d segment(s) arrived while the socket was owned by a thread (`sk_add_backlog` "
                          "in NET_RX) and were processed by that thread in `release_sock`" % len(backlog))
                         if backlog else "no segment had to wait in a socket backlog",
    }


def interplay_section(ex):
    out = {}
    diagrams, tables = [], []
    for h in (ex.client, ex.server):
        lo, hi = ex.window(h)
        acts = collections.OrderedDict()
        for s in h.slices:
            if s.depth != 0 or s.track.kind == CTX_THREAD or s.end_ns < lo or s.start_ns > hi:
                continue
            lab = h.label_of(s.begin)
            if s.name == "softirq":
                lab += " " + SOFTIRQ_FROM.get(s.begin.arg("from"), "?")
            a = acts.setdefault(lab, [0, 0, 0])
            a[0] += 1
            a[1] += s.dur
            a[2] = max(a[2], s.dur)
        runs = collections.OrderedDict()
        for u in h.runs:
            if u.end_ns < lo or u.start_ns > hi:
                continue
            a = runs.setdefault(u.label, [0, 0, 0])
            d = min(u.end_ns, hi) - max(u.start_ns, lo)
            a[0] += 1
            a[1] += d
            a[2] = max(a[2], d)
        rows = [["`%s`" % k, v[0], us(v[1]), us(v[2])] for k, v in sorted(acts.items())]
        rows += [["`%s` (runs)" % k, v[0], us(v[1]), us(v[2])] for k, v in sorted(runs.items())]
        hand = collections.OrderedDict()
        for r in h.handoffs:
            if r.target is None or not lo <= r.ns <= hi:
                continue
            key = (h.label_of(r), r.ev.name, h.target_label(r))
            hand.setdefault(key, []).append(r.target.ns - r.ns)
        need(any(k[1] in ("napi_schedule", "raise_softirq") and k[2] == "softirq:NET_RX" and
                 k[0].startswith("hardirq:") for k in hand),
             "interplay: no hard IRQ → NET_RX hand-off on the %s" % ex.role(h))
        need(any(k[1] == "wake_up" for k in hand), "interplay: no wake_up on the %s" % ex.role(h))
        hrows = [["`%s`" % a, "`%s`" % e, "`%s`" % b, len(v), us(sorted(v)[len(v) // 2]), us(max(v))]
                 for (a, e, b), v in hand.items()]
        d = mermaid.Diagram(False)
        for (a, e, b), v in hand.items():
            d.msg(d.pid(h, ("ctx:" + a, a)), "-->>", d.pid(h, ("ctx:" + b, b)),
                  "%s x%d, median %s" % (e, len(v), mermaid.fmt_ns(sorted(v)[len(v) // 2])))
        diagrams.append("### %s\n\n%s" % (h.label, mermaid_block(d.text("hand-offs on %s" % h.label))))
        tables.append("### %s: %s µs from the connection's first frame to its last\n\n%s\n\n%s" % (
            h.label, us(hi - lo),
            table(["context", "count", "total µs", "longest µs"], rows),
            table(["from", "hand-off", "to", "count", "median latency µs", "max µs"], hrows)))
        role = ex.role(h)
        out["%s_ksoftirqd" % role] = str(sum(v[0] for k, v in acts.items() if k.endswith("in ksoftirqd")))
        out["%s_timers" % role] = ", ".join("`%s` ×%d" % (k, v[0]) for k, v in acts.items()
                                            if k.startswith("timer:")) or "none"
        out["%s_squeeze" % role] = str(sum(1 for r in h.records if r.ev.name == "time_squeeze" and
                                           lo <= r.ns <= hi and r.arg("elapsed_us") and
                                           r.arg("elapsed_us") >= 2000))
    out["interplay_diagrams"] = "\n\n".join(diagrams)
    out["interplay_tables"] = "\n\n".join(tables)
    return out


def trace_checks(ex):
    """Losses or repairs inside the exchange would make the figures wrong: refuse."""
    for h in ex.hosts:
        lo, hi = ex.window(h)
        lost = [r for r in h.records if r.ev.name == "trace_lost" and lo - 10**9 <= r.ns <= hi]
        need(not lost, "%s: the trace lost records during the exchange (%s)" % (h.label, h.trace.source))


# ------------------------------------------------------------------ the document
PLACEHOLDER = re.compile(r"\{\{([a-z0-9_]+)\}\}")


def fill(template, values):
    """The template with every {{name}} replaced; Missing for an unknown name."""
    unknown = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    need(not unknown, "template placeholders with no value: %s" % ", ".join(unknown))
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def generate(hosts, template, info=None):
    """The document's text from two built hosts (model.build + packets.find_packets)."""
    ex = Exchange(hosts)
    trace_checks(ex)
    values = dict(info or {})
    values.update({"server": ex.server.label, "client": ex.client.label,
                   "server_records": str(len(ex.server.trace.records)),
                   "client_records": str(len(ex.client.trace.records)),
                   "frames": str(len(ex.frames))})
    for section in (handshake_section, send_section, receive_section, close_section, interplay_section):
        values.update(section(ex))
    return fill(template, values)
