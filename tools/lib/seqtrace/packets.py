"""Packets in a trace: families, causal chains, wire identities, connections, layers.

A packet is everything recorded with one packet id (the record's pkt field, never
reused). Any event with an argument named "parent" (skb_clone: pkt = the new id,
parent = the id it came from) links a packet to its parent, so clones, copies and
segments form families.

The chain of a packet is the causally ordered list of steps that moved it, across
contexts: what started the context it first appears in (for a softirq, tasklet or work
item: the hand-off from the hard IRQ or timer that raised it), the slices enclosing its
first record (the app's send call, net_rx_action, the driver's poll), its own records,
records without a packet id that happened inside its slices (sk_data_ready, wake_up),
and, after each hand-off, the moment the target context ran (a woken thread's switch-in).
Whenever the chain enters another context, that context's enclosing slices are added.

skb_wire records (net/core/dev.c) give a packet its identity on the wire:
  a0 = totlen << 48 | frag << 32 | ipid << 16 | tx << 8 | proto
  a1 = sport << 48 | dport << 32 | word   (word: TCP seq, UDP sport<<16|dport, ICMP id<<16|seq)
The same frame has the same identity in a capture and in the other machine's trace.

Participants (for sequence diagrams) come from event name prefixes and contexts: the
socket layer, TCP, UDP, IP, netdev, driver for steps of the stack; hard IRQ, NET_RX /
NET_TX softirq, timers, tasklets, workqueue, ksoftirqd and app threads for contexts."""
import collections

from .stream import (BEGIN, END, HANDOFF, CTX_THREAD, CTX_HARDIRQ, CTX_SOFTIRQ, CTX_TASKLET,
                     CTX_WORK, CTX_TIMER, SOFTIRQ_NAMES)
from .model import target_ctx

WireId = collections.namedtuple("WireId", "proto ipid frag totlen sport dport word tx")
PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp"}


def wire_id(r):
    """The WireId an skb_wire record carries."""
    a0, a1 = r.a0, r.a1
    return WireId(proto=a0 & 0xff, tx=bool((a0 >> 8) & 1), ipid=(a0 >> 16) & 0xffff,
                  frag=(a0 >> 32) & 0x3fff, totlen=(a0 >> 48) & 0xffff,
                  sport=(a1 >> 48) & 0xffff, dport=(a1 >> 32) & 0xffff, word=a1 & 0xffffffff)


def wire_text(w):
    """'udp 49152->3490 ipid 7 len 33 tx' and the like."""
    proto = PROTO_NAMES.get(w.proto, "proto %d" % w.proto)
    s = "%s ipid %d len %d" % (proto, w.ipid, w.totlen)
    if w.proto in (6, 17):
        s = "%s %d->%d ipid %d len %d" % (proto, w.sport, w.dport, w.ipid, w.totlen)
        if w.proto == 6:
            s += " seq %d" % w.word
    elif w.proto == 1:
        s += " echo id %d seq %d" % (w.word >> 16, w.word & 0xffff)
    if w.frag:
        s += " frag %#x" % w.frag
    return s + (" tx" if w.tx else " rx")


def wire_key(w):
    """What identifies a frame whichever side sees it (no direction)."""
    return (w.proto, w.ipid, w.frag, w.totlen, w.sport, w.dport, w.word)


def connection_key(w):
    """Frames of one conversation share this key, in both directions."""
    if w.proto in (6, 17):
        a, b = sorted((w.sport, w.dport))
        return (PROTO_NAMES[w.proto], a, b)
    if w.proto == 1:
        return ("icmp", w.word >> 16)
    return ("ip", w.proto)


def connection_label(key):
    if key[0] in ("tcp", "udp"):
        return "%s ports %d <-> %d" % (key[0].upper(), key[1], key[2])
    if key[0] == "icmp":
        return "ICMP echo id %d" % key[1]
    if key[0] == "ip":
        return "IP protocol %d" % key[1]
    return "packets without a wire identity"


