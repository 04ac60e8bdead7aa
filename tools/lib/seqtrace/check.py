"""Validators for what seqtrace writes; the tests and `seqtrace check` use them.

check_chrome_json(doc)  the Chrome Trace Event rules the importers rely on:
    - every event has a known phase; non-metadata events have a numeric ts, and int
      pid and tid where the phase needs them;
    - every process used has a process_name and every thread a thread_name ("M");
    - per track (pid, tid), in time order: every "E" closes the innermost open "B" of
      the same name (LIFO), with E.ts >= B.ts, and no "B" is left open;
    - flow events: "s" and "f" pair up one-to-one on (id, cat, name), ids are integers,
      every "f" has bp "e", the flow does not go back in time, and each end lies strictly
      inside a slice of its track (not on a slice boundary, where binding would depend on
      the importer's tie-breaking).
check_mermaid(text)     the subset of Mermaid sequenceDiagram syntax seqtrace emits
    (participant/actor declarations, messages with the 6 arrow kinds, notes, rect
    blocks, autonumber, %% comments), with the rules that break real renderers:
    declared participants only, ids that are not keywords, no ';' '#' or '%%' in texts,
    balanced rect/end.
check_pcapng(data)      block structure of a pcapng file (SHB first, lengths repeated
    and aligned, EPBs naming a known interface); returns the packets' comments."""
import re
import struct

PHASES = set("BEXiIstfMCbenPORNDOS")


def _ns(ts):
    return round(ts * 1000)


def check_chrome_json(doc, back_tolerance_ns=1000):
    """Returns (errors, stats) for a parsed Chrome Trace Event JSON document."""
    errors = []
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        return ["no traceEvents list"], {}
    pnames, tnames = set(), set()
    used_p, used_t = set(), set()
    tracks = {}
    flows = {}
    stats = {"events": len(events), "slices": 0, "instants": 0, "flows": 0, "tracks": 0}
    for i, e in enumerate(events):
        if not isinstance(e, dict) or not isinstance(e.get("ph"), str):
            errors.append("event %d: not an object with a ph" % i)
            continue
        ph = e["ph"]
        if ph not in PHASES:
            errors.append("event %d: unknown phase %r" % (i, ph))
            continue
        if ph == "M":
            nm, args = e.get("name"), e.get("args") or {}
            if nm == "process_name":
                if not isinstance(e.get("pid"), int) or not args.get("name"):
                    errors.append("event %d: process_name without pid or name" % i)
                else:
                    pnames.add(e["pid"])
            elif nm == "thread_name":
                if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int) or \
                        not args.get("name"):
                    errors.append("event %d: thread_name without pid, tid or name" % i)
                else:
                    tnames.add((e["pid"], e["tid"]))
            continue
        if not isinstance(e.get("ts"), (int, float)) or isinstance(e.get("ts"), bool):
            errors.append("event %d (%s): ts missing or not a number" % (i, ph))
            continue
        if ph in "BEXiIsftC":
            if not isinstance(e.get("pid"), int):
                errors.append("event %d (%s): pid missing" % (i, ph))
                continue
            used_p.add(e["pid"])
        if ph in "BEXsft" or (ph in "iI" and e.get("s", "t") == "t"):
            if not isinstance(e.get("tid"), int):
                errors.append("event %d (%s): tid missing" % (i, ph))
                continue
            key = (e["pid"], e["tid"])
            used_t.add(key)
            tracks.setdefault(key, []).append((_ns(e["ts"]), i, e))
        if ph in "sf":
            fid = e.get("id")
            if not isinstance(fid, int) or isinstance(fid, bool):
                errors.append("event %d: flow id %r is not an integer" % (i, fid))
                continue
            if ph == "f" and e.get("bp") != "e":
                errors.append("event %d: flow end without bp \"e\"" % i)
            flows.setdefault((fid, e.get("cat"), e.get("name")), {"s": [], "f": []})[ph].append(e)
    for p in sorted(used_p - pnames):
        errors.append("process %d has no process_name" % p)
    for t in sorted(used_t - tnames):
        errors.append("thread %d/%d has no thread_name" % t)
    stats["tracks"] = len(tracks)
    bound = {}  # id(flow event) -> True when it lies strictly inside a slice
    for key, evs in tracks.items():
        # X events become a begin and an end; flow events are answered in the sweep.
        seq = []
        for ns, i, e in evs:
            if e["ph"] == "X":
                dur = e.get("dur")
                if not isinstance(dur, (int, float)) or dur < 0:
                    errors.append("event %d: X without a non-negative dur" % i)
                    continue
                seq.append((ns, i, 0, "B", e))
                seq.append((ns + _ns(dur), i, 1, "E", e))
            else:
                seq.append((ns, i, 0, e["ph"], e))
        seq.sort(key=lambda x: (x[0], x[1], x[2]))
        edges = {x[0] for x in seq if x[3] in "BE"}
        stack = []
        for ns, i, _, ph, e in seq:
            if ph == "B":
                stack.append((ns, e.get("name")))
            elif ph == "E":
                if not stack:
                    errors.append("track %d/%d: E %r at %d ns with no open B" % (key + (e.get("name"), ns)))
                    continue
                bns, bname = stack.pop()
                if e["ph"] == "E" and e.get("name") is not None and e.get("name") != bname:
                    errors.append("track %d/%d: E %r at %d ns closes B %r (not LIFO)" % (
                        key + (e.get("name"), ns, bname)))
                if ns < bns:
                    errors.append("track %d/%d: %r ends before it begins" % (key + (bname,)))
                stats["slices"] += 1
            elif ph in "iI":
                stats["instants"] += 1
            elif ph in "sf":
                if ns in edges:
                    bound[id(e)] = "on a slice boundary"
                elif not stack:
                    bound[id(e)] = "in no slice of track %d/%d" % key
                else:
                    bound[id(e)] = None
        for bns, bname in stack:
            errors.append("track %d/%d: B %r at %d ns never ends" % (key + (bname, bns)))
    for (fid, cat, name), d in flows.items():
        if len(d["s"]) != 1 or len(d["f"]) != 1:
            errors.append("flow %s/%s/%s: %d starts, %d ends" % (fid, cat, name, len(d["s"]), len(d["f"])))
            continue
        s, f = d["s"][0], d["f"][0]
        if _ns(f["ts"]) + back_tolerance_ns < _ns(s["ts"]):
            errors.append("flow %s (%s): ends %d ns before it starts" % (fid, name, _ns(s["ts"]) - _ns(f["ts"])))
        for e in (s, f):
            why = bound.get(id(e), "not on a track")
            if why:
                errors.append("flow %s (%s): %s at %d ns %s" % (fid, name, e["ph"], _ns(e["ts"]), why))
        stats["flows"] += 1
    return errors, stats


