"""Builds seqos trace streams byte by byte for the seqtrace tests (docs/trace-format.md).

The event table is written here on purpose in a different order from the kernel's, so a
decoder that hard-coded event ids would fail the tests. Scenario helpers write the
records the kernel writes for a UDP exchange between two machines and for the
softirq-order self test."""
import struct

MAGIC = 0x52545153
STEP, INSTANT, HANDOFF, COUNTER = 0, 1, 2, 3
B, E, I = 1, 2, 3
THREAD, HARDIRQ, SOFTIRQ, TASKLET, WORK, TIMER, VECTOR = range(1, 8)
NET_RX, NET_TX, TASKLET_SOFTIRQ = 3, 2, 4

# (name, kind, category bit, format): a subset of the kernel's table, shuffled.
EVENTS = [
    ("skb_wire", INSTANT, 1 << 5, "ip=%#lx l4=%#lx"),
    ("hardirq", STEP, 1 << 1, "vector=%lu gsi=%ld"),
    ("trace_meta", INSTANT, 1, "name"),
    ("udp_recvmsg", STEP, 1 << 5, "sock=%lu len=%lu"),
    ("softirq", STEP, 1 << 1, "vec=%lu from=%lu"),
    ("napi_schedule", HANDOFF, 1 << 5, "to=%#lx napi=%lu"),
    ("raise_softirq", HANDOFF, 1 << 1, "to=%#lx vec=%lu"),
    ("trace_lost", INSTANT, 1, "lost=%lu records since=%lu"),
    ("tasklet_schedule", HANDOFF, 1 << 1, "to=%#lx tasklet=%lu"),
    ("tasklet_run", STEP, 1 << 1, "tasklet=%lu -=%lu"),
    ("wake_up", HANDOFF, 1 << 2, "to=%#lx tid=%lu"),
    ("sched_switch", HANDOFF, 1 << 2, "to=%#lx prev_state=%lu"),
    ("test_event", INSTANT, 1, "a=%lu b=%lu"),
    ("skb_alloc", INSTANT, 1 << 5, "size=%lu pool=%lu"),
    ("skb_clone", INSTANT, 1 << 5, "parent=%lu copy=%lu"),
    ("net_rx_action", STEP, 1 << 5, "budget=%lu usecs=%lu"),
    ("napi_poll", STEP, 1 << 5, "napi=%lu weight=%lu"),
    ("e1000_clean_rx_irq", STEP, 1 << 5, "ring=%lu budget=%lu"),
    ("netif_receive_skb", STEP, 1 << 5, "proto=%lx len=%lu"),
    ("ip_rcv", STEP, 1 << 5, "len=%lu proto=%lu"),
    ("udp_rcv", STEP, 1 << 5, "sport=%lu dport=%lu"),
    ("udp_queue_rcv_skb", STEP, 1 << 5, "sock=%lu qlen=%lu"),
    ("sk_data_ready", INSTANT, 1 << 5, "sock=%lu qlen=%lu"),
    ("__sys_sendto", STEP, 1 << 7, "fd=%lu len=%lu"),
    ("udp_sendmsg", STEP, 1 << 5, "len=%lu dport=%lu"),
    ("ip_queue_xmit", STEP, 1 << 5, "daddr=%lx proto=%lu"),
    ("ip_local_out", STEP, 1 << 5, "len=%lu ipid=%lu"),
    ("dev_queue_xmit", STEP, 1 << 5, "ifindex=%lu len=%lu"),
    ("dev_hard_start_xmit", STEP, 1 << 5, "ifindex=%lu len=%lu"),
    ("e1000_xmit_frame", STEP, 1 << 5, "len=%lu tail=%lu"),
    ("tcp_cwnd", COUNTER, 1 << 6, "cwnd=%lu ssthresh=%lu"),
]


def ctx(kind, cid):
    return kind << 32 | cid


def chunk(typ, payload):
    return struct.pack("<IHHI", MAGIC, typ, 0, len(payload)) + payload


