"""Joining two (or more) machines' traces on the wire, and their clock offset.

Each machine's times count from its own boot, on its own TSC. A frame that host A sent
(skb_wire tx) and host B received (skb_wire rx) has the same identity on both sides
(IPv4 id, protocol, fragment field, total length, ports, TCP sequence number or ICMP echo
id/seq), so pairs are found by that identity, first unmatched first.

Offset: write B's clock as A's plus theta (t_B = t_A + theta + delay). A frame A -> B says
delay = tB - tA - theta >= 0, so theta <= U = min(tB - tA); a frame B -> A says
theta >= L = max(tB - tA) over those pairs (there tA is the receive time). With frames in
both directions the estimate is the middle (L + U) / 2 and the error is at most
(U - L) / 2: half the sum of the two fastest one-way delays (NTP's reasoning, with the
minimum delays standing in for symmetric paths). With one direction only, theta = U: the
fastest frame is taken to have crossed in no time, so the offset is an upper bound and
every drawn wire delay a lower bound. Rate: the two TSCs are calibrated separately, so
the offset may drift; when both halves of the trace (by time) have pairs in both
directions, theta is estimated in each half, and when the two estimates differ by more
than their error bounds the drift is the slope between them (reported in ppm and applied
linearly; otherwise none). Host B's times are then moved onto A's clock:
t -> t - theta(t)."""
from .packets import find_packets, wire_key


class Offset:
    """theta(t) = theta0 + rate * (t - t0), in ns, with its error bound and a text."""

    def __init__(self, theta0=0, rate=0.0, t0=0, err=None, pairs_ab=0, pairs_ba=0, method="none"):
        self.theta0, self.rate, self.t0, self.err = theta0, rate, t0, err
        self.pairs_ab, self.pairs_ba, self.method = pairs_ab, pairs_ba, method

    def at(self, t):
        """theta at reference-clock time t."""
        return int(round(self.theta0 + self.rate * (t - self.t0)))

    def at_own(self, t):
        """theta at time t read on the shifted host's own clock."""
        return self.at(t - self.theta0)

    def describe(self):
        err = "unbounded (one direction)" if self.err is None else "+-%d ns" % self.err
        return ("offset %d ns at %d ns, drift %.1f ppm, error %s (%s; %d frames A->B, %d B->A)" % (
            self.theta0, self.t0, self.rate * 1e6, err, self.method, self.pairs_ab, self.pairs_ba))


def match(hosts):
    """[(tx rec, rx rec)] for frames sent by one host and received by another."""
    rx = {}
    for h in hosts:
        if not hasattr(h, "packets"):
            find_packets(h)
        for p in h.packets.values():
            for r, w in p.rx_wires():
                rx.setdefault(wire_key(w), []).append(r)
    for v in rx.values():
        v.sort(key=lambda r: r.ns)
    pairs = []
    txs = sorted(((r, w) for h in hosts for p in h.packets.values() for r, w in p.tx_wires()),
                 key=lambda x: x[0].ns)
    for r, w in txs:
        cands = rx.get(wire_key(w))
        if not cands:
            continue
        for i, c in enumerate(cands):
            if c.host is not r.host:
                pairs.append((r, cands.pop(i)))
                break
    return pairs


def _bounds(ab, ba):
    """(L, U) from the differences tB - tA of both directions (None when absent)."""
    u = min(ab) if ab else None
    lo = max(ba) if ba else None
    return lo, u


def _estimate(ab, ba):
    lo, u = _bounds(ab, ba)
    if u is not None and lo is not None:
        return (lo + u) / 2.0, abs(u - lo) / 2.0, "both directions"
    if u is not None:
        return float(u), None, "A->B only"
    if lo is not None:
        return float(lo), None, "B->A only"
    return None, None, "no frames in common"


def estimate(pairs, a, b):
    """Offset of host b's clock relative to host a's from the matched pairs."""
    ab, ba = [], []   # (tA, tB - tA)
    for tx, rx in pairs:
        if tx.host is a and rx.host is b:
            ab.append((tx.ns, rx.ns - tx.ns))
        elif tx.host is b and rx.host is a:
            ba.append((rx.ns, tx.ns - rx.ns))
    theta, err, how = _estimate([d for _, d in ab], [d for _, d in ba])
    if theta is None:
        return Offset(method=how)
    t0 = sorted(t for t, _ in ab + ba)[len(ab + ba) // 2]
    rate = 0.0
    first = ([d for t, d in ab if t < t0], [d for t, d in ba if t < t0])
    second = ([d for t, d in ab if t >= t0], [d for t, d in ba if t >= t0])
    if all(first) and all(second):
        th1, e1, _ = _estimate(*first)
        th2, e2, _ = _estimate(*second)
        m1 = sum(t for t, _ in ab + ba if t < t0) / max(1, sum(1 for t, _ in ab + ba if t < t0))
        m2 = sum(t for t, _ in ab + ba if t >= t0) / max(1, sum(1 for t, _ in ab + ba if t >= t0))
        # A drift only when the two halves disagree by more than their error bounds: the
        # TSCs are calibrated to ~100 ppm, so over a short exchange the slope between two
        # estimates each +-0.2 ms is noise (it read -990 ppm on a 1 s run).
        if m2 > m1 and abs(th2 - th1) > e1 + e2:
            rate = (th2 - th1) / (m2 - m1)
            how += ", drift from both halves"
            # Bounds again with the drift taken out.
            theta, err, _ = _estimate([d - rate * (t - t0) for t, d in ab],
                                      [d - rate * (t - t0) for t, d in ba])
    return Offset(int(round(theta)), rate, t0, None if err is None else int(round(err)),
                  len(ab), len(ba), how)


def shift(host, off):
    """Moves a host's times onto the reference clock: t -> t - theta(t)."""
    for r in host.trace.records:
        r.ns -= off.at_own(r.ns)
    for s in host.slices:
        if s.end_ns is not None:
            s.end_ns -= off.at_own(s.end_ns)
    for u in host.runs:
        u.start_ns -= off.at_own(u.start_ns)
        u.end_ns -= off.at_own(u.end_ns)
    host.offset_ns = off.theta0
    host.offset = off


def join(hosts):
    """Matches frames between hosts, estimates each host's offset against hosts[0] and
    moves its times; returns (pairs, {host label: Offset})."""
    pairs = match(hosts)
    offsets = {}
    ref = hosts[0]
    for h in hosts[1:]:
        off = estimate(pairs, ref, h)
        offsets[h.label] = off
        if off.method != "no frames in common":
            shift(h, off)
    return pairs, offsets
