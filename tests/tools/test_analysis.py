"""seqtrace analysis (docs/analysis.md): two synthetic streams of the seed exchange over
TCP, built record by record (streambuild.Builder), turned into the document; and the
tool refusing a trace with a step missing."""
import contextlib
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))

import streambuild as sb  # noqa: E402
from streambuild import B, E, I, THREAD, HARDIRQ, SOFTIRQ, VECTOR, NET_RX, ctx  # noqa: E402
from seqtrace import analysis, check, cli, model, packets, stream  # noqa: E402

NET, TCP, SOCK = 1 << 5, 1 << 6, 1 << 7
STEPS = ["net_rx_action", "napi_poll", "e1000_clean", "e1000_clean_rx_irq", "e1000_clean_tx_irq",
         "e1000_xmit_frame", "netif_receive_skb", "ip_rcv", "ip_local_deliver", "ip_queue_xmit",
         "ip_local_out", "ip_output", "ip_finish_output", "dev_queue_xmit", "dev_hard_start_xmit"]
TCP_STEPS = ["tcp_v4_rcv", "tcp_v4_do_rcv", "tcp_rcv_established", "tcp_rcv_state_process",
             "tcp_data_queue", "tcp_conn_request", "tcp_send_synack", "tcp_connect", "tcp_transmit_skb",
             "tcp_send_ack", "tcp_send_fin", "tcp_sendmsg", "tcp_push", "tcp_write_xmit", "tcp_recvmsg"]
SYSCALLS = ["__sys_bind", "__sys_accept", "__sys_connect", "__sys_sendto", "__sys_recvfrom",
            "sock_sendmsg", "sock_close"]
FMT = {"tcp_transmit_skb": "seq=%lx flags=%lx", "tcp_data_queue": "seq=%lx len=%lu",
       "__sys_bind": "fd=%lu port=%lu", "tcp_set_state": "sock=%lu from_to=%lx",
       "copy_to_user": "bytes=%lu -=%lu", "consume_skb": "len=%lu -=%lu", "softirq": "vec=%lu from=%lu"}
MINE = ([(n, sb.STEP, NET) for n in STEPS] + [(n, sb.STEP, TCP) for n in TCP_STEPS] +
        [(n, sb.STEP, SOCK) for n in SYSCALLS] +
        [("tcp_set_state", sb.INSTANT, TCP), ("copy_to_user", sb.INSTANT, SOCK), ("consume_skb", sb.INSTANT, NET)])
EVENTS = [e for e in sb.EVENTS if e[0] not in [m[0] for m in MINE]] + \
    [(n, k, c, FMT.get(n, "a=%lu b=%lu")) for n, k, c in MINE]
EVENTS.reverse()  # not the kernel's order either

SPORT, DPORT = 40000, 3490
OFFSET = 5000000000  # the client's clock reads this much more than the server's