class Builder:
    """Writes one machine's stream: header(), names(), then record() calls collected by
    records() into RECORDS chunks, and end()."""

    def __init__(self, events=EVENTS, tsc_hz=1000000000, boot_tsc=0, ncpus=1):
        self.events = list(events)
        self.ids = {e[0]: i for i, e in enumerate(self.events)}
        self.tsc_hz, self.boot_tsc, self.ncpus = tsc_hz, boot_tsc, ncpus
        self.seq = {}
        self.pending = []

    def header(self):
        p = struct.pack("<IIQQII", 1, 48, self.tsc_hz, self.boot_tsc, self.ncpus, len(self.events))
        for name, kind, cat, fmt in self.events:
            p += struct.pack("<BBHH", kind, cat, len(name), len(fmt)) + name.encode() + fmt.encode()
        return chunk(1, p)

    def names(self, entries):
        p = b""
        for kind, cid, name in entries:
            p += struct.pack("<B3xI32s", kind, cid, name.encode())
        return chunk(2, p)

    def info(self, text):
        return chunk(5, text.encode())

    def end(self, written=0, lost=0):
        return chunk(4, struct.pack("<QQ", written, lost))

    def rec(self, t, name, phase, kind, cid, pkt=0, a0=0, a1=0, cpu=0, flags=0, seq=None):
        """Raw 48-byte record; t in ns since boot (tsc_hz 1 GHz by default)."""
        if seq is None:
            seq = self.seq.get(cpu, 0) + 1
        self.seq[cpu] = seq
        tsc = self.boot_tsc + t * self.tsc_hz // 1000000000
        return struct.pack("<QQQQHBBIHHI", tsc, pkt, a0, a1, self.ids[name], phase, kind, cid,
                           cpu, flags, seq & 0xffffffff)

    def add(self, *a, **kw):
        self.pending.append(self.rec(*a, **kw))

    def records(self, cpu=0, per_chunk=16):
        out = b""
        recs, self.pending = self.pending, []
        for i in range(0, len(recs), per_chunk):
            part = recs[i:i + per_chunk]
            out += chunk(3, struct.pack("<HHI", cpu, 0, len(part)) + b"".join(part))
        return out


def udp_frame(src_mac, dst_mac, sip, dip, ipid, sport, dport, payload=b"hello"):
    """An Ethernet/IPv4/UDP frame (checksums zero: nothing here checks them)."""
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ipid, 0x4000, 64, 17, 0, sip, dip)
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


def wire_args(ipid, sport, dport, totlen, tx, proto=17):
    a0 = totlen << 48 | 0 << 32 | ipid << 16 | (1 if tx else 0) << 8 | proto
    a1 = sport << 48 | dport << 32 | (sport << 16 | dport)
    return a0, a1


PAYLOAD = b"hello"
TOTLEN = 20 + 8 + len(PAYLOAD)


def tx_path(b, t, tid, pkt, ipid, sport, dport):
    """A thread sending one UDP datagram down to the driver; returns the end time."""
    w0, w1 = wire_args(ipid, sport, dport, TOTLEN, True)
    steps = [("__sys_sendto", 0, 3, 5), ("udp_sendmsg", 0, 5, dport)]
    for name, p, x, y in steps:
        b.add(t, name, B, THREAD, tid, p, x, y); t += 1000
    b.add(t, "skb_alloc", I, THREAD, tid, pkt, 256, 1); t += 500
    inner = [("ip_queue_xmit", 0x0a000002, 17), ("ip_local_out", TOTLEN, ipid),
             ("dev_queue_xmit", 1, TOTLEN + 14), ("dev_hard_start_xmit", 1, TOTLEN + 14)]
    for name, x, y in inner:
        b.add(t, name, B, THREAD, tid, pkt, x, y); t += 1000
    b.add(t, "skb_wire", I, THREAD, tid, pkt, w0, w1); t += 300
    b.add(t, "e1000_xmit_frame", B, THREAD, tid, pkt, TOTLEN + 14, 3); t += 2000
    b.add(t, "e1000_xmit_frame", E, THREAD, tid, pkt); t += 200
    for name, _, _ in reversed(inner):
        b.add(t, name, E, THREAD, tid, pkt); t += 200
    for name, p, _, _ in reversed(steps):
        b.add(t, name, E, THREAD, tid, p); t += 200
    return t