# ---------------------------------------------------------------------- Mermaid
_ARROW = r"(?:-->>|->>|-->|->|--x|-x|--\)|-\))"
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_MSG = re.compile(r"^(%s)\s*(%s)\s*([+-]?)\s*(%s)\s*:(.*)$" % (_ID, _ARROW, _ID))
_PART = re.compile(r"^(participant|actor)\s+(%s)(?:\s+as\s+(.+))?$" % _ID)
_NOTE = re.compile(r"^[Nn]ote\s+(left of|right of|over)\s+(%s)(?:\s*,\s*(%s))?\s*:(.*)$" % (_ID, _ID))
_RECT = re.compile(r"^rect\s+(rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)|"
                   r"rgba\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*[0-9.]+\s*\))$")
KEYWORDS = {"end", "box", "rect", "loop", "alt", "else", "opt", "par", "and", "critical",
            "break", "note", "participant", "actor", "activate", "deactivate", "autonumber",
            "title", "links", "link", "properties", "details", "create", "destroy", "over",
            "left", "right", "of", "as", "sequencediagram"}


def _bad_text(t):
    if not t.strip():
        return "empty text"
    for c in (";", "#", "%%"):
        if c in t:
            return "%r in text" % c
    if "\n" in t:
        return "newline in text"
    return None