# ------------------------------------------------------------------ participants
LAYERS = (
    ("socket", "socket layer", ("__sys_", "sys_", "sock_", "inet_", "sk_", "lock_sock",
                                "release_sock", "copy_to_user", "copy_from_user",
                                "skb_copy_datagram", "sock")),
    ("tcp", "TCP", ("tcp_",)),
    ("udp", "UDP", ("udp_",)),
    ("ip", "IP", ("ip_", "icmp_", "ping_", "arp_", "neigh_", "raw_", "fib_", "igmp_")),
    ("netdev", "netdev", ("dev_", "netif_", "napi_", "__napi", "net_rx_action", "net_tx_action",
                          "process_backlog", "skb_", "kfree_skb", "consume_skb", "eth_",
                          "__qdisc", "qdisc_", "time_squeeze", "__netif", "gro_")),
)
DRIVER_PREFIXES = ("e1000", "virtnet", "virtio", "loopback", "rtl8139", "igb", "ne2k", "pcnet")
SOFTIRQ_PARTICIPANT = {"NET_RX": ("net_rx", "NET_RX softirq"), "NET_TX": ("net_tx", "NET_TX softirq"),
                       "TIMER": ("timers", "timers"), "HI": ("tasklets", "tasklets"),
                       "TASKLET": ("tasklets", "tasklets")}
# Left to right in diagrams.
PARTICIPANT_ORDER = ("app", "socket", "tcp", "udp", "ip", "netdev", "driver", "irq", "net_rx",
                     "net_tx", "ksoftirqd", "timers", "tasklets", "workqueue", "other")


def ctx_participant(host, kind, cid):
    """(key, label) of the participant a context stands for."""
    if kind == CTX_HARDIRQ:
        return ("irq", "hard IRQ")
    if kind == CTX_SOFTIRQ:
        n = SOFTIRQ_NAMES[cid] if cid < len(SOFTIRQ_NAMES) else str(cid)
        return SOFTIRQ_PARTICIPANT.get(n, ("other", "softirq " + n))
    if kind == CTX_TASKLET:
        return ("tasklets", "tasklets")
    if kind == CTX_TIMER:
        return ("timers", "timers")
    if kind == CTX_WORK:
        return ("workqueue", "workqueue")
    name = host.trace.ctx_name(kind, cid)
    if name.startswith("ksoftirqd"):
        return ("ksoftirqd", "ksoftirqd")
    if name.startswith("kworker"):
        return ("workqueue", "workqueue")
    return ("app:%d" % cid, "app thread %s(%d)" % (name, cid))


CTX_EVENTS = ("hardirq", "softirq", "tasklet_run", "timer_expire", "work_run")


def participant(host, name, category, kind, cid):
    """(key, label) of the participant a step belongs to: its layer when the event name
    says one, else the context running it."""
    for key, label, prefixes in LAYERS:
        if name.startswith(prefixes):
            return (key, label)
    if name.startswith(DRIVER_PREFIXES):
        return ("driver", "driver")
    if name in CTX_EVENTS:
        return ctx_participant(host, kind, cid)
    if category & (1 << 5):  # NET: not a known layer prefix, so a driver's step
        return ("driver", "driver")
    return ctx_participant(host, kind, cid)


def participant_rank(key):
    base = key.split(":")[0]
    return PARTICIPANT_ORDER.index(base) if base in PARTICIPANT_ORDER else len(PARTICIPANT_ORDER)


# ------------------------------------------------------------------ steps and chains
class Step:
    """One element of a packet's chain: a record, a slice begun before it, or the moment a
    hand-off's target ran (a Run for a thread)."""
    __slots__ = ("kind", "rec", "slice", "run", "ns", "host", "ctx", "label", "name", "order",
                 "part")

    def __init__(self, kind, host, ns, ctx, name, order, rec=None, slc=None, run=None):
        self.kind, self.host, self.ns, self.ctx, self.name = kind, host, ns, ctx, name
        self.order, self.rec, self.slice, self.run = order, rec, slc, run
        self.label = host.trace.ctx_label(*ctx)
        if kind == "resume":
            self.part = ctx_participant(host, *ctx)
        else:
            r = rec or slc.begin
            self.part = participant(host, r.ev.name, r.ev.category, *ctx)
            if self.part == ctx_participant(host, *ctx) and r.ev.name not in CTX_EVENTS:
                # A core event (wake_up, raise_softirq ...) inside a step of the stack
                # belongs to that step's layer.
                for s in _enclosing(r):
                    part = participant(host, s.ev.name, s.ev.category, *ctx)
                    if part != self.part:
                        self.part = part
                        break

    @classmethod
    def of_rec(cls, r, kind=None):
        k = kind or ("handoff" if r.ev.kind == HANDOFF else "step" if r.phase == BEGIN else "instant")
        return cls(k, r.host, r.ns, r.ctx, r.ev.name, r.order, rec=r, slc=r.slice if r.phase == BEGIN else None)

    @classmethod
    def of_slice(cls, s):
        b = s.begin
        return cls("step", b.host, b.ns, b.ctx, s.name, b.order, rec=b, slc=s)

    def __repr__(self):
        return "<Step %s %s %s @%d>" % (self.kind, self.label, self.name, self.ns)


