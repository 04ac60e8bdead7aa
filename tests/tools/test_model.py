"""seqtrace model and packets: nesting repairs, hand-off resolution, runs, packet chains."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "lib"))

import streambuild as sb  # noqa: E402
from seqtrace import model, packets, stream  # noqa: E402


def host_of(data, label="h"):
    h = model.build(stream.decode(data), 0, label)
    packets.find_packets(h)
    return h


class Nesting(unittest.TestCase):
    def build(self, recs):
        b = sb.Builder()
        out = b.header()
        for r in recs:
            b.add(*r)
        return host_of(out + b.records() + b.end())

    def test_orphan_end_missing_end_and_repair(self):
        T = (sb.THREAD, 3)
        h = self.build([
            (10, "ip_rcv", sb.E, *T),                 # end without begin
            (20, "udp_sendmsg", sb.B, *T),
            (30, "ip_queue_xmit", sb.B, *T),
            (40, "dev_queue_xmit", sb.B, *T),
            (50, "ip_queue_xmit", sb.E, *T),          # dev_queue_xmit's end was lost
            (60, "udp_sendmsg", sb.E, *T),
            (70, "udp_recvmsg", sb.B, *T),            # never ends
            (80, "test_event", sb.I, *T, 0, 1, 2),
        ])
        self.assertEqual(h.repairs, {"orphan_end": 1, "repair": 1, "stale": 0, "eof": 1})
        by = {s.name: s for s in h.slices}
        self.assertEqual((by["dev_queue_xmit"].end_ns, by["dev_queue_xmit"].closed_by), (50, "repair"))
        self.assertEqual(by["ip_queue_xmit"].parent, by["udp_sendmsg"])
        self.assertEqual((by["udp_recvmsg"].end_ns, by["udp_recvmsg"].closed_by), (80, "eof"))
        self.assertIs(h.records[-1].slice, by["udp_recvmsg"])

    def test_stale_activation_is_closed(self):
        V = (sb.HARDIRQ, 81)
        h = self.build([
            (10, "hardirq", sb.B, *V, 0, 81, 0),
            (20, "test_event", sb.I, *V),
            (100, "hardirq", sb.B, *V, 0, 81, 0),     # the first one's end was lost
            (110, "hardirq", sb.E, *V),
        ])
        self.assertEqual(h.repairs["stale"], 1)
        first, second = h.slices
        self.assertEqual((first.end_ns, first.closed_by), (20, "stale"))
        self.assertEqual((second.depth, second.end_ns, second.closed_by), (0, 110, "end"))


class Handoffs(unittest.TestCase):
    def test_softirq_order_chain(self):
        h = host_of(sb.softirq_order())
        by = {r.ev.name: r for r in h.handoffs}
        ts, rs = by["tasklet_schedule"], by["raise_softirq"]
        self.assertEqual((rs.target.ev.name, rs.target.ctx), ("softirq", (sb.SOFTIRQ, 4)))
        self.assertEqual((ts.target.ev.name, ts.target.ctx), ("tasklet_run", (sb.TASKLET, 1)))
        self.assertEqual(rs.target.ns - rs.ns, 500)
        self.assertEqual(h.target_label(ts), "tasklet:st_tasklet_fn(1)")
        self.assertIs(h.cause_of(ts.target), ts)

    def test_wake_up_resolves_to_the_switch_in_and_runs(self):
        a, _, _ = sb.udp_exchange()
        h = host_of(a)
        wake = [r for r in h.handoffs if r.ev.name == "wake_up"][0]
        self.assertEqual(wake.target.ev.name, "sched_switch")
        run = h.switch_runs[wake.target]
        self.assertEqual((run.tid, run.label), (6, "thread:client(6)"))
        recv = [r for r in h.records if r.ev.name == "udp_recvmsg" and r.phase == sb.B][0]
        self.assertIs(h.cause_of(recv), wake)
        self.assertEqual([u.tid for u in h.runs], [6, 0, 6, 0])

    def test_hand_off_to_the_running_context_stays_unresolved(self):
        b = sb.Builder()
        out = b.header()
        S = (sb.SOFTIRQ, 3)
        b.add(10, "softirq", sb.B, *S, 0, 3, 0)
        b.add(20, "raise_softirq", sb.I, *S, 0, sb.ctx(sb.SOFTIRQ, 3), 3)
        b.add(30, "softirq", sb.E, *S)
        b.add(5000, "softirq", sb.B, *S, 0, 3, 0)
        b.add(5010, "softirq", sb.E, *S)
        h = host_of(out + b.records())
        self.assertIsNone(h.handoffs[0].target)


class Packets(unittest.TestCase):
    def test_rx_chain_from_irq_to_the_app(self):
        a, _, _ = sb.udp_exchange()
        h = host_of(a)
        p = h.packets[2]
        text = packets.chain_text(p.chain())
        self.assertEqual(text,
                         "hardirq:e1000(81) hardirq -> napi_schedule -> softirq:NET_RX softirq -> "
                         "net_rx_action -> napi_poll -> e1000_clean_rx_irq -> skb_alloc -> "
                         "netif_receive_skb -> skb_wire -> ip_rcv -> udp_rcv -> udp_queue_rcv_skb -> "
                         "sk_data_ready -> wake_up -> thread:client(6) udp_recvmsg")
        steps = p.chain()
        self.assertEqual([s.ns for s in steps], sorted(s.ns for s in steps))
        parts = [s.part[0] for s in steps]
        self.assertEqual(parts[:3], ["irq", "netdev", "net_rx"])  # napi_schedule: the netdev API
        self.assertIn("udp", parts)
        self.assertEqual(parts[-2:], ["app:6", "udp"])  # the thread runs, then udp_recvmsg
        self.assertEqual(steps[-2].kind, "resume")
        self.assertEqual(steps[-2].run.tid, 6)

    def test_tx_chain_from_the_app_to_the_wire(self):
        a, _, _ = sb.udp_exchange()
        h = host_of(a)
        p = h.packets[1]
        w = p.tx_wires()[0][0]
        text = packets.chain_text(packets.tx_part(p.chain(), w))
        self.assertEqual(text,
                         "thread:client(6) __sys_sendto -> udp_sendmsg -> skb_alloc -> ip_queue_xmit -> "
                         "ip_local_out -> dev_queue_xmit -> dev_hard_start_xmit -> skb_wire -> "
                         "e1000_xmit_frame")
        wid = packets.wire_id(w)
        self.assertEqual((wid.proto, wid.ipid, wid.sport, wid.dport, wid.tx), (17, 100, 49152, 3490, True))
        self.assertEqual(packets.wire_text(wid), "udp 49152->3490 ipid 100 len 33 tx")

    def test_clone_family_and_connections(self):
        b = sb.Builder()
        out = b.header() + b.names([(sb.THREAD, 5, "server")])
        T = (sb.THREAD, 5)
        b.add(10, "udp_sendmsg", sb.B, *T, 0, 5, 3490)
        b.add(20, "skb_alloc", sb.I, *T, 7, 256, 1)
        b.add(30, "ip_queue_xmit", sb.B, *T, 7, 1, 17)
        b.add(40, "skb_clone", sb.I, *T, 8, 7, 0)
        b.add(50, "dev_queue_xmit", sb.B, *T, 8, 1, 47)
        w0, w1 = sb.wire_args(9, 3490, 5000, 33, True)
        b.add(60, "skb_wire", sb.I, *T, 8, w0, w1)
        b.add(70, "dev_queue_xmit", sb.E, *T, 8)
        b.add(80, "ip_queue_xmit", sb.E, *T, 7)
        b.add(90, "udp_sendmsg", sb.E, *T)
        h = host_of(out + b.records())
        child = h.packets[8]
        self.assertIs(child.parent, h.packets[7])
        names = [s.name for s in child.chain()]
        self.assertEqual(names, ["udp_sendmsg", "skb_alloc", "ip_queue_xmit", "skb_clone",
                                 "dev_queue_xmit", "skb_wire"])
        conns = packets.connections([h])
        self.assertEqual(conns[0].key, ("udp", 3490, 5000))
        self.assertEqual(sorted(p.id for p in conns[0].packets), [7, 8])


if __name__ == "__main__":
    unittest.main()