def check_mermaid(text):
    """Errors (a list of strings) for one sequenceDiagram in the subset seqtrace emits."""
    errors, declared, depth, first = [], set(), 0, True
    messages = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        if first:
            if line != "sequenceDiagram":
                errors.append("line %d: must start with sequenceDiagram, not %r" % (n, line))
                return errors
            first = False
            continue
        m = _PART.match(line)
        if m:
            pid = m.group(2)
            if pid.lower() in KEYWORDS:
                errors.append("line %d: participant id %r is a keyword" % (n, pid))
            if pid in declared:
                errors.append("line %d: participant %r declared twice" % (n, pid))
            if messages:
                errors.append("line %d: participant %r declared after the first message" % (n, pid))
            if m.group(3) is not None:
                bad = _bad_text(m.group(3))
                if bad:
                    errors.append("line %d: participant alias: %s" % (n, bad))
            declared.add(pid)
            continue
        if line == "autonumber":
            continue
        m = _MSG.match(line)
        if m:
            for pid in (m.group(1), m.group(4)):
                if pid not in declared:
                    errors.append("line %d: undeclared participant %r" % (n, pid))
            bad = _bad_text(m.group(5))
            if bad:
                errors.append("line %d: message: %s" % (n, bad))
            messages += 1
            continue
        m = _NOTE.match(line)
        if m:
            for pid in (m.group(2), m.group(3)):
                if pid is not None and pid not in declared:
                    errors.append("line %d: note on undeclared participant %r" % (n, pid))
            bad = _bad_text(m.group(4))
            if bad:
                errors.append("line %d: note: %s" % (n, bad))
            continue
        if line.startswith("rect"):
            if not _RECT.match(line):
                errors.append("line %d: bad rect colour: %r" % (n, line))
            depth += 1
            continue
        if line == "end":
            if depth == 0:
                errors.append("line %d: end without rect" % n)
            else:
                depth -= 1
            continue
        errors.append("line %d: not in the emitted subset: %r" % (n, line))
    if first:
        errors.append("empty diagram")
    if depth:
        errors.append("%d rect blocks not closed" % depth)
    if not messages and not errors:
        errors.append("no messages")
    return errors


def mermaid_blocks(markdown):
    """The ```mermaid blocks of a Markdown text."""
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


# ---------------------------------------------------------------------- pcapng
def check_pcapng(data):
    """(errors, packets): packets is a list of (interface id, timestamp units, captured
    bytes, [comments])."""
    errors, packets, ifaces = [], [], 0
    off, n, endian = 0, len(data), "<"
    if n < 12:
        return ["file too short"], []
    while off + 12 <= n:
        btype = struct.unpack_from(endian + "I", data, off)[0]
        if off == 0 and btype != 0x0A0D0D0A:
            return ["first block is not a Section Header Block"], []
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">" if bom == b"\x1a\x2b\x3c\x4d" else None
            if endian is None:
                return ["bad byte-order magic at %d" % off], packets
            ifaces = 0
        blen = struct.unpack_from(endian + "I", data, off + 4)[0]
        if blen < 12 or blen % 4 or off + blen > n:
            errors.append("block at %d: bad length %d" % (off, blen))
            break
        if struct.unpack_from(endian + "I", data, off + blen - 4)[0] != blen:
            errors.append("block at %d: trailing length differs" % off)
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            ifaces += 1
        elif btype == 6:
            if len(body) < 20:
                errors.append("EPB at %d too short" % off)
            else:
                iface, th, tl, caplen, origlen = struct.unpack_from(endian + "IIIII", body, 0)
                if iface >= ifaces:
                    errors.append("EPB at %d names interface %d of %d" % (off, iface, ifaces))
                pad = (caplen + 3) & ~3
                if 20 + pad > len(body):
                    errors.append("EPB at %d: data longer than the block" % off)
                else:
                    comments, err = _options(body[20 + pad:], endian)
                    if err:
                        errors.append("EPB at %d: %s" % (off, err))
                    packets.append((iface, th << 32 | tl, body[20:20 + caplen], comments))
        off += blen
    if off != n and not errors:
        errors.append("%d bytes after the last block" % (n - off))
    return errors, packets


def _options(b, endian):
    comments, o = [], 0
    while o + 4 <= len(b):
        code, ln = struct.unpack_from(endian + "HH", b, o)
        o += 4
        if code == 0:
            return comments, None
        if o + ln > len(b):
            return comments, "option %d longer than the block" % code
        if code == 1:
            comments.append(b[o:o + ln].decode("utf-8", "replace"))
        o += (ln + 3) & ~3
    return comments, None if o == len(b) else "options not ended"
