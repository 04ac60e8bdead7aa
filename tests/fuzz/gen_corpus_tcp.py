#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_tcp (tests/fuzz/corpus/tcp/): short conversations in
the record format described at the top of tests/fuzz/fuzz_tcp.c, so the fuzzer starts
from in-window data, out-of-order data, FINs, resets, SACKs and timeouts. Run from the
repository root; the output is committed."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "tcp")
ACK, PSH, FIN, SYN, RST = 0x10, 0x08, 0x01, 0x02, 0x04


def seg(flags, seqoff=0, ackoff=0, win=512, opts=b"", data=b""):
    return (bytes([0, flags]) + struct.pack("!hhHB", seqoff, ackoff, win, len(opts)) + opts +
            struct.pack("!H", len(data)) + data)


def sleep(ticks):
    return bytes([1, ticks])


def app(what):
    return bytes([2 | (what << 2)])


def icmp(b):
    return bytes([3, b])


def sack(*blocks):
    body = b"".join(struct.pack("!II", s, e) for s, e in blocks)
    return bytes([1, 1, 5, 2 + len(body)]) + body


SEEDS = [
    bytes([2]) + seg(ACK | PSH, data=b"hello") + app(1) + app(0) + seg(ACK, ackoff=0),
    bytes([2]) + seg(ACK, seqoff=100, data=b"x" * 100) + seg(ACK, data=b"y" * 100) + app(1),
    bytes([2]) + seg(ACK | FIN, data=b"bye") + app(1) + app(3),
    bytes([2]) + seg(RST) + app(1),
    bytes([2]) + seg(RST, seqoff=10) + seg(SYN) + seg(ACK, ackoff=-30000),
    bytes([6]) + seg(ACK, ackoff=-3000) + seg(ACK, ackoff=-3000) + seg(ACK, ackoff=-3000) +
    sleep(30) + seg(ACK),
    bytes([6]) + seg(ACK, ackoff=-4000, opts=sack((0, 0))) + sleep(50) + app(0),
    bytes([4]) + seg(ACK, ackoff=-4096, win=0) + sleep(100) + sleep(200) + seg(ACK, win=512),
    bytes([0]) + app(2) + seg(ACK) + seg(ACK | FIN) + bytes([1 | (63 << 2)]),
    bytes([0]) + app(3) + seg(ACK | FIN) + sleep(250),
    bytes([1]) + seg(SYN, seqoff=-1000, win=1000) + seg(ACK, ackoff=0) + app(7),
    bytes([1]) + seg(SYN, win=1000) * 4 + seg(ACK) + app(7),
    bytes([8]) + b"".join(seg(ACK, seqoff=i * 500, data=b"z" * 400) for i in range(1, 12)),
    bytes([2]) + seg(ACK, opts=bytes([99, 0, 0, 0]), data=b"o") + seg(ACK, opts=bytes([2, 40])),
    bytes([4]) + icmp(1 | (4 << 1) | (3 << 5)) + sleep(100) + icmp(1 | (3 << 1)),
    bytes([6]) + app(4) + app(5) + app(5) + seg(ACK, win=100) + sleep(255),
]


def main():
    os.makedirs(ROOT, exist_ok=True)
    for i, s in enumerate(SEEDS):
        with open(os.path.join(ROOT, "seed%02d" % i), "wb") as f:
            f.write(s)


if __name__ == "__main__":
    main()
