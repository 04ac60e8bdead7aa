"""Captures: read QEMU's classic pcap, write pcapng with the context chains as comments.

QEMU's filter-dump (tools/qemu-run --pcap FILE) writes classic libpcap files (Ethernet,
microsecond timestamps). Each frame is parsed (Ethernet, optional 802.1Q tag, IPv4) into
the same identity the kernel's skb_wire records carry (packets.wire_key), and matched,
in capture order, with the next unmatched skb_wire record of that identity in each
host's trace. A frame a host sent gets "tx <host> pkt N: <its chain up to the wire>", a
frame a host received "rx <host> pkt N: <its chain from the IRQ to the app>"; a frame
seen by two joined hosts gets both. The pcapng keeps the capture's timestamps and
bytes; the comment is the EPB option opt_comment (Wireshark: frame.comment)."""
import struct

from .packets import WireId, wire_key, chain_text, tx_part, rx_part, find_packets

LINKTYPE_ETHERNET = 1


class PcapError(Exception):
    pass


def read_pcap(data):
    """(linktype, ns_resolution, [(ts_ns, origlen, bytes)]) from a classic pcap file."""
    if len(data) < 24:
        raise PcapError("not a pcap file (too short)")
    magic = data[:4]
    table = {b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
             b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True)}
    if magic not in table:
        if magic == b"\x0a\x0d\x0d\x0a":
            raise PcapError("this is already pcapng; give the classic pcap QEMU wrote")
        raise PcapError("not a pcap file (magic %s)" % magic.hex())
    e, nano = table[magic]
    linktype = struct.unpack_from(e + "I", data, 20)[0] & 0x0fffffff
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from(e + "IIII", data, off)
        off += 16
        if incl > len(data) - off:
            break  # a cut last frame
        ts = sec * 1000000000 + (frac if nano else frac * 1000)
        frames.append((ts, orig, data[off:off + incl]))
        off += incl
    return linktype, nano, frames


def frame_key(linktype, b):
    """The wire_key of an Ethernet/IPv4 frame, or None (not IPv4, too short)."""
    if linktype != LINKTYPE_ETHERNET or len(b) < 14:
        return None
    o, etype = 14, struct.unpack_from(">H", b, 12)[0]
    if etype == 0x8100 and len(b) >= 18:
        o, etype = 18, struct.unpack_from(">H", b, 16)[0]
    if etype != 0x0800:
        return None
    ip = b[o:]
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    ihl = (ip[0] & 15) * 4
    if ihl < 20 or ihl > len(ip):
        return None
    totlen, ipid, fragw = struct.unpack_from(">HHH", ip, 2)
    frag, proto = fragw & 0x3fff, ip[9]
    sport = dport = word = 0
    if not frag & 0x1fff and len(ip) - ihl >= 8:
        p16 = struct.unpack_from(">HH", ip, ihl)
        w = struct.unpack_from(">I", ip, ihl + 4)[0]
        if proto == 17:
            sport, dport, word = p16[0], p16[1], p16[0] << 16 | p16[1]
        elif proto == 6:
            sport, dport, word = p16[0], p16[1], w
        else:
            word = w
    return wire_key(WireId(proto, ipid, frag, totlen, sport, dport, word, False))


def annotate(linktype, frames, hosts):
    """A comment (or None) per frame, and match counts {host label: matched}."""
    index = []
    for h in hosts:
        if not hasattr(h, "packets"):
            find_packets(h)
        q = {}
        for p in h.packets.values():
            for r, w in p.wires:
                q.setdefault(wire_key(w), []).append((r.order, r, w, p))
        for v in q.values():
            v.sort(key=lambda x: x[0])
            v.reverse()  # pop() takes the earliest
        index.append((h, q))
    comments, counts = [], {h.label: 0 for h in hosts}
    multi = len(hosts) > 1
    for ts, orig, b in frames:
        key = frame_key(linktype, b)
        parts = []
        if key is not None:
            for h, q in index:
                lst = q.get(key)
                if not lst:
                    continue
                _, r, w, p = lst.pop()
                counts[h.label] += 1
                steps = p.chain()
                part = tx_part(steps, r) if w.tx else rx_part(steps, r)
                parts.append("%s%s pkt %d: %s" % ("tx" if w.tx else "rx",
                                                   (" " + h.label) if multi else "", p.id,
                                                   chain_text(part, with_host=False)))
        comments.append("; ".join(parts) if parts else None)
    return comments, counts


def _block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def _opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def write_pcapng(path, linktype, frames, comments, app="seqos tools/seqtrace", if_desc=None):
    """Writes frames [(ts_ns, origlen, bytes)] with comments [str or None] as pcapng:
    one section, one interface (nanosecond timestamps)."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + _opt(4, app.encode()) + _opt(0, b"")
    idb_opts = _opt(9, bytes([9]))  # if_tsresol: 10^-9 s
    if if_desc:
        idb_opts += _opt(3, if_desc.encode())
    idb = struct.pack("<HHI", linktype, 0, 262144) + idb_opts + _opt(0, b"")
    out = [_block(0x0A0D0D0A, shb), _block(1, idb)]
    for (ts, orig, b), c in zip(frames, comments):
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(b), orig) + b
        body += b"\0" * (-len(b) % 4)
        if c:
            body += _opt(1, c.encode("utf-8")) + _opt(0, b"")
        out.append(_block(6, body))
    with open(path, "wb") as f:
        f.write(b"".join(out))