class Packet:
    """All that one packet id's records say."""

    def __init__(self, host, pid):
        self.host, self.id = host, pid
        self.recs = []          # own records (pkt == id), in order
        self.extra = []         # records without an id inside its slices
        self.parent = None
        self.children = []
        self.wires = []         # (rec, WireId) from skb_wire
        self._chain = None

    @property
    def first(self):
        return self.recs[0] if self.recs else None

    def family_root(self):
        p = self
        for _ in range(64):
            if p.parent is None:
                break
            p = p.parent
        return p

    def family(self):
        out, todo, seen = [], [self.family_root()], set()
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            out.append(p)
            todo.extend(p.children)
        return out

    def tx_wires(self):
        return [(r, w) for r, w in self.wires if w.tx]

    def rx_wires(self):
        return [(r, w) for r, w in self.wires if not w.tx]

    def chain(self):
        if self._chain is None:
            self._chain = build_chain(self)
        return self._chain

    def __repr__(self):
        return "<Packet %s#%d %d recs>" % (self.host.label, self.id, len(self.recs))


def find_packets(host):
    """{id: Packet} for one Host; also attaches records without an id to the packet whose
    slice encloses them, links families and decodes wire identities."""
    pk = {}
    for r in host.records:
        if r.pkt and r.ev.name != "trace_meta":
            p = pk.get(r.pkt)
            if p is None:
                p = pk[r.pkt] = Packet(host, r.pkt)
            p.recs.append(r)
            if r.ev.name == "skb_wire":
                p.wires.append((r, wire_id(r)))
    for p in pk.values():
        for r in p.recs:
            par = r.arg("parent")
            if par and par != p.id and p.parent is None:
                parent = pk.get(par)
                if parent is None:
                    parent = pk[par] = Packet(host, par)
                if parent.family_root() is p:
                    break  # a cycle: corrupted ids, keep them apart
                p.parent = parent
                parent.children.append(p)
                break
    for r in host.records:
        if r.pkt or r.phase == END or r.ev.name == "trace_meta":
            continue
        s = r.slice.parent if r.phase == BEGIN and r.slice is not None else r.slice
        while s is not None and not s.pkt:
            s = s.parent
        if s is not None and s.pkt in pk:
            pk[s.pkt].extra.append(r)
    host.packets = pk
    return pk


def _enclosing(r):
    """Slices enclosing r on its track, innermost first (not r's own slice)."""
    s = r.slice.parent if r.phase == BEGIN and r.slice is not None else r.slice
    while s is not None:
        yield s
        s = s.parent


def _cause_steps(host, r, seen, depth=0):
    """Steps that started the (non-thread) activation r runs in: the hand-off and the
    slices around it in its own context, recursively."""
    if depth > 3 or r.track.kind == CTX_THREAD:
        return []
    h = host.cause_of(r)
    if h is None or h in seen:
        return []
    seen.add(h)
    out = _cause_steps(host, h, seen, depth + 1)
    for s in reversed(list(_enclosing(h))):
        if s not in seen:
            seen.add(s)
            out.append(Step.of_slice(s))
    out.append(Step.of_rec(h))
    return out


def _resume_step(host, h):
    """The step for a hand-off's target running, or None."""
    t = h.target
    if t is None:
        return None
    kind, cid = target_ctx(h.a0)
    if kind == CTX_THREAD:
        run = host.switch_runs.get(t)
        return Step("resume", host, t.ns, (kind, cid), "", t.order, rec=t, run=run)
    if t.phase == BEGIN:
        return Step.of_slice(t.slice)
    return Step.of_rec(t)