class Machine:
    """One machine's records on a clock shared by both (the client's shifted by OFFSET),
    so that frames cross the wire forwards in time; `drop` leaves events out."""

    clock = [1000000]

    def __init__(self, offset, drop):
        self.b = sb.Builder(events=EVENTS)
        self.offset, self.drop = offset, drop
        self.cur = (THREAD, 0)

    def rec(self, name, phase, c, pkt=0, a0=0, a1=0):
        self.clock[0] += 1000
        if name not in self.drop:
            self.b.add(self.clock[0] + self.offset, name, phase, c[0], c[1], pkt, a0, a1)

    @contextlib.contextmanager
    def step(self, name, c, pkt=0, a0=0, a1=0):
        self.rec(name, B, c, pkt, a0, a1)
        yield
        self.rec(name, E, c, pkt)

    def switch(self, tid, state=2):
        self.rec("sched_switch", I, self.cur, 0, ctx(THREAD, tid), state)
        self.cur = (THREAD, tid)

    def xmit(self, c, parent, clone, flags, seq, ipid, sport, dport, totlen, transmit=True):
        def down():
            self.rec("skb_clone", I, c, clone, parent, 0)
            names = ["ip_queue_xmit", "ip_local_out", "ip_output", "ip_finish_output", "dev_queue_xmit",
                     "dev_hard_start_xmit"]
            for n in names:
                self.rec(n, B, c, clone, 1, 2)
            a0, a1 = sb.wire_args(ipid, sport, dport, totlen, True, proto=6)
            self.rec("skb_wire", I, c, clone, a0, (a1 & ~0xffffffff) | seq)
            with self.step("e1000_xmit_frame", c, clone, totlen + 14, 1):
                pass
            for n in reversed(names):
                self.rec(n, E, c, clone)
        if transmit:
            with self.step("tcp_transmit_skb", c, parent, seq, flags):
                down()
        else:
            down()

    def rx(self, pkt, seq, ipid, sport, dport, totlen, tcp):
        irq, net = (HARDIRQ, 70), (SOFTIRQ, NET_RX)
        with self.step("hardirq", irq, 0, 70, 22):
            self.rec("napi_schedule", I, irq, 0, ctx(SOFTIRQ, NET_RX), 2)
            self.rec("raise_softirq", I, irq, 0, ctx(SOFTIRQ, NET_RX), NET_RX)
        with self.step("softirq", net, 0, NET_RX, 0), self.step("net_rx_action", net), \
                self.step("napi_poll", net), self.step("e1000_clean", net), self.step("e1000_clean_rx_irq", net):
            self.rec("skb_alloc", I, net, pkt, 2048, 1)
            a0, a1 = sb.wire_args(ipid, sport, dport, totlen, False, proto=6)
            with self.step("netif_receive_skb", net, pkt):
                self.rec("skb_wire", I, net, pkt, a0, (a1 & ~0xffffffff) | seq)
                with self.step("ip_rcv", net, pkt), self.step("ip_local_deliver", net, pkt), \
                        self.step("tcp_v4_rcv", net, pkt), self.step("tcp_v4_do_rcv", net, pkt):
                    tcp(net)

    def tx_done(self, clone):
        irq, net = (HARDIRQ, 70), (SOFTIRQ, NET_RX)
        with self.step("hardirq", irq, 0, 70, 22):
            self.rec("napi_schedule", I, irq, 0, ctx(SOFTIRQ, NET_RX), 2)
        with self.step("softirq", net, 0, NET_RX, 0), self.step("net_rx_action", net), \
                self.step("napi_poll", net), self.step("e1000_clean", net), self.step("e1000_clean_tx_irq", net):
            self.rec("consume_skb", I, net, clone, 66, 0)

    def stream(self, names, host):
        return self.b.header() + self.b.names(names) + self.b.info("hostname=%s\n" % host) + \
            self.b.records() + self.b.end()


