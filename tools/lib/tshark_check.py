"""Checks a capture with tshark (Debian's tshark package): every frame is decoded with IPv4,
TCP and UDP checksum validation on (Wireshark leaves it off by default), and each frame
that is malformed, has a bad checksum or carries any error-level expert item is reported.
Standard library only; used by tests/integration/test_tcp_interop.py and
tests/tools/test_impair_relay.py.

Only the protocols seqos speaks are dissected (frame, eth, ethertype, arp, ip, icmp, tcp,
udp): a heuristic dissector guessing an application protocol on port 5001 or 3490 could
otherwise call our binary payload "malformed". TCP reassembly is off for the same reason;
TCP sequence analysis stays on (its items are notes and warnings, reported as counts).

    r = check("capture.pcap")
    r.frames, r.tcp, r.tcp_good, r.problems   # problems: [(frame number, text)]"""
import shutil
import subprocess

PREFS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
         "-o", "udp.check_checksum:TRUE", "-o", "tcp.desegment_tcp_streams:FALSE"]
PROTOCOLS = "frame,eth,ethertype,arp,ip,icmp,tcp,udp"
PI_ERROR = 0x00800000   # _ws.expert.severity of an error (bad checksum, malformed)
PI_WARN = 0x00600000
CHECKSUM_BAD = "0"      # tcp.checksum.status / ip.checksum.status: 0 bad, 1 good, 2 unverified
CHECKSUM_GOOD = "1"
FIELDS = ["frame.number", "frame.protocols", "ip.checksum.status", "tcp.checksum.status",
          "udp.checksum.status", "icmp.checksum.status", "_ws.expert.severity",
          "_ws.expert.message", "tcp.analysis.retransmission", "tcp.analysis.out_of_order",
          "tcp.analysis.duplicate_ack"]


def available():
    return shutil.which("tshark") is not None


class Result:
    def __init__(self):
        self.frames = 0        # frames in the capture
        self.ipv4 = 0
        self.tcp = 0           # frames with a TCP header
        self.tcp_good = 0      # TCP checksums tshark verified as correct
        self.retransmissions = 0
        self.out_of_order = 0
        self.dup_acks = 0
        self.warnings = 0      # frames with a warning-level expert item
        self.problems = []     # (frame number, why)

    def summary(self):
        return ("%d frames, %d TCP (%d checksums verified good), %d problems; TCP analysis: "
                "%d retransmissions, %d out of order, %d duplicate ACKs" % (
                    self.frames, self.tcp, self.tcp_good, len(self.problems),
                    self.retransmissions, self.out_of_order, self.dup_acks))


def check(pcap, timeout=600):
    """Decodes pcap once with tshark; returns a Result. Raises on a tshark failure."""
    argv = ["tshark", "-n", "-r", pcap] + PREFS + [
        "--disable-protocol", "ALL", "--enable-protocol", PROTOCOLS,
        "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|"]
    for f in FIELDS:
        argv += ["-e", f]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("tshark failed (%d): %s" % (p.returncode, p.stderr[-2000:]))
    r = Result()
    for line in p.stdout.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        no, protos, ipc, tcpc, udpc, icmpc, sev, msg, retr, ooo, dup = cols[:len(FIELDS)]
        r.frames += 1
        layers = protos.split(":")
        r.ipv4 += "ip" in layers
        why = []
        if "tcp" in layers:
            r.tcp += 1
            r.tcp_good += tcpc == CHECKSUM_GOOD
            if tcpc != CHECKSUM_GOOD:
                why.append("TCP checksum status %r" % tcpc)
        for name, st in (("IPv4 header", ipc), ("UDP", udpc), ("ICMP", icmpc)):
            if CHECKSUM_BAD in st.split("|"):
                why.append("bad %s checksum" % name)
        sevs = [int(s) for s in sev.split("|") if s.isdigit()]
        if any(s >= PI_ERROR for s in sevs):
            why.append("expert error: " + msg)
        elif any(s >= PI_WARN for s in sevs):
            r.warnings += 1
        r.retransmissions += bool(retr)
        r.out_of_order += bool(ooo)
        r.dup_acks += bool(dup)
        if why:
            r.problems.append((int(no), "; ".join(why)))
    return r