def rx_path(b, t, tid, pkt, ipid, sport, dport, vec=81, prev_tid=0):
    """NIC IRQ -> NAPI -> NET_RX softirq -> UDP -> wake_up -> the thread reads the
    datagram; returns the end time."""
    w0, w1 = wire_args(ipid, sport, dport, TOTLEN, False)
    b.add(t, "hardirq", B, HARDIRQ, vec, 0, vec, 11); t += 1000
    b.add(t, "napi_schedule", I, HARDIRQ, vec, 0, ctx(SOFTIRQ, NET_RX), 1); t += 300
    b.add(t, "raise_softirq", I, HARDIRQ, vec, 0, ctx(SOFTIRQ, NET_RX), NET_RX); t += 500
    b.add(t, "hardirq", E, HARDIRQ, vec); t += 400
    b.add(t, "softirq", B, SOFTIRQ, NET_RX, 0, NET_RX, 0); t += 500
    b.add(t, "net_rx_action", B, SOFTIRQ, NET_RX, 0, 300, 2000); t += 500
    b.add(t, "napi_poll", B, SOFTIRQ, NET_RX, 0, 1, 64); t += 500
    b.add(t, "e1000_clean_rx_irq", B, SOFTIRQ, NET_RX, 0, 0, 64); t += 500
    b.add(t, "skb_alloc", I, SOFTIRQ, NET_RX, pkt, 2048, 2); t += 500
    path = [("netif_receive_skb", 0x800, TOTLEN), ("ip_rcv", TOTLEN, 17), ("udp_rcv", sport, dport),
            ("udp_queue_rcv_skb", 7, 0)]
    b.add(t, path[0][0], B, SOFTIRQ, NET_RX, pkt, path[0][1], path[0][2]); t += 300
    b.add(t, "skb_wire", I, SOFTIRQ, NET_RX, pkt, w0, w1); t += 300
    for name, x, y in path[1:]:
        b.add(t, name, B, SOFTIRQ, NET_RX, pkt, x, y); t += 1000
    b.add(t, "sk_data_ready", I, SOFTIRQ, NET_RX, 0, 7, 1); t += 200
    b.add(t, "wake_up", I, SOFTIRQ, NET_RX, 0, ctx(THREAD, tid), tid); t += 300
    for name, _, _ in reversed(path):
        b.add(t, name, E, SOFTIRQ, NET_RX, pkt); t += 200
    for name in ("e1000_clean_rx_irq", "napi_poll", "net_rx_action", "softirq"):
        b.add(t, name, E, SOFTIRQ, NET_RX); t += 200
    b.add(t, "sched_switch", I, THREAD, prev_tid, 0, ctx(THREAD, tid), 0); t += 3000
    b.add(t, "udp_recvmsg", B, THREAD, tid, pkt, 7, len(PAYLOAD)); t += 1500
    b.add(t, "udp_recvmsg", E, THREAD, tid, pkt); t += 500
    b.add(t, "sched_switch", I, THREAD, tid, 0, ctx(THREAD, prev_tid), 2); t += 500
    return t


NAMES_A = [(THREAD, 0, "idle"), (THREAD, 6, "client"), (VECTOR, 81, "e1000")]
NAMES_B = [(THREAD, 0, "idle"), (THREAD, 5, "server"), (VECTOR, 81, "e1000")]
A_MAC, B_MAC = b"\x52\x54\x00\x12\x34\x56", b"\x52\x54\x00\x12\x34\x57"
A_IP, B_IP = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])


