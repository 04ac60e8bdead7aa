"""seqtrace outputs: Chrome JSON (and its validator), Mermaid (and its checker), the text
timeline and summary, pcapng (read back by our parser and by tshark), the two-host join
and the command line."""
import contextlib
import copy
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))

import streambuild as sb  # noqa: E402
from seqtrace import check, cli, join, mermaid, model, packets, pcap, perfetto, stream, timeline  # noqa: E402


def hosts_of(*datas):
    hs = []
    for i, d in enumerate(datas):
        h = model.build(stream.decode(d, "s%d" % i), i)
        packets.find_packets(h)
        hs.append(h)
    return hs


def roundtrip(hosts, pairs=()):
    doc, _ = perfetto.to_json(hosts, pairs)
    return json.loads(perfetto.dumps(doc))


class Perfetto(unittest.TestCase):
    def test_softirq_order_json(self):
        doc = roundtrip(hosts_of(sb.softirq_order()))
        errs, st = check.check_chrome_json(doc)
        self.assertEqual(errs, [])
        ev = doc["traceEvents"]
        names = {e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
        self.assertTrue({"cpu0 hardirq:selftest(224)", "cpu0 softirq:TASKLET",
                         "cpu0 tasklet:st_tasklet_fn(1)", "cpu0 thread:shell(4)"} <= names, names)
        flows = {(e["name"], e["cat"]) for e in ev if e["ph"] == "s"}
        self.assertIn(("tasklet_schedule", "flow.handoff"), flows)
        self.assertIn(("raise_softirq", "flow.handoff"), flows)
        # the raise_softirq arrow ends in the softirq slice
        tids = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
        f = [e for e in ev if e["ph"] == "f" and e["name"] == "raise_softirq"][0]
        self.assertEqual(tids[f["tid"]], "cpu0 softirq:TASKLET")
        self.assertEqual(f["bp"], "e")

    def test_exchange_json_has_packet_flows_and_exact_times(self):
        a, _, _ = sb.udp_exchange()
        doc = roundtrip(hosts_of(a))
        errs, st = check.check_chrome_json(doc)
        self.assertEqual(errs, [])
        ev = doc["traceEvents"]
        pkt2 = [e for e in ev if e["ph"] in "sf" and e["name"] == "pkt 2"]
        self.assertGreaterEqual(len(pkt2), 2 * 14)
        b = [e for e in ev if e["ph"] == "B" and e["name"] == "udp_recvmsg"][0]
        self.assertEqual(round(b["ts"] * 1000), b["args"]["ns"])
        self.assertEqual(perfetto.ts_text(1), "0.001")
        self.assertEqual(perfetto.ts_text(123456789), "123456.789")

    def test_truncated_stream_still_nests(self):
        a, _, _ = sb.udp_exchange()
        cut = a[:len(a) * 2 // 3]
        doc = roundtrip(hosts_of(cut))
        errs, _ = check.check_chrome_json(doc)
        self.assertEqual(errs, [])

    def test_validator_catches_broken_files(self):
        good = roundtrip(hosts_of(sb.softirq_order()))
        self.assertEqual(check.check_chrome_json(good)[0], [])

        def broken(mutate):
            d = copy.deepcopy(good)
            mutate(d["traceEvents"])
            return check.check_chrome_json(d)[0]

        def first(evs, ph, name=None):
            return next(i for i, e in enumerate(evs) if e["ph"] == ph and (name is None or e["name"] == name))

        self.assertTrue(broken(lambda ev: ev.pop(first(ev, "E", "tasklet_run"))))           # B never ends
        self.assertTrue(broken(lambda ev: ev[first(ev, "E", "hardirq")].update(name="other")))  # not LIFO
        self.assertTrue(broken(lambda ev: ev.pop(first(ev, "f"))))                           # unmatched flow
        self.assertTrue(broken(lambda ev: ev[first(ev, "f")].pop("bp")))                     # no bp e
        self.assertTrue(broken(lambda ev: ev[first(ev, "s")].update(id="x1")))               # not an int id
        self.assertTrue(broken(lambda ev: ev[first(ev, "s")].update(ts=0.0)))                # in no slice
        b = None

        def on_boundary(ev):
            s = ev[first(ev, "s", "raise_softirq")]
            hard = [e for e in ev if e["ph"] == "B" and e["tid"] == s["tid"]][0]
            s["ts"] = hard["ts"]
        self.assertTrue(broken(on_boundary))
        self.assertTrue(broken(lambda ev: ev.pop(first(ev, "M"))))                            # no process name
        self.assertTrue(broken(lambda ev: [ev.remove(e) for e in [e for e in ev if e["ph"] == "M" and
                                                                    e["name"] == "thread_name"][:1]]))
        self.assertIsNone(b)


class Mermaid(unittest.TestCase):
    def test_connection_and_handoff_diagrams(self):
        a, _, _ = sb.udp_exchange()
        hs = hosts_of(a)
        conns = packets.connections(hs)
        self.assertEqual([c.key for c in conns], [("udp", 3490, 49152)])
        text = mermaid.connection_diagram(conns[0])
        self.assertEqual(check.check_mermaid(text), [], text)
        self.assertTrue(text.startswith("sequenceDiagram\n"))
        for label in ("hard IRQ", "NET_RX softirq", "UDP", "IP", "netdev", "driver", "socket layer",
                      "app thread client(6)"):
            self.assertIn(" as %s\n" % label, text)
        self.assertIn("-->>h0_net_rx: softirq +", text)     # the hand-off, dashed, with its delay
        self.assertIn("rect rgb(255, 222, 222)", text)     # the hard IRQ band
        hd = mermaid.handoff_diagram(hs)
        self.assertEqual(check.check_mermaid(hd), [], hd)
        self.assertIn("napi_schedule +", hd)

    def test_checker_catches_errors(self):
        ok = "sequenceDiagram\n    participant a as A\n    participant b as B\n    a->>b: hi +1 µs\n"
        self.assertEqual(check.check_mermaid(ok), [])
        bad = {
            "header": ok.replace("sequenceDiagram", "graph TD"),
            "undeclared": ok + "    a->>c: x\n",
            "keyword": ok.replace("participant b as B", "participant end as B").replace("->>b", "->>end"),
            "semicolon": ok.replace("hi", "h;i"),
            "hash": ok.replace("hi", "#1"),
            "arrow": ok.replace("->>", "=>"),
            "rect": ok + "    rect rgb(1, 2, 3)\n    a->>b: x\n",
            "end": ok + "    end\n",
            "colour": ok + "    rect blue\n    end\n",
            "empty": "sequenceDiagram\n    participant a\n",
        }
        for what, text in bad.items():
            self.assertTrue(check.check_mermaid(text), what)

    def test_fmt_ns(self):
        self.assertEqual([mermaid.fmt_ns(n) for n in (850, 12345, 4560000, 1230000000, -2000)],
                         ["850 ns", "12.3 µs", "4.56 ms", "1.23 s", "-2.0 µs"])


class Timeline(unittest.TestCase):
    def test_function_graph_text(self):
        a, _, _ = sb.udp_exchange()
        h = hosts_of(a)[0]
        text = timeline.timeline(h)
        self.assertIn("e1000_xmit_frame();", text)                      # a leaf on one line
        self.assertIn("dev_hard_start_xmit() {", text)
        self.assertIn("} /* dev_hard_start_xmit */", text)
        self.assertIn("==> napi_schedule to softirq:NET_RX (runs after", text)
        self.assertIn("<== napi_schedule from hardirq:e1000(81)", text)
        self.assertIn("idle-0 => client-6", text)
        # The softirq at irq_exit is indented deeper than the thread's steps? No: it runs
        # after the IRQ returned; the hard IRQ interrupting nothing sits at depth 0.
        irq = [l for l in text.splitlines() if "hardirq() {" in l][0]
        self.assertIn("|                    hardirq() {", irq)

    def test_summary(self):
        h = hosts_of(sb.softirq_order())[0]
        s = timeline.summary(h)
        self.assertEqual(s["hardirq:selftest(224)"]["activations"], 1)
        self.assertEqual(s["hardirq:selftest(224)"]["busy_ns"], 1400)
        self.assertEqual(s["softirq:TASKLET"]["busy_ns"], 1300)
        # the tasklet ran inside the softirq: its time is not the softirq's own
        self.assertEqual(s["tasklet:st_tasklet_fn(1)"]["self_ns"], 900)
        self.assertEqual(s["softirq:TASKLET"]["self_ns"], 400)
        self.assertIn("softirq:TASKLET", timeline.summary_text(h))
        self.assertIn("| `softirq:TASKLET` | 1 |", timeline.summary_markdown(h))

    def test_losses_are_shown(self):
        b = sb.Builder()
        out = b.header()
        b.add(100, "test_event", sb.I, sb.THREAD, 1, 0, 1, 0)
        b.add(200, "trace_lost", sb.I, sb.THREAD, 1, 0, 321, 150)
        h = hosts_of(out + b.records())[0]
        self.assertIn("!!! 321 records lost", timeline.timeline(h))


class Pcap(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="seqtrace-test-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_frames_get_their_context_chains(self):
        a, b, frames = sb.udp_exchange()
        for nano, big in ((False, False), (True, True)):
            linktype, _, fr = pcap.read_pcap(sb.pcap_file(frames, nano, big))
            self.assertEqual([len(f[2]) for f in fr], [len(f[1]) for f in frames])
            self.assertEqual(linktype, 1)
        hs = hosts_of(a)
        comments, counts = pcap.annotate(linktype, fr, hs)
        self.assertEqual(counts, {"client": 2})  # the label comes from INFO hostname=
        self.assertTrue(comments[0].startswith("tx pkt 1: thread:client(6) __sys_sendto -> udp_sendmsg"))
        self.assertTrue(comments[0].endswith("skb_wire -> e1000_xmit_frame"), comments[0])
        self.assertTrue(comments[1].startswith("rx pkt 2: hardirq:e1000(81) hardirq -> napi_schedule -> "
                                               "softirq:NET_RX softirq -> net_rx_action"), comments[1])
        self.assertIn("wake_up -> thread:client(6) udp_recvmsg", comments[1])
        path = os.path.join(self.dir, "x.pcapng")
        pcap.write_pcapng(path, linktype, fr, comments)
        with open(path, "rb") as f:
            errs, pk = check.check_pcapng(f.read())
        self.assertEqual(errs, [])
        self.assertEqual([p[3] for p in pk], [[c] for c in comments])
        self.assertEqual([p[2] for p in pk], [f[1] for f in frames])
        if shutil.which("tshark") is None:
            self.skipTest("tshark not installed (make deps)")
        out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.comment", "-e", "udp.srcport"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines[0].split("\t"), [comments[0], "49152"])
        self.assertEqual(lines[1].split("\t"), [comments[1], "3490"])

    def test_not_pcap(self):
        with self.assertRaises(pcap.PcapError):
            pcap.read_pcap(b"\x0a\x0d\x0d\x0a" + b"\0" * 40)


class Join(unittest.TestCase):
    def test_two_hosts_offset_and_wire(self):
        off_true = 5000000000
        a, b, frames = sb.udp_exchange(off_true, (40000, 60000))
        hs = hosts_of(a, b)
        pairs, offsets = join.join(hs)
        self.assertEqual(len(pairs), 2)
        self.assertEqual({(tx.host.index, rx.host.index) for tx, rx in pairs}, {(0, 1), (1, 0)})
        off = offsets["server"]
        self.assertEqual(off.method, "both directions")
        self.assertEqual(off.theta0, off_true - 10000)     # the middle of [L, U]
        self.assertEqual(off.err, 50000)                   # half the sum of the delays
        self.assertLessEqual(abs(off.theta0 - off_true), off.err)
        # after the join B's receive comes 40 us after A's send, on A's clock
        (tx, rx), = [(t, r) for t, r in pairs if t.host.index == 0]
        self.assertEqual(rx.ns - tx.ns, 40000 + (off_true - off.theta0))
        doc = roundtrip(hs, pairs)
        errs, st = check.check_chrome_json(doc)
        self.assertEqual(errs, [])
        self.assertEqual(len([e for e in doc["traceEvents"] if e["ph"] == "s" and e["cat"] == "flow.wire"]), 2)
        self.assertEqual(len({e["pid"] for e in doc["traceEvents"] if e["ph"] == "B"}), 2)
        conns = packets.connections(hs)
        self.assertEqual(len(conns), 1)
        text = mermaid.connection_diagram(conns[0], 8, {r: t for t, r in pairs})
        self.assertEqual(check.check_mermaid(text), [], text)
        self.assertIn("h0_netdev-)h1_irq: wire udp 49152->3490", text)
        self.assertIn("h1_netdev-)h0_irq: wire udp 3490->49152", text)
        comments, counts = pcap.annotate(1, [(t, len(f), f) for t, f in frames], hs)
        self.assertEqual(counts, {"client": 2, "server": 2})
        self.assertRegex(comments[0], r"^tx client pkt 1: .*; rx server pkt 10: hardirq:e1000\(81\)")

    def test_one_direction_only(self):
        a, b, _ = sb.udp_exchange(1000000, (30000, 30000))
        hs = hosts_of(a, b)
        pairs = [p for p in join.match(hs) if p[0].host is hs[0]]
        off = join.estimate(pairs, hs[0], hs[1])
        self.assertEqual(off.method, "A->B only")
        self.assertIsNone(off.err)
        self.assertEqual(off.theta0, 1000000 + 30000)   # upper bound: the frame took no time


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="seqtrace-cli-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_convert_two_hosts_with_capture_and_check(self):
        a, b, frames = sb.udp_exchange()
        pa, pb, pc = (os.path.join(self.dir, n) for n in ("client.bin", "server.bin", "cap.pcap"))
        for p, d in ((pa, a), (pb, b), (pc, sb.pcap_file(frames))):
            with open(p, "wb") as f:
                f.write(d)
        rc = cli.main([pa, pb, "--pcap", pc, "-o", self.dir, "-n", "x", "--check", "-q"])
        self.assertEqual(rc, 0)
        for ext in (".json", ".md", ".timeline.txt", ".summary.txt", ".pcapng", "-1.mmd", "-handoffs.mmd"):
            self.assertTrue(os.path.getsize(os.path.join(self.dir, "x" + ext)) > 0, ext)
        with open(os.path.join(self.dir, "x.md")) as f:
            md = f.read()
        self.assertIn("Clock of server against client: offset", md)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            rc = cli.main(["check"] + [os.path.join(self.dir, "x" + e) for e in (".json", ".md", ".pcapng")])
        self.assertEqual(rc, 0, out.getvalue())

    def test_check_fails_on_a_bad_file_and_undecodable_input(self):
        bad = os.path.join(self.dir, "bad.mmd")
        with open(bad, "w") as f:
            f.write("sequenceDiagram\n    a->>b: x\n")
        junk = os.path.join(self.dir, "junk.bin")
        with open(junk, "wb") as f:
            f.write(b"no trace here")
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()) as err:
            self.assertEqual(cli.main(["check", bad]), 1)
            self.assertEqual(cli.main([junk, "-q"]), 1)
        self.assertIn("undeclared participant 'a'", out.getvalue())
        self.assertIn("no seqos trace stream found", err.getvalue())

    def test_entry_script(self):
        p = os.path.join(self.dir, "s.bin")
        with open(p, "wb") as f:
            f.write(sb.softirq_order())
        out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "seqtrace"), "dump", p],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("tasklet:st_tasklet_fn(1)", out.stdout)


if __name__ == "__main__":
    unittest.main()
