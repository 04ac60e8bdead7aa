#!/usr/bin/python3
"""Smoke tests of the benchmark's own code (make bench-selftest; not part of make test):
the statistics (median, nearest-rank percentiles, ratio direction, targets), the bulk
pattern, the wrk parser, the report writers, and the initramfs's cpio writer and
module-dependency order. No QEMU, no network."""
import importlib.machinery
import importlib.util
import io
import json
import os
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
import benchstats  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402


def load_mklinux():
    loader = importlib.machinery.SourceFileLoader("mklinux", os.path.join(HERE, "mklinux"))
    spec = importlib.util.spec_from_loader("mklinux", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class Stats(unittest.TestCase):
    def test_median(self):
        self.assertEqual(benchstats.median([3, 1, 2]), 2)
        self.assertEqual(benchstats.median([4, 1, 3, 2]), 2.5)
        self.assertEqual(benchstats.median([5]), 5)
        self.assertIsNone(benchstats.median([]))
        self.assertIsNone(benchstats.median([None, None]))
        self.assertEqual(benchstats.median([None, 7, 1]), 4)  # missing rounds are skipped

    def test_percentile_nearest_rank(self):
        xs = list(range(1, 1001))  # 1..1000
        self.assertEqual(benchstats.percentile(xs, 99), 990)
        self.assertEqual(benchstats.percentile(xs, 50), 500)
        self.assertEqual(benchstats.percentile(xs, 100), 1000)
        self.assertEqual(benchstats.percentile(list(reversed(xs)), 99), 990)  # order does not matter
        self.assertEqual(benchstats.percentile([10, 20, 30, 40], 50), 20)
        self.assertEqual(benchstats.percentile([10, 20, 30, 40], 51), 30)
        # p99 of fewer than 100 samples is the maximum
        self.assertEqual(benchstats.percentile([5, 1, 9, 3], 99), 9)
        self.assertEqual(benchstats.percentile([42], 1), 42)
        self.assertIsNone(benchstats.percentile([], 99))
        with self.assertRaises(ValueError):
            benchstats.percentile([1], 0)

    def test_p99_sees_the_tail(self):
        xs = [1.0] * 98 + [100.0, 200.0]
        self.assertEqual(benchstats.percentile(xs, 99), 100.0)
        self.assertEqual(benchstats.percentile(xs, 50), 1.0)

    def test_summarize_latencies_in_ms(self):
        s = benchstats.summarize_latencies([1000.0, 2000.0, 3000.0])
        self.assertEqual(s["n"], 3)
        self.assertEqual(s["p50_ms"], 2.0)
        self.assertEqual(s["p99_ms"], 3.0)
        self.assertEqual(s["max_ms"], 3.0)
        self.assertIsNone(benchstats.summarize_latencies([])["p50_ms"])

    def test_ratio_is_seqos_over_linux(self):
        self.assertEqual(benchstats.ratio(300.0, 100.0), 3.0)
        self.assertEqual(benchstats.ratio(1.0, 2.0), 0.5)
        self.assertIsNone(benchstats.ratio(None, 1.0))
        self.assertIsNone(benchstats.ratio(1.0, None))
        self.assertIsNone(benchstats.ratio(1.0, 0.0))

    def test_better_direction(self):
        # a rate: higher is better
        self.assertTrue(benchstats.better("seed_seq_rate", 300, 100))
        self.assertFalse(benchstats.better("seed_seq_rate", 100, 300))
        # a latency: lower is better
        self.assertTrue(benchstats.better("seed_seq_p99_ms", 1.0, 4.0))
        self.assertFalse(benchstats.better("seed_seq_p99_ms", 4.0, 1.0))
        self.assertIsNone(benchstats.better("seed_seq_p99_ms", None, 1.0))

    def test_targets(self):
        t = {m["metric"]: m for m in benchstats.TARGETS}
        rate = t["seed_seq_rate"]
        self.assertEqual(benchstats.evaluate(rate, 300, 100), (3.0, "pass"))
        self.assertEqual(benchstats.evaluate(rate, 290, 100)[1], "miss")
        self.assertEqual(benchstats.evaluate(rate, None, 100), (None, "pending"))
        p99 = t["seed_seq_p99_ms"]
        self.assertEqual(benchstats.evaluate(p99, 2.0, 4.0), (0.5, "pass"))
        self.assertEqual(benchstats.evaluate(p99, 3.0, 4.0)[1], "miss")
        size = t["image_bytes"]
        self.assertEqual(benchstats.evaluate(size, 262144)[1], "pass")
        self.assertEqual(benchstats.evaluate(size, 262145)[1], "miss")
        boot = t["boot_listening_ms"]
        self.assertEqual(benchstats.evaluate(boot, 19.9)[1], "pass")
        self.assertEqual(benchstats.evaluate(boot, 20.1)[1], "miss")
        for m in benchstats.TARGETS:
            self.assertIn(m["metric"], benchstats.METRICS)
            # a ratio target of a rate asks for more, of a latency for less
            if m["kind"] == "ratio":
                want = ">=" if benchstats.METRICS[m["metric"]][1] == "higher" else "<="
                self.assertEqual(m["op"], want, m["name"])

    def test_fmt(self):
        self.assertEqual(benchstats.fmt(None), "-")
        self.assertEqual(benchstats.fmt(1234.5), "1234")
        self.assertEqual(benchstats.fmt(12.345), "12.35")
        self.assertEqual(benchstats.fmt(0.01234), "0.0123")


class Workloads(unittest.TestCase):
    def test_bulk_pattern(self):
        p = workloads.pattern(70000)
        self.assertEqual(len(p), 70000)
        for i in (0, 1, 255, 256, 65535, 65536, 69999):
            self.assertEqual(p[i], (i * 131 + (i >> 8)) & 0xff, i)

    def test_wrk_units(self):
        self.assertEqual(workloads._wrk_ms("250.00us"), 0.25)
        self.assertEqual(workloads._wrk_ms("4.71ms"), 4.71)
        self.assertEqual(workloads._wrk_ms("1.20s"), 1200.0)
        self.assertIsNone(workloads._wrk_ms("n/a"))


class Mklinux(unittest.TestCase):
    def setUp(self):
        self.m = load_mklinux()

    def test_cpio_newc(self):
        c = self.m.Cpio()
        c.dir("bin")
        c.file("init", b"#!/bin/sh\n", 0o755)
        c.symlink("bin/sh", "/bin/busybox")
        c.chardev("dev/console", 5, 1)
        data = c.finish()
        self.assertEqual(len(data) % 512, 0)
        names, off = [], 0
        while True:
            self.assertEqual(data[off:off + 6], b"070701")
            fields = [int(data[off + 6 + 8 * i: off + 14 + 8 * i], 16) for i in range(13)]
            namesize, filesize = fields[11], fields[6]
            name = data[off + 110: off + 110 + namesize - 1].decode()
            body_off = off + 110 + namesize
            body_off += -body_off % 4
            body = data[body_off: body_off + filesize]
            names.append((name, fields[1], body, fields[9], fields[10]))
            off = body_off + filesize
            off += -off % 4
            if name == "TRAILER!!!":
                break
        byname = {n[0]: n for n in names}
        self.assertEqual(byname["init"][2], b"#!/bin/sh\n")
        self.assertEqual(byname["init"][1] & 0o777, 0o755)
        self.assertEqual(byname["bin/sh"][2], b"/bin/busybox")
        self.assertEqual(byname["dev/console"][3:], (5, 1))

    def _fake_ko(self, path, depends):
        """A minimal ELF64 with a .modinfo section holding depends=..."""
        modinfo = b"license=GPL\0depends=" + depends.encode() + b"\0"
        shstr = b"\0.modinfo\0.shstrtab\0"
        data_off = 64
        shstr_off = data_off + len(modinfo)
        shoff = (shstr_off + len(shstr) + 7) // 8 * 8
        hdr = bytearray(64)
        hdr[:4] = b"\x7fELF"
        struct.pack_into("<Q", hdr, 0x28, shoff)
        struct.pack_into("<HHH", hdr, 0x3a, 64, 3, 2)
        body = bytes(hdr) + modinfo + shstr
        body += b"\0" * (shoff - len(body))
        sh = b"\0" * 64
        sh += struct.pack("<IIQQQQIIQQ", 1, 1, 0, 0, data_off, len(modinfo), 0, 0, 1, 0)
        sh += struct.pack("<IIQQQQIIQQ", 10, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
        with open(path, "wb") as f:
            f.write(body + sh)

    def test_module_load_order(self):
        with tempfile.TemporaryDirectory() as d:
            kdir = os.path.join(d, "lib", "modules", "6.1", "kernel", "drivers")
            os.makedirs(kdir)
            for name, deps in (("virtio", ""), ("virtio_ring", "virtio"), ("failover", ""),
                               ("net_failover", "failover"), ("virtio_net", "virtio,virtio_ring,net_failover"),
                               ("e1000", "")):
                self._fake_ko(os.path.join(kdir, name.replace("_", "-") + ".ko"), deps)
            idx = self.m.module_index(d)
            self.assertEqual(self.m.modinfo_depends(idx["virtio_net"]), ["virtio", "virtio_ring", "net_failover"])
            order = self.m.load_order(["virtio_net"], idx)
            self.assertEqual(order[-1], "virtio_net")
            for a, b in (("virtio", "virtio_ring"), ("failover", "net_failover"), ("net_failover", "virtio_net")):
                self.assertLess(order.index(a), order.index(b))
            self.assertNotIn("e1000", order)
            self.assertEqual(self.m.load_order(["e1000"], idx), ["e1000"])


class Report(unittest.TestCase):
    def test_writers(self):
        cfg = {"nic": "e1000", "backend": "user", "runs": {"seqos": [], "linux": []}, "errors": ["x"],
               "metrics": {"seed_seq_rate": {"seqos": None, "linux": 50.0, "ratio": None},
                           "seed_seq_p99_ms": {"seqos": 2.0, "linux": 8.0, "ratio": 0.25},
                           "image_bytes": {"seqos": 200000, "linux": 9000000, "ratio": 200000 / 9e6}},
               "targets": []}
        for t in benchstats.TARGETS:
            m = cfg["metrics"].get(t["metric"], {})
            meas, st = benchstats.evaluate(t, m.get("seqos"), m.get("linux"))
            cfg["targets"].append(dict(t, measured=meas, status=st, config="e1000/user"))
        res = {"meta": {"date": "d", "host": "h", "cores": 2, "qemu": "q", "rounds": 1,
                        "seqos_commit": "c", "seqos_image": "i", "seqos_cmdline": "app=server",
                        "linux": {"kernel_package": "k", "kernel_version": "v", "busybox_version": "b"}},
               "configs": [cfg], "targets": cfg["targets"]}
        with tempfile.TemporaryDirectory() as d:
            report.write_json(os.path.join(d, "r.json"), res)
            with open(os.path.join(d, "r.json")) as f:
                self.assertEqual(json.load(f)["configs"][0]["nic"], "e1000")
            report.write_md(os.path.join(d, "r.md"), res)
            with open(os.path.join(d, "r.md")) as f:
                md = f.read()
            self.assertIn("| seed latency p99, sequential | ms | 2 | 8 | 0.25x | seqos |", md)
            self.assertIn("pending", md)
            out = io.StringIO()
            report.print_summary(res, write=lambda s: out.write(s + "\n"))
            self.assertIn("PASS", out.getvalue())
            self.assertIn("PENDING", out.getvalue())


if __name__ == "__main__":
    unittest.main(verbosity=1)