def udp_exchange(offset_ns=5000000000, wire_ns=(40000, 60000)):
    """(stream A, stream B, frames): client A (tid 6) sends a datagram 49152 -> 3490 to
    server B (tid 5), which replies. B's clock reads offset_ns more than A's; the frames
    take wire_ns[0] (A->B) and wire_ns[1] (B->A). frames are (A-time ns, bytes)."""
    a, b = Builder(), Builder()
    sa = a.header() + a.names(NAMES_A) + a.info("hostname=client\n")
    sb = b.header() + b.names(NAMES_B) + b.info("hostname=server\n")
    ta = 1000000
    a.add(ta - 500, "sched_switch", I, THREAD, 0, 0, ctx(THREAD, 6), 0)
    t_tx = tx_path(a, ta, 6, 1, 100, 49152, 3490)
    wire_a = ta + 2000 + 500 + 4000  # when A's skb_wire record was written
    tb = wire_a + wire_ns[0] + offset_ns - 5000  # B's skb_wire rx is 5 us after its IRQ
    t_rx_b = rx_path(b, tb, 5, 10, 100, 49152, 3490)
    tb2 = tx_path(b, t_rx_b + 1000, 5, 11, 200, 3490, 49152)
    wire_b = t_rx_b + 1000 + 2000 + 500 + 4000
    ta2 = max(t_tx + 1000, wire_b - offset_ns + wire_ns[1] - 5000)
    a.add(t_tx + 100, "sched_switch", I, THREAD, 6, 0, ctx(THREAD, 0), 2)
    rx_path(a, ta2, 6, 2, 200, 3490, 49152)
    sa += a.records() + a.end()
    sb += b.records() + b.end()
    frames = [(wire_a, udp_frame(A_MAC, B_MAC, A_IP, B_IP, 100, 49152, 3490, PAYLOAD)),
              (wire_b - offset_ns, udp_frame(B_MAC, A_MAC, B_IP, A_IP, 200, 3490, 49152, PAYLOAD))]
    return sa, sb, frames


def softirq_order():
    """The records of `selftest softirq-order`: a thread marker, a hard IRQ scheduling a
    tasklet and raising TASKLET_SOFTIRQ, the softirq at irq_exit running the tasklet."""
    b = Builder()
    s = b.header() + b.names([(THREAD, 4, "shell"), (VECTOR, 224, "selftest"), (TASKLET, 1, "st_tasklet_fn")])
    t = 1000
    b.add(t, "test_event", I, THREAD, 4, 0, 10, 1); t += 1000
    b.add(t, "hardirq", B, HARDIRQ, 224, 0, 224, (1 << 64) - 1); t += 500
    b.add(t, "test_event", I, HARDIRQ, 224, 0, 12, 1); t += 300
    b.add(t, "tasklet_schedule", I, HARDIRQ, 224, 0, ctx(TASKLET, 1), 1); t += 300
    b.add(t, "raise_softirq", I, HARDIRQ, 224, 0, ctx(SOFTIRQ, TASKLET_SOFTIRQ), 4); t += 300
    b.add(t, "hardirq", E, HARDIRQ, 224); t += 200
    b.add(t, "softirq", B, SOFTIRQ, TASKLET_SOFTIRQ, 0, 4, 0); t += 300
    b.add(t, "tasklet_run", B, TASKLET, 1, 0, 1, 0); t += 900
    b.add(t, "tasklet_run", E, TASKLET, 1); t += 100
    b.add(t, "softirq", E, SOFTIRQ, TASKLET_SOFTIRQ); t += 200
    b.add(t, "test_event", I, THREAD, 4, 0, 11, 1)
    return s + b.records() + b.end()


def pcap_file(frames, nano=False, big=False):
    """A classic pcap with frames [(ns, bytes)]."""
    e = ">" if big else "<"
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 65535, 1)
    for ns, data in frames:
        sec, rest = divmod(ns, 1000000000)
        frac = rest if nano else rest // 1000
        out += struct.pack(e + "IIII", sec, frac, len(data), len(data)) + data
    return out