def seed_exchange(drop=()):
    """(server stream, client stream): handshake, the server's send, the client's recv,
    the server's FIN first, then the client's."""
    s, c = Machine(0, set(drop)), Machine(OFFSET, set(drop))
    st, ct = (THREAD, 7), (THREAD, 8)
    s.switch(7, 0)
    with s.step("__sys_bind", st, 0, 0, DPORT):
        pass
    s.rec("__sys_accept", B, st, 0, 0, 0)
    s.switch(0)
    c.switch(8, 0)
    c.rec("__sys_connect", B, ct, 0, 0, DPORT)
    c.rec("tcp_set_state", I, ct, 0, 1, 0x702)
    with c.step("tcp_connect", ct):
        c.rec("skb_alloc", I, ct, 1, 160, 1)
        c.xmit(ct, 1, 2, 0x02, 100, 1, SPORT, DPORT, 60)
    c.switch(0)

    def synack(net):
        with s.step("tcp_conn_request", net, 10), s.step("tcp_send_synack", net, 10):
            s.rec("skb_alloc", I, net, 11, 160, 1)
            s.xmit(net, 11, 12, 0, 200, 11, DPORT, SPORT, 60, transmit=False)
        s.rec("tcp_set_state", I, net, 0, 2, 0x703)
    s.rx(10, 100, 1, SPORT, DPORT, 60, synack)

    def established(net):
        with c.step("tcp_rcv_state_process", net, 3):
            c.rec("tcp_set_state", I, net, 0, 1, 0x201)
            c.rec("wake_up", I, net, 0, ctx(THREAD, 8), 8)
            with c.step("tcp_send_ack", net):
                c.rec("skb_alloc", I, net, 4, 160, 1)
                c.xmit(net, 4, 5, 0x10, 101, 2, SPORT, DPORT, 52)
    c.rx(3, 200, 11, DPORT, SPORT, 60, established)
    c.switch(8, 0)
    c.rec("__sys_connect", E, ct)
    c.rec("__sys_recvfrom", B, ct, 0, 0, 100)
    c.rec("tcp_recvmsg", B, ct, 0, 1, 100)
    c.switch(0)

    def accepted(net):
        with s.step("tcp_rcv_state_process", net, 13):
            s.rec("tcp_set_state", I, net, 0, 2, 0x301)
            s.rec("wake_up", I, net, 0, ctx(THREAD, 7), 7)
    s.rx(13, 101, 2, SPORT, DPORT, 52, accepted)
    s.switch(7, 0)
    s.rec("__sys_accept", E, st)
    s.switch(9, 2)
    ch = (THREAD, 9)
    with s.step("__sys_sendto", ch, 0, 1, 14), s.step("sock_sendmsg", ch), s.step("tcp_sendmsg", ch, 0, 2, 14):
        s.rec("skb_alloc", I, ch, 14, 1608, 2)
        with s.step("tcp_push", ch), s.step("tcp_write_xmit", ch):
            s.xmit(ch, 14, 15, 0x18, 201, 12, DPORT, SPORT, 66)
    s.tx_done(15)

    def data(net):
        with c.step("tcp_rcv_established", net, 6), c.step("tcp_data_queue", net, 6, 201, 14):
            c.rec("sk_data_ready", I, net, 0, 1, 1)
            c.rec("wake_up", I, net, 0, ctx(THREAD, 8), 8)
    c.rx(6, 201, 12, DPORT, SPORT, 66, data)
    c.switch(8, 0)
    c.rec("consume_skb", I, ct, 6, 14, 0)
    c.rec("tcp_recvmsg", E, ct)
    c.rec("copy_to_user", I, ct, 0, 14, 0)
    c.rec("__sys_recvfrom", E, ct)

    with s.step("sock_close", ch):
        s.rec("tcp_set_state", I, ch, 0, 2, 0x104)
        with s.step("tcp_send_fin", ch):
            s.rec("skb_alloc", I, ch, 16, 160, 1)
            with s.step("tcp_push", ch), s.step("tcp_write_xmit", ch):
                s.xmit(ch, 16, 17, 0x11, 215, 13, DPORT, SPORT, 52)
    s.switch(0, 4)

    def fin_in(net):
        with c.step("tcp_rcv_state_process", net, 7):
            c.rec("tcp_set_state", I, net, 0, 1, 0x108)
            with c.step("tcp_send_ack", net):
                c.rec("skb_alloc", I, net, 20, 160, 1)
                c.xmit(net, 20, 21, 0x10, 101, 3, SPORT, DPORT, 52)
    c.rx(7, 215, 13, DPORT, SPORT, 52, fin_in)

    def fin_acked(net):
        with s.step("tcp_rcv_state_process", net, 18):
            s.rec("tcp_set_state", I, net, 0, 2, 0x405)
    s.rx(18, 101, 3, SPORT, DPORT, 52, fin_acked)

    with c.step("sock_close", ct):
        c.rec("tcp_set_state", I, ct, 0, 1, 0x809)
        with c.step("tcp_send_fin", ct):
            c.rec("skb_alloc", I, ct, 22, 160, 1)
            with c.step("tcp_push", ct), c.step("tcp_write_xmit", ct):
                c.xmit(ct, 22, 23, 0x11, 101, 4, SPORT, DPORT, 52)

    def last_ack(net):
        with s.step("tcp_rcv_state_process", net, 19):
            s.rec("tcp_set_state", I, net, 0, 2, 0x506)
            with s.step("tcp_send_ack", net):
                s.rec("skb_alloc", I, net, 24, 160, 1)
                s.xmit(net, 24, 25, 0x10, 216, 14, DPORT, SPORT, 52)
    s.rx(19, 101, 4, SPORT, DPORT, 52, last_ack)

    def closed(net):
        with c.step("tcp_rcv_state_process", net, 26):
            c.rec("tcp_set_state", I, net, 0, 1, 0x907)
    c.rx(26, 216, 14, DPORT, SPORT, 52, closed)
    names = [(THREAD, 0, "idle"), (VECTOR, 70, "eth0")]
    return (s.stream(names + [(THREAD, 7, "server"), (THREAD, 9, "server")], "server"),
            c.stream(names + [(THREAD, 8, "client")], "client"))


def hosts_of(*datas):
    hs = []
    for i, d in enumerate(datas):
        h = model.build(stream.decode(d, "s%d" % i), i)
        packets.find_packets(h)
        hs.append(h)
    return hs


TEMPLATE_PATH = os.path.join(ROOT, "docs", "analysis.md.in")


def template():
    with open(TEMPLATE_PATH) as f:
        return f.read()


INFO = {"run_date": "test", "commit": "test", "nic": "e1000"}