def build_chain(p, depth=0):
    """The causally ordered steps of packet p (see the module doc)."""
    host = p.host
    items = sorted(p.recs + p.extra, key=lambda r: r.order)
    items = [r for r in items if r.phase != END]
    if not items:
        return []
    steps, seen = [], set()
    first = items[0]
    if p.parent is not None and p.parent.recs and depth < 8:
        for s in build_chain(p.parent, depth + 1):
            if s.order < first.order:
                steps.append(s)
                if s.slice is not None:
                    seen.add(s.slice)
                if s.rec is not None:
                    seen.add(s.rec)
    elif not any(s.pkt and s.pkt != p.id for s in _enclosing(first)):
        # Started by a hand-off into this context (IRQ -> softirq ...). A packet made
        # while another one was being handled (a reply) starts with that one's slices.
        steps.extend(_cause_steps(host, first, seen))
    prev_track = None
    resume = None
    for r in items:
        if r in seen:
            continue
        if resume is not None:
            if resume.order <= r.order and (resume.run is not None or resume.ctx != r.ctx):
                steps.append(resume)
                if resume.slice is not None:
                    seen.add(resume.slice)
            resume = None
        if r.track is not prev_track:
            for s in reversed(list(_enclosing(r))):
                if s not in seen:
                    seen.add(s)
                    steps.append(Step.of_slice(s))
        seen.add(r)
        if r.slice is not None and r.phase == BEGIN:
            seen.add(r.slice)
        steps.append(Step.of_rec(r))
        prev_track = r.track
        if r.ev.kind == HANDOFF:
            resume = _resume_step(host, r)
    if resume is not None:
        steps.append(resume)
    steps.sort(key=lambda s: (s.order, 0 if s.kind != "resume" else 1))
    return steps


def chain_text(steps, with_host=False):
    """'thread:server(5) udp_sendmsg -> ip_queue_xmit -> ... -> softirq:NET_RX softirq ...':
    a context label wherever the context changes."""
    out, last, bare = [], None, False
    for s in steps:
        key = (s.host, s.ctx)
        name = s.name
        if key != last:
            lab = ("%s/" % s.host.label if with_host else "") + s.label
            out.append(lab + (" " + name if name else ""))
            bare = not name
        elif name and bare:
            out[-1] += " " + name  # "thread:client(6) udp_recvmsg" after a resume
            bare = False
        elif name:
            out.append(name)
        last = key
    return " -> ".join(out)


def tx_part(steps, wire_rec):
    """The steps of a chain up to the frame leaving (its tx skb_wire record), with what the
    driver did inside the same transmit call."""
    out, end_ns, track = [], None, None
    for s in steps:
        if end_ns is not None:
            if s.rec is None or s.rec.track is not track or s.ns > end_ns:
                break
        out.append(s)
        if s.rec is wire_rec:
            track = wire_rec.track
            encl = wire_rec.slice
            end_ns = encl.end_ns if encl is not None and encl.end_ns is not None else s.ns
    return out


def rx_part(steps, wire_rec):
    """The steps of a chain from its start through the app it reached (a received frame)."""
    return steps


# ------------------------------------------------------------------ connections
class Connection:
    """Packets of one conversation (same protocol and port pair, or ICMP id), possibly
    on two hosts."""

    def __init__(self, key):
        self.key = key
        self.label = connection_label(key)
        self.packets = []

    def add(self, p):
        self.packets.append(p)

    def sorted_packets(self):
        return sorted(self.packets, key=lambda p: (p.first.ns if p.first else 0, p.host.index, p.id))


def connections(hosts):
    """Groups every packet family of every host by connection; list of Connection, the
    busiest first. Families without a wire identity go to ('local',)."""
    conns = {}
    for h in hosts:
        pk = getattr(h, "packets", None) or find_packets(h)
        for p in pk.values():
            if not p.recs:
                continue
            key = None
            for q in p.family():
                for _, w in q.wires:
                    key = connection_key(w)
                    break
                if key:
                    break
            key = key or ("local",)
            c = conns.get(key)
            if c is None:
                c = conns[key] = Connection(key)
            c.add(p)
    return sorted(conns.values(), key=lambda c: (c.key == ("local",), -len(c.packets), str(c.key)))
