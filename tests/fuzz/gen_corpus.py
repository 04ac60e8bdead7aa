#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<name>/): small valid
and near-valid messages of each protocol, so the fuzzers start past the length checks.
Run from the repository root; the output is committed."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
OUR_MAC = bytes([2, 0, 0, 0, 0, 1])
PEER_MAC = bytes([2, 0, 0, 0, 0, 0x99])
US = bytes([10, 0, 0, 1])
PEER = bytes([10, 0, 0, 2])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip(payload, proto, src=PEER, dst=US, ident=1, frag=0, opts=b""):
    ihl = (20 + len(opts)) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) + len(payload), ident,
                    frag, 64, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(payload, sport, dport, src=PEER, dst=US):
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, 8 + len(payload))
    c = csum(pseudo + h + payload) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + payload


def icmp(t, code, rest, payload):
    h = struct.pack("!BBH", t, code, 0) + rest + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def arp(op, sha, sip, tha, tip):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, sip, tha, tip)


def dhcp(mtype, xid=0, yiaddr=bytes([10, 0, 0, 50]), opts=b""):
    b = struct.pack("!BBBBIHH4s4s4s4s", 2, 1, 6, 0, xid, 0, 0x8000, bytes(4), yiaddr,
                    bytes(4), bytes(4))
    b += OUR_MAC + bytes(10) + bytes(64) + bytes(128) + struct.pack("!I", 0x63825363)
    b += bytes([53, 1, mtype, 54, 4]) + PEER + bytes([1, 4, 255, 255, 255, 0, 3, 4]) + PEER
    b += bytes([6, 4]) + PEER + bytes([51, 4]) + struct.pack("!I", 600) + opts + bytes([255])
    return b


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns_resp(qid, answers, qname="example.test"):
    q = dns_name(qname) + struct.pack("!HH", 1, 1)
    h = struct.pack("!HHHHHH", qid, 0x8180, 1, len(answers), 0, 0)
    return h + q + b"".join(answers)


def rr_a(addr, name=b"\xc0\x0c", ttl=60):
    return name + struct.pack("!HHIH", 1, 1, ttl, 4) + bytes(addr)


def write(name, items):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    for i, data in enumerate(items):
        with open(os.path.join(d, "seed%02d" % i), "wb") as f:
            f.write(data)


def eth(dst, src, t, payload):
    return dst + src + struct.pack("!H", t) + payload


def lenrec(b):
    return struct.pack("!H", len(b)) + b


req = arp(1, PEER_MAC, PEER, bytes(6), US)
rep = arp(2, PEER_MAC, PEER, OUR_MAC, US)
write("eth_arp", [
    b"\0" + req, b"\0" + rep, b"\0" + arp(1, PEER_MAC, PEER, bytes(6), PEER),
    b"\1" + eth(OUR_MAC, PEER_MAC, 0x0806, req),
    b"\1" + eth(b"\xff" * 6, PEER_MAC, 0x0806, req),
    b"\1" + eth(OUR_MAC, PEER_MAC, 0x0800, ip(udp(b"hi", 1000, 7), 17)),
    b"\1" + eth(OUR_MAC, PEER_MAC, 0x0100, b"llc"),
])

data = bytes(range(256)) * 12
dgram = udp(data[:3000], 1000, 7)
frags = [ip(dgram[0:1480], 17, frag=0x2000, ident=9),
         ip(dgram[1480:2960], 17, frag=0x2000 | 185, ident=9),
         ip(dgram[2960:], 17, frag=370, ident=9)]
write("ipv4", [
    lenrec(ip(udp(b"x", 1000, 7), 17)),
    b"".join(lenrec(f) for f in frags),
    b"".join(lenrec(f) for f in reversed(frags)),
    lenrec(frags[0]) + lenrec(ip(dgram[8:1488], 17, frag=0x2000 | 1, ident=9)),
    lenrec(ip(b"\0" * 8, 17, frag=0x1FFF, ident=3)),
    lenrec(ip(udp(b"o", 1, 7), 17, opts=bytes([0x83, 7, 4, 1, 2, 3, 4, 0]))),
    lenrec(ip(b"", 200)),
])

echo = icmp(8, 0, struct.pack("!HH", 1, 1), b"ping data")
inner = ip(udp(b"q", 40000, 9, src=US, dst=PEER), 17, src=US, dst=PEER)[:28]
write("icmp", [
    b"\0" + echo, b"\1" + echo,
    b"\3" + icmp(3, 3, bytes(4), inner),
    b"\1" + icmp(11, 1, bytes(4), inner),
    b"\1" + icmp(3, 4, struct.pack("!HH", 0, 576), inner),
    b"\1" + icmp(0, 0, struct.pack("!HH", 1, 1), b""),
])

write("udp", [
    b"\0" + udp(b"hello", 1000, 7), b"\1" + udp(b"hello", 1000, 7),
    b"\2" + udp(b"x" * 100, 1000, 9), b"\2" + udp(b"", 67, 68),
    b"\0" + struct.pack("!HHHH", 1, 7, 3, 0),
])

write("dhcp", [
    dhcp(2), dhcp(5), dhcp(6),
    dhcp(2, opts=bytes([58, 4, 0, 0, 0, 100, 59, 4, 0, 0, 0, 200])),
    dhcp(5)[:250], dhcp(2)[:-1],
])

write("dns", [
    dns_resp(0x1234, [rr_a([10, 0, 0, 42])]),
    dns_resp(0x1234, [b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, 6) + b"\x03www\xc0\x0c",
                      rr_a([1, 2, 3, 4], name=b"\x03www\xc0\x0c")]),
    dns_resp(0x1234, [rr_a([1, 1, 1, 1])])[:-3],
    dns_resp(0x1234, []) [:12] + b"\xc0\x0c",
    struct.pack("!HHHHHH", 0x1234, 0x8183, 1, 0, 0, 0) + dns_name("example.test") + b"\0\1\0\1",
    dns_resp(0x1234, [rr_a([9, 9, 9, 9])] * 3),
])