class Analysis(unittest.TestCase):
    def doc(self, **kw):
        return analysis.generate(hosts_of(*seed_exchange(**kw)), template(), INFO)

    def test_document_sections_and_diagrams(self):
        text = self.doc()
        self.assertNotIn("{{", text)
        for h in ("## 1. Three-way handshake", "## 2. The send path", "## 3. The receive path",
                  "## 4. Close", "## 5. Interplay"):
            self.assertIn(h, text)
        blocks = check.mermaid_blocks(text)
        # handshake, send, receive, close, hand-offs on each machine
        self.assertEqual(len(blocks), 6)
        for b in blocks:
            self.assertEqual(check.check_mermaid(b), [])
        hs = blocks[0]
        for f in ("SYN client → server", "SYN-ACK server → client", "ACK client → server"):
            self.assertIn(f, hs)
        self.assertIn("-)", hs)
        self.assertIn("tcp_v4_rcv → tcp_v4_do_rcv", hs)

    def test_send_costs(self):
        text = self.doc()
        sec = text.split("## 2. The send path")[1].split("## 3.")[0]
        # __sys_sendto: 6 steps of 1000 ns around 2 x ... measured from the records
        rows = [l for l in sec.splitlines() if l.startswith("| ") and "`" in l]
        names = [l.split("`")[1] for l in rows]
        for n in analysis.SEND_STEPS:
            self.assertIn(n, names)
        self.assertIn("e1000_xmit_frame", names)
        self.assertIn("consume_skb", names)  # the TX completion
        top = [l for l in rows if "`__sys_sendto`" in l][0].split("|")
        # time = its records' span; own = time minus its nested steps
        dur = float(top[4])
        own = float(top[5])
        self.assertGreater(dur, own)
        self.assertEqual(own, 2.0)  # B sock_sendmsg 1 µs after B, E 1 µs before E
        self.assertIn("after send() returned", sec)
        self.assertIn("in `thread:server(9)`", sec)

    def test_receive_and_close(self):
        text = self.doc()
        rec = text.split("## 3. The receive path")[1].split("## 4.")[0]
        self.assertIn("the thread slept", rec)
        self.assertIn("returning 14 bytes", rec)
        for n in ("hardirq", "napi_schedule → softirq:NET_RX", "tcp_data_queue", "sk_data_ready",
                  "copy_to_user", "tcp_recvmsg"):
            self.assertIn("`%s`" % n, rec)
        close = text.split("## 4. Close")[1].split("## 5.")[0]
        self.assertIn("the server sent the first FIN", close)
        self.assertIn("ESTABLISHED → FIN_WAIT1", close)
        self.assertIn("LAST_ACK → CLOSE", close)
        inter = text.split("## 5. Interplay")[1]
        self.assertIn("| `hardirq:eth0(70)` | `napi_schedule` | `softirq:NET_RX` |", inter)

    def test_missing_step_fails(self):
        for drop, what in (("ip_local_out", "ip_local_out"), ("tcp_send_synack", "no tcp_transmit_skb flags"),
                           ("copy_to_user", "copy_to_user"), ("tcp_send_fin", "close")):
            with self.assertRaises(analysis.Missing) as cm:
                self.doc(drop=(drop,))
            self.assertIn(what, str(cm.exception))

    def test_cli_writes_nothing_on_a_missing_step(self):
        with tempfile.TemporaryDirectory() as d:
            srv, cli_ = os.path.join(d, "server.trace"), os.path.join(d, "client.trace")
            out = os.path.join(d, "analysis.md")
            for path, data in zip((srv, cli_), seed_exchange(drop=("tcp_data_queue",))):
                with open(path, "wb") as f:
                    f.write(data)
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                rc = cli.main(["analysis", srv, cli_, "-t", TEMPLATE_PATH, "-o", out,
                               "--set", "run_date=x", "--set", "commit=y", "--set", "nic=e1000"])
            self.assertEqual(rc, 1)
            self.assertFalse(os.path.exists(out))
            self.assertIn("tcp_data_queue", err.getvalue())
            for path, data in zip((srv, cli_), seed_exchange()):
                with open(path, "wb") as f:
                    f.write(data)
            with contextlib.redirect_stdout(io.StringIO()):
                rc = cli.main(["analysis", cli_, srv, "-t", TEMPLATE_PATH, "-o", out,
                               "--set", "run_date=x", "--set", "commit=y", "--set", "nic=e1000"])
            self.assertEqual(rc, 0)
            self.assertTrue(os.path.exists(out))

    def test_unknown_placeholder_fails(self):
        with self.assertRaises(analysis.Missing):
            analysis.fill("{{nope}}", {})


if __name__ == "__main__":
    unittest.main()
