#!/usr/bin/python3
"""Compress the kernel ELF that seqos.efi carries, so the image stays small.

Output: the 4-byte magic "SQLZ", the uncompressed size (u32 little endian), then one
LZ4 block (the block format of the LZ4 specification: sequences of a token byte — high
nibble literal count, low nibble match length minus 4, 15 meaning "more bytes follow" —
the literals, and a 2-byte little-endian match offset; the last sequence has literals
only, and the last 5 bytes are always literals). boot/loader.c decompresses it.

Usage: lz4pack.py IN OUT"""
import struct
import sys

MIN_MATCH = 4
MAX_OFFSET = 65535
LAST_LITERALS = 5
MF_LIMIT = 12  # no match may start within the last 12 bytes


def put_len(out, n):
    while n >= 255:
        out.append(255)
        n -= 255
    out.append(n)


def compress(data, depth=24):
    """Greedy LZ4 with hash chains: at each position the longest of the last `depth`
    earlier occurrences of the next 4 bytes is taken."""
    n = len(data)
    out = bytearray()
    chains = {}
    anchor = i = 0
    limit = n - MF_LIMIT
    end_match = n - LAST_LITERALS

    def insert(pos):
        chains.setdefault(data[pos:pos + 4], []).append(pos)

    while i < limit:
        cands = chains.get(data[i:i + 4])
        best_len = best_pos = 0
        if cands:
            for cand in reversed(cands[-depth:]):
                if i - cand > MAX_OFFSET:
                    break
                m = 4
                while i + m < end_match and data[cand + m] == data[i + m]:
                    m += 1
                if m > best_len:
                    best_len, best_pos = m, cand
        insert(i)
        if best_len < MIN_MATCH:
            i += 1
            continue
        m, cand = best_len, best_pos
        while i > anchor and cand > 0 and data[i - 1] == data[cand - 1]:
            i -= 1
            cand -= 1
            m += 1
        lit = i - anchor
        token_pos = len(out)
        out.append(0)
        tl = min(lit, 15)
        if lit >= 15:
            put_len(out, lit - 15)
        out += data[anchor:i]
        out += struct.pack("<H", i - cand)
        ml = m - MIN_MATCH
        tm = min(ml, 15)
        if ml >= 15:
            put_len(out, ml - 15)
        out[token_pos] = (tl << 4) | tm
        for j in range(max(i + 1, anchor), min(i + m, limit)):
            insert(j)
        i += m
        anchor = i
    lit = n - anchor
    out.append(min(lit, 15) << 4)
    if lit >= 15:
        put_len(out, lit - 15)
    out += data[anchor:]
    return bytes(out)


def decompress(block, size):
    """The reference decoder, used to check every image we build."""
    out = bytearray()
    i = 0
    while i < len(block):
        token = block[i]
        i += 1
        lit = token >> 4
        if lit == 15:
            while True:
                b = block[i]
                i += 1
                lit += b
                if b != 255:
                    break
        out += block[i:i + lit]
        i += lit
        if i >= len(block):
            break
        off = block[i] | block[i + 1] << 8
        i += 2
        ml = (token & 15)
        if ml == 15:
            while True:
                b = block[i]
                i += 1
                ml += b
                if b != 255:
                    break
        ml += MIN_MATCH
        start = len(out) - off
        for k in range(ml):
            out.append(out[start + k])
    if len(out) != size:
        raise ValueError("decoded %d bytes, expected %d" % (len(out), size))
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    block = compress(data)
    if decompress(block, len(data)) != data:
        sys.exit("lz4pack: round trip failed")
    with open(sys.argv[2], "wb") as f:
        f.write(b"SQLZ" + struct.pack("<I", len(data)) + block)


if __name__ == "__main__":
    main()
