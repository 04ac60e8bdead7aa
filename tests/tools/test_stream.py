"""seqtrace stream decoding: well-formed, corrupted and truncated streams built by hand."""
import os
import random
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import streambuild as sb  # noqa: E402
from seqtrace import stream  # noqa: E402


def simple(b=None, n=6):
    b = b or sb.Builder(tsc_hz=2000000000, boot_tsc=1000)
    out = b.header() + b.names([(sb.THREAD, 4, "shell"), (sb.VECTOR, 52, "serial")])
    for i in range(n):
        b.add(1000 * (i + 1), "test_event", sb.I, sb.THREAD, 4, i, 10 + i, 1)
    return out + b.records(per_chunk=4) + b.end(n, 0), b


class Decode(unittest.TestCase):
    def test_header_names_records_end(self):
        data, _ = simple()
        t = stream.decode(data)
        self.assertEqual(t.problems, [])
        self.assertEqual(t.tsc_hz, 2000000000)
        self.assertEqual(len(t.events), len(sb.EVENTS))
        self.assertEqual([r.ev.name for r in t.records], ["test_event"] * 6)
        self.assertEqual([r.a0 for r in t.records], list(range(10, 16)))
        self.assertEqual([r.pkt for r in t.records], list(range(6)))
        # tsc = boot + t * 2: ns = (tsc - boot) * 1e9 / hz = t
        self.assertEqual([r.ns for r in t.records], [1000 * (i + 1) for i in range(6)])
        self.assertEqual(t.end, (6, 0))
        self.assertEqual(t.ctx_label(sb.THREAD, 4), "thread:shell(4)")
        self.assertEqual(t.ctx_label(sb.HARDIRQ, 52), "hardirq:serial(52)")
        self.assertEqual(t.ctx_label(sb.SOFTIRQ, 3), "softirq:NET_RX")
        self.assertEqual(t.records[0].arg("a"), 10)

    def test_event_ids_come_from_the_header(self):
        data, _ = simple()
        rev = sb.Builder(events=list(reversed(sb.EVENTS)), tsc_hz=2000000000, boot_tsc=1000)
        data2, _ = simple(rev)
        t1, t2 = stream.decode(data), stream.decode(data2)
        self.assertNotEqual(t1.event("test_event").id, t2.event("test_event").id)
        self.assertEqual([(r.ev.name, r.a0) for r in t1.records], [(r.ev.name, r.a0) for r in t2.records])

    def test_format_args(self):
        self.assertEqual(stream.arg_names("to=%#lx vec=%lu"), ["to", "vec"])
        self.assertEqual(stream.arg_names("name"), ["a0", "a1"])
        self.assertEqual(stream.arg_names("lost=%lu records since=%lu"), ["lost", "since"])
        self.assertEqual(stream.printf("to=%#lx vec=%lu", 0x300000003, 3), "to=0x300000003 vec=3")
        self.assertEqual(stream.printf("vector=%lu gsi=%ld", 224, (1 << 64) - 1), "vector=224 gsi=-1")
        self.assertEqual(stream.printf("ip=%lx", 0x0a00020f, 0), "ip=a00020f")

    def test_text_dump_parses_with_tracetext(self):
        import tracetext
        data, _ = simple()
        t = stream.decode(data)
        lines = "\n".join(stream.format_text(t, r) for r in t.records)
        recs, bad = tracetext.parse(lines)
        self.assertEqual(bad, [])
        self.assertEqual([r.arg("a") for r in recs], list(range(10, 16)))
        self.assertEqual(recs[0].ctx, "thread:shell(4)")

    def test_firmware_output_before_the_stream_is_skipped(self):
        data, _ = simple()
        t = stream.decode(b"\x1b[2JBdsDxe: loading Boot0001 SQTR garbage\r\n" + data)
        self.assertEqual(len(t.records), 6)
        self.assertEqual(t.problems, [])
        self.assertGreater(t.skipped_bytes, 0)

    def test_garbage_between_chunks_resynchronises(self):
        b = sb.Builder()
        out = b.header()
        b.add(100, "test_event", sb.I, sb.THREAD, 1, 0, 1, 0)
        out += b.records() + b"\x00\xffnoise SQTR\x03\x00" + b"zz"
        b.add(200, "test_event", sb.I, sb.THREAD, 1, 0, 2, 0)
        out += b.records() + b.end()
        t = stream.decode(out)
        self.assertEqual([r.a0 for r in t.records], [1, 2])
        self.assertTrue(any("garbage" in p for p in t.problems), t.problems)
        self.assertEqual(t.end, (0, 0))

    def test_truncated_file_keeps_whole_records_and_reports_no_end(self):
        data, _ = simple(n=8)
        end_at = data.rfind(b"SQTR")           # the END chunk
        cut = data[:end_at - 48 - 20]          # the last record and part of the one before
        t = stream.decode(cut)
        self.assertEqual([r.a0 for r in t.records], list(range(10, 16)))
        self.assertIsNone(t.end)
        self.assertTrue(any("cut short" in p for p in t.problems), t.problems)
        self.assertTrue(any("no END" in p for p in t.problems), t.problems)

    def test_chunk_cut_by_the_next_one_reports_a_gap(self):
        b = sb.Builder()
        out = b.header()
        for i in range(4):
            b.add(100 * (i + 1), "test_event", sb.I, sb.THREAD, 1, 0, i, 0)
        first = b.records()
        for i in range(4, 8):
            b.add(100 * (i + 1), "test_event", sb.I, sb.THREAD, 1, 0, i, 0)
        second = b.records()
        # Lose the last two records of the first chunk on the way.
        out += first[:-96] + second + b.end()
        t = stream.decode(out)
        real = [r for r in t.records if not r.synthetic]
        self.assertEqual([r.a0 for r in real], [0, 1, 4, 5, 6, 7])
        lost = [r for r in t.records if r.ev.name == "trace_lost"]
        self.assertEqual(len(lost), 1)
        self.assertEqual(lost[0].a0, 2)
        self.assertEqual(t.gaps, 1)
        self.assertEqual(t.lost, 2)

    def test_trace_lost_markers_are_kept_without_a_gap(self):
        b = sb.Builder()
        out = b.header()
        b.add(100, "test_event", sb.I, sb.THREAD, 1, 0, 1, 0)
        b.add(200, "trace_lost", sb.I, sb.THREAD, 1, 0, 500, 150)
        b.add(300, "test_event", sb.I, sb.THREAD, 1, 0, 2, 0)
        # A reader-side marker carries the seq of the next record.
        b.add(400, "trace_lost", sb.I, sb.THREAD, 1, 0, 7, 350)
        b.add(500, "test_event", sb.I, sb.THREAD, 1, 0, 3, 0, seq=b.seq[0])
        t = stream.decode(out + b.records() + b.end(3, 507))
        self.assertEqual(t.lost, 507)
        self.assertEqual(t.gaps, 0, t.problems)

    def test_bad_records_are_dropped_and_counted(self):
        b = sb.Builder()
        out = b.header()
        good = b.rec(100, "test_event", sb.I, sb.THREAD, 1, 0, 1, 0)
        bad = bytearray(b.rec(200, "test_event", sb.I, sb.THREAD, 1, 0, 2, 0))
        bad[32:34] = (999).to_bytes(2, "little")      # no such event
        bad2 = bytearray(b.rec(300, "test_event", sb.I, sb.THREAD, 1, 0, 3, 0))
        bad2[34] = 9                                    # no such phase
        b.pending = [good, bytes(bad), bytes(bad2)]
        t = stream.decode(out + b.records() + b.end())
        self.assertEqual([r.a0 for r in t.records], [1])
        self.assertEqual(t.bad_records, 2)

    def test_records_before_the_header_use_it(self):
        b = sb.Builder()
        b.add(100, "test_event", sb.I, sb.THREAD, 1, 0, 42, 0)
        early = b.records()
        t = stream.decode(early + b.header() + b.end())
        self.assertEqual([r.a0 for r in t.records], [42])
        self.assertTrue(any("before the first HEADER" in p for p in t.problems))

    def test_no_stream_at_all(self):
        with self.assertRaises(stream.StreamError):
            stream.decode(b"just some serial noise\r\n" * 10)

    def test_names_from_trace_meta_records(self):
        b = sb.Builder()
        out = b.header()
        name = b"a-very-long-thread-name!"  # 24 bytes: two 16-byte pieces
        w = [int.from_bytes(name[i:i + 8].ljust(8, b"\0"), "little") for i in range(0, 32, 8)]
        b.add(100, "trace_meta", sb.I, sb.THREAD, 1, sb.ctx(sb.THREAD, 9), w[0], w[1], flags=0)
        b.add(101, "trace_meta", sb.I, sb.THREAD, 1, sb.ctx(sb.THREAD, 9), w[2], w[3], flags=1)
        t = stream.decode(out + b.records() + b.end())
        self.assertEqual(t.names[(sb.THREAD, 9)], name.decode())

    def test_random_corruption_never_raises(self):
        data, _ = simple(n=40)
        rnd = random.Random(8)
        for _ in range(300):
            d = bytearray(data)
            for _ in range(rnd.randint(1, 12)):
                op = rnd.random()
                i = rnd.randrange(len(d))
                if op < 0.5:
                    d[i] = rnd.randrange(256)
                elif op < 0.8:
                    del d[i:i + rnd.randint(1, 60)]
                else:
                    d[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 30)))
            try:
                t = stream.decode(bytes(d))
            except stream.StreamError:
                continue
            for r in t.records:
                self.assertIn(r.phase, (1, 2, 3))
                self.assertLess(r.ev.id, len(t.events))


if __name__ == "__main__":
    unittest.main()
