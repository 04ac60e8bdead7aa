"""tools/impair-relay between two UDP sockets standing in for QEMU dgram netdevs: frames
pass unchanged without rules; drop, duplicate, reorder and delay do what they say and the
same seed gives the same fate to the same frames; corruption changes one byte of the IPv4
payload of IPv4 frames only, so the checksum catches it, and tshark (tools/lib/
tshark_check.py, as the integration tests use it) flags exactly the frames the relay says
it corrupted and nothing in the capture of what the ends sent."""
import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELAY = os.path.join(ROOT, "tools", "impair-relay")
sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))
import tshark_check  # noqa: E402

MAC_A = bytes.fromhex("525400000001")
MAC_B = bytes.fromhex("525400000002")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, l4, src=b"\x0a\0\0\x01", dst=b"\x0a\0\0\x02", ident=0):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0, 64, proto, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return MAC_B + MAC_A + b"\x08\x00" + ip + l4


def tcp_frame(seq, size=100):
    """A TCP segment with a correct checksum; its payload carries seq (to tell frames apart)."""
    src, dst = b"\x0a\0\0\x01", b"\x0a\0\0\x02"
    payload = struct.pack("!I", seq) + bytes((seq + k) & 0xFF for k in range(size - 4))
    tcp = struct.pack("!HHIIBBHHH", 40000, 5001, 1000 + seq * size, 1, 5 << 4, 0x18, 65535, 0, 0)
    tcp += payload
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    return ipv4(6, tcp, src, dst, seq)


def udp_nocsum_frame(seq):
    payload = struct.pack("!I", seq) + b"u" * 40
    return ipv4(17, struct.pack("!HHHH", 5000, 5001, 8 + len(payload), 0) + payload, ident=seq)


def arp_frame(seq):
    return (b"\xff" * 6 + MAC_A + b"\x08\x06" +
            struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_A, b"\x0a\0\0\x01", b"\0" * 6,
                        struct.pack("!I", seq)))


def frame_seq(f):
    """The seq a test frame carries."""
    if f[12:14] == b"\x08\x06":
        return struct.unpack("!I", f[38:42])[0]
    return struct.unpack("!H", f[18:20])[0]


def longest_increasing(xs):
    """Length of the longest strictly increasing subsequence (patience sorting)."""
    import bisect
    tails = []
    for x in xs:
        k = bisect.bisect_left(tails, x)
        tails[k:k + 1] = [x]
    return len(tails)


def free_udp_ports(n):
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class RelayRun:
    """The relay between two test sockets: qa plays the QEMU on side A, qb on side B."""

    def __init__(self, *rules):
        self.dir = tempfile.mkdtemp(prefix="impair-relay-test-")
        ra, qa, rb, qb = free_udp_ports(4)
        self.qa = self._sock(qa)
        self.qb = self._sock(qb)
        self.to_a, self.to_b = ("127.0.0.1", ra), ("127.0.0.1", rb)
        self.pcap = os.path.join(self.dir, "out.pcap")
        self.pcap_in = os.path.join(self.dir, "in.pcap")
        self.stats_path = os.path.join(self.dir, "stats.json")
        self.proc = subprocess.Popen(
            [sys.executable, RELAY, "udp:%d:%d" % (ra, qa), "udp:%d:%d" % (rb, qb), "--pcap",
             self.pcap, "--pcap-in", self.pcap_in, "--stats", self.stats_path] + list(rules),
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("impair-relay: ready"):
            self.proc.kill()
            raise AssertionError("relay did not start: %r" % line)

    @staticmethod
    def _sock(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind(("127.0.0.1", port))
        return s

    def exchange(self, frames, sock_from, to, sock_to, expect):
        """Sends frames one at a time (so no socket buffer overflows), then collects until
        expect frames arrived or nothing came for 1 s (frames the rules dropped)."""
        got = []
        for f in frames:
            sock_from.sendto(f, to)
            got += self._drain(sock_to, 0)
        deadline = time.monotonic() + 10
        while len(got) < expect and time.monotonic() < deadline:
            more = self._drain(sock_to, 1.0)
            if not more:
                break
            got += more
        return got

    @staticmethod
    def _drain(s, timeout):
        out = []
        while select.select([s], [], [], timeout)[0]:
            out.append(s.recvfrom(65536)[0])
            timeout = 0
        return out

    def a_to_b(self, frames, expect=None):
        return self.exchange(frames, self.qa, self.to_a, self.qb,
                             len(frames) if expect is None else expect)

    def b_to_a(self, frames, expect=None):
        return self.exchange(frames, self.qb, self.to_b, self.qa,
                             len(frames) if expect is None else expect)

    def stop(self):
        self.proc.terminate()
        out = self.proc.communicate(timeout=30)[0]
        assert self.proc.returncode == 0, out
        with open(self.stats_path) as f:
            self.stats = json.load(f)
        self.qa.close()
        self.qb.close()
        return out

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for fn in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, fn))
        os.rmdir(self.dir)


class ImpairRelayTest(unittest.TestCase):
    def run_relay(self, *rules):
        r = RelayRun(*rules)
        self.addCleanup(r.cleanup)
        return r

    def test_passthrough_both_ways(self):
        r = self.run_relay()
        frames = [tcp_frame(i) if i % 5 else arp_frame(i) for i in range(300)]
        self.assertEqual(r.a_to_b(frames), frames)
        self.assertEqual(r.b_to_a(frames[:50]), frames[:50])
        out = r.stop()
        ab, ba = r.stats["a->b"], r.stats["b->a"]
        self.assertEqual((ab["rx"], ab["forwarded"], ab["non_ipv4"]), (300, 300, 60))
        self.assertEqual((ba["rx"], ba["forwarded"]), (50, 50))
        self.assertEqual(r.stats["pcap_frames"], 350)
        self.assertEqual(r.stats["pcap_in_frames"], 350)
        self.assertIn("impair-relay: a->b rx 300 forwarded 300", out)

    def test_drop_is_seeded_and_spares_arp(self):
        frames = [tcp_frame(i) for i in range(1000)] + [arp_frame(i) for i in range(1000, 1050)]
        kept = []
        for _ in range(2):
            r = self.run_relay("--seed", "5", "--drop", "30")
            got = r.a_to_b(frames, expect=len(frames))
            r.stop()
            kept.append([frame_seq(f) for f in got])
            dropped = r.stats["a->b"]["dropped"]
            self.assertEqual(len(got), len(frames) - dropped)
            # binomial(1000, 0.3): mean 300, sd 14.5
            self.assertTrue(230 <= dropped <= 370, dropped)
            self.assertEqual(kept[-1][-50:], list(range(1000, 1050)))  # ARP all through
        self.assertEqual(kept[0], kept[1])
        r = self.run_relay("--seed", "6", "--drop", "30")
        other = [frame_seq(f) for f in r.a_to_b(frames, expect=len(frames))]
        r.stop()
        self.assertNotEqual(other, kept[0])

    def test_corrupt_one_ipv4_payload_byte_and_tshark_sees_each(self):
        frames = []
        for i in range(200):
            frames.append([tcp_frame, arp_frame, udp_nocsum_frame, tcp_frame][i % 4](i))
        r = self.run_relay("--seed", "3", "--a2b", "corrupt=100")
        got = r.a_to_b(frames)
        back = r.b_to_a(frames[:20])
        r.stop()
        self.assertEqual(back, frames[:20])  # the other direction has no rules
        self.assertEqual(len(got), len(frames))
        for sent, recv in zip(frames, got):
            diff = [k for k in range(len(sent)) if sent[k] != recv[k]]
            if sent[12:14] == b"\x08\x06" or sent[23] == 17:
                self.assertEqual(diff, [], "ARP or checksum-less UDP changed")
            else:
                self.assertEqual(len(diff), 1)
                self.assertGreaterEqual(diff[0], 14 + 20)  # in the IPv4 payload
                self.assertNotEqual(csum(recv[26:34] + struct.pack("!BH", 6, len(recv) - 34)
                                         .rjust(4, b"\0") + recv[34:]), 0)
        ab = r.stats["a->b"]
        self.assertEqual((ab["corrupted"], ab["corrupt_skipped"]), (100, 50))
        self.assertEqual(len(ab["corrupted_frames"]), 100)
        if not tshark_check.available():
            self.skipTest("tshark not installed")
        res = tshark_check.check(r.pcap)
        self.assertEqual(res.frames, 220)
        self.assertEqual(sorted(n for n, _ in res.problems), ab["corrupted_frames"], res.problems)
        # a bad checksum, or a header so broken tshark cannot check it (data offset < 5)
        self.assertTrue(all("Bad checksum" in why or "Bogus" in why for _, why in res.problems),
                        res.problems)
        clean = tshark_check.check(r.pcap_in)
        self.assertEqual((clean.frames, clean.tcp, clean.tcp_good, clean.problems),
                         (220, 110, 110, []))

    def test_duplicate(self):
        frames = [tcp_frame(i) if i % 2 else arp_frame(i) for i in range(100)]
        r = self.run_relay("--dup", "100")
        got = r.a_to_b(frames, expect=150)
        r.stop()
        want = []
        for f in frames:
            want += [f] if f[12:14] == b"\x08\x06" else [f, f]
        self.assertEqual(got, want)
        self.assertEqual(r.stats["a->b"]["duplicated"], 50)

    def test_reorder_holds_frames_back(self):
        frames = [tcp_frame(i) for i in range(400)]
        r = self.run_relay("--seed", "9", "--reorder", "25", "--hold", "3", "--hold-ms", "200")
        got = r.a_to_b(frames)
        r.stop()
        seqs = [frame_seq(f) for f in got]
        self.assertEqual(sorted(seqs), list(range(400)))  # each exactly once
        late = sum(1 for k in range(1, len(seqs)) if seqs[k] < seqs[k - 1])
        held = r.stats["a->b"]["reordered"]
        self.assertTrue(70 <= held <= 130, held)
        self.assertGreater(late, held / 4)  # frames held in a row come out in a row
        # the frames not held stay in order: the longest increasing run of seqs has them all
        self.assertGreaterEqual(longest_increasing(seqs), 400 - held)

    def test_delay(self):
        r = self.run_relay("--delay", "100")
        t0 = time.monotonic()
        got = r.a_to_b([tcp_frame(1)])
        elapsed = time.monotonic() - t0
        r.stop()
        self.assertEqual(got, [tcp_frame(1)])
        self.assertGreaterEqual(elapsed, 0.1)
        self.assertEqual(r.stats["a->b"]["delayed"], 1)


if __name__ == "__main__":
    unittest.main()
