"""The command line of tools/seqtrace (see docs/trace-tools.md).

  seqtrace STREAM [STREAM2] [-o DIR] [--pcap FILE] ...   write every output
  seqtrace dump STREAM                                    records as `trace dump` text
  seqtrace info STREAM                                    header, events, names, problems
  seqtrace check FILE...                                  validate .json .md .mmd .pcapng
  seqtrace analysis SERVER CLIENT -t TEMPLATE -o OUT      docs/analysis.md from make run's streams

Exit status: 0 when all went well, 1 when an input could not be decoded or a check
failed, 2 for a usage error."""
import argparse
import json
import os
import sys

from . import analysis, check, join, mermaid, model, packets, pcap, perfetto, stream, timeline

COMMANDS = ("convert", "dump", "info", "check", "analysis")


def _load(paths, labels):
    hosts = []
    for i, p in enumerate(paths):
        t = stream.read(p)
        label = labels[i] if labels and i < len(labels) else None
        if label is None:
            label = t.info.get("hostname") or t.info.get("host") or (
                os.path.splitext(os.path.basename(p))[0] if len(paths) > 1 else "host")
            if label in [h.label for h in hosts]:
                label = "%s%d" % (label, i)
        hosts.append(model.build(t, i, label))
    for h in hosts:
        packets.find_packets(h)
    return hosts


def convert(a):
    hosts = _load(a.streams, a.host)
    out_dir = a.out_dir or os.path.dirname(os.path.abspath(a.streams[0]))
    os.makedirs(out_dir, exist_ok=True)
    name = a.name or os.path.splitext(os.path.basename(a.streams[0]))[0]
    base = os.path.join(out_dir, name)
    say = (lambda *x: None) if a.quiet else (lambda *x: print(*x))
    rc = 0
    for h in hosts:
        t = h.trace
        say("%s: %s, %d records, %d packets, %d hand-offs, %d lost%s" % (
            h.label, t.source, len(t.records), len(h.packets), len(h.handoffs), t.lost,
            "" if t.end else ", no END"))
        for p in t.problems[:10]:
            say("  problem: " + p)
        if len(t.problems) > 10:
            say("  ... %d more problems" % (len(t.problems) - 10))
        rep = {k: v for k, v in h.repairs.items() if v}
        if rep:
            say("  repaired slices: %s" % ", ".join("%s %d" % kv for kv in sorted(rep.items())))
    pairs, offsets = [], {}
    if len(hosts) > 1:
        pairs, offsets = join.join(hosts)
        say("wire: %d frames matched between hosts" % len(pairs))
        for lab, off in offsets.items():
            say("clock of %s vs %s: %s" % (lab, hosts[0].label, off.describe()))
    written = []
    if not a.no_json:
        st = perfetto.write(base + ".json", hosts, pairs)
        written.append(base + ".json")
        say("perfetto: %s (%d tracks, %d slices, %d flows)" % (base + ".json", st["tracks"],
                                                                st["slices"], st["flows"]))
    if not a.no_mermaid:
        md, mmds = markdown(hosts, pairs, offsets, a.max_packets, base)
        with open(base + ".md", "w") as f:
            f.write(md)
        written.append(base + ".md")
        say("mermaid: %s (%d diagrams)" % (base + ".md", len(mmds)))
        for path, text in mmds:
            with open(path, "w") as f:
                f.write(text)
    if not a.no_timeline:
        with open(base + ".timeline.txt", "w") as f:
            for h in hosts:
                f.write(timeline.timeline(h))
        with open(base + ".summary.txt", "w") as f:
            for h in hosts:
                f.write(timeline.summary_text(h))
        say("timeline: %s, summary: %s" % (base + ".timeline.txt", base + ".summary.txt"))
        if a.summary:
            for h in hosts:
                sys.stdout.write(timeline.summary_text(h))
    if a.pcap:
        with open(a.pcap, "rb") as f:
            linktype, _, frames = pcap.read_pcap(f.read())
        comments, counts = pcap.annotate(linktype, frames, hosts)
        pcap.write_pcapng(base + ".pcapng", linktype, frames, comments,
                          if_desc="QEMU filter-dump %s" % os.path.basename(a.pcap))
        written.append(base + ".pcapng")
        say("pcapng: %s (%d frames, %d with a context chain; matched %s)" % (
            base + ".pcapng", len(frames), sum(1 for c in comments if c),
            ", ".join("%s %d" % kv for kv in counts.items())))
    if a.check:
        for path in written:
            errs = check_file(path)
            for e in errs[:20]:
                print("check %s: %s" % (path, e), file=sys.stderr)
            if errs:
                rc = 1
        say("check: %s" % ("ok" if not rc else "FAILED"))
    return rc


def markdown(hosts, pairs, offsets, max_packets, base):
    """The Markdown file (diagrams and summaries) and [(path, text)] of .mmd files."""
    peer = {rx: tx for tx, rx in pairs}
    out = ["# seqos runtime sequence: %s" % ", ".join("%s (%s)" % (h.label, os.path.basename(h.trace.source))
                                                     for h in hosts), ""]
    out.append("Generated by tools/seqtrace from the binary trace stream; times are measured "
               "(TSC), delays on the arrows are since the previous message. "
               "See docs/trace-tools.md.")
    out.append("")
    for lab, off in offsets.items():
        out.append("Clock of %s against %s: %s." % (lab, hosts[0].label, off.describe()))
        out.append("")
    mmds = []
    conns = packets.connections(hosts)
    for i, c in enumerate(conns, 1):
        text = mermaid.connection_diagram(c, max_packets, peer)
        out += ["## %s" % c.label, "", "```mermaid", text.rstrip("\n"), "```", ""]
        mmds.append(("%s-%d.mmd" % (base, i), text))
    hd = mermaid.handoff_diagram(hosts)
    if hd:
        out += ["## Hand-offs between contexts", "", "```mermaid", hd.rstrip("\n"), "```", ""]
        mmds.append(("%s-handoffs.mmd" % base, hd))
    for h in hosts:
        out += ["## Time per context on %s" % h.label, "", timeline.summary_markdown(h)]
    return "\n".join(out), mmds


def check_file(path):
    """Errors found in one output file, by its extension."""
    try:
        if path.endswith(".json"):
            with open(path) as f:
                doc = json.load(f)
            return check.check_chrome_json(doc)[0]
        if path.endswith(".md"):
            with open(path) as f:
                blocks = check.mermaid_blocks(f.read())
            errs = [] if blocks else ["no mermaid blocks"]
            for i, b in enumerate(blocks, 1):
                errs += ["diagram %d: %s" % (i, e) for e in check.check_mermaid(b)]
            return errs
        if path.endswith(".mmd"):
            with open(path) as f:
                return check.check_mermaid(f.read())
        if path.endswith(".pcapng"):
            with open(path, "rb") as f:
                return check.check_pcapng(f.read())[0]
    except (OSError, ValueError) as e:
        return [str(e)]
    return ["unknown file type"]


def run_analysis(a):
    """Writes the analysis document, or nothing and status 1 when a step is missing or
    a diagram fails the Mermaid check."""
    hosts = _load(a.streams, None)
    with open(a.template) as f:
        template = f.read()
    info = dict(kv.split("=", 1) for kv in a.set or [])
    try:
        text = analysis.generate(hosts, template, info)
    except analysis.Missing as e:
        print("seqtrace analysis: %s; %s not written" % (e, a.out), file=sys.stderr)
        return 1
    blocks = check.mermaid_blocks(text)
    errs = ["diagram %d: %s" % (i, e) for i, b in enumerate(blocks, 1) for e in check.check_mermaid(b)]
    if errs:
        for e in errs[:20]:
            print("seqtrace analysis: %s" % e, file=sys.stderr)
        return 1
    with open(a.out + ".tmp", "w") as f:
        f.write(text)
    os.replace(a.out + ".tmp", a.out)
    print("seqtrace analysis: %s (%d diagrams)" % (a.out, len(blocks)))
    return 0


def dump(a):
    t = stream.read(a.stream)
    for r in t.records:
        if a.all or r.ev.name != "trace_meta":
            print(stream.format_text(t, r))
    for p in t.problems:
        print("# problem: " + p)
    return 0


def info(a):
    t = stream.read(a.stream)
    print("source      %s" % t.source)
    print("version     %s, record size %d, %d CPU(s), tsc %d Hz" % (t.version, t.record_size, t.ncpus, t.tsc_hz))
    print("records     %d (%d lost, %d gaps, %d bad), end %s" % (len(t.records), t.lost, t.gaps, t.bad_records,
                                                                 "yes %s" % (t.end,) if t.end else "missing"))
    print("skipped     %d bytes outside chunks" % t.skipped_bytes)
    for k, v in sorted(t.info.items()):
        print("info        %s=%s" % (k, v))
    print("events      %d" % len(t.events))
    for e in t.events:
        print("  %3d %-22s %-8s %-6s %s" % (e.id, e.name, stream.KIND_NAMES[e.kind], e.cat, e.fmt))
    print("names       %d" % len(t.names))
    for (k, i), n in sorted(t.names.items()):
        print("  %-8s %6d %s" % (stream.CTX_KIND_NAMES.get(k, k), i, n))
    for p in t.problems:
        print("problem     " + p)
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv.pop(0) if argv and argv[0] in COMMANDS else "convert"
    try:
        if cmd == "convert":
            ap = argparse.ArgumentParser(prog="seqtrace", description=__doc__,
                                         formatter_class=argparse.RawDescriptionHelpFormatter)
            ap.add_argument("streams", nargs="+", help="binary trace streams (COM2), one per machine")
            ap.add_argument("-o", "--out-dir", "--out", dest="out_dir", help="output directory (default: next to the first stream)")
            ap.add_argument("-n", "--name", help="base name of the outputs (default: the first stream's)")
            ap.add_argument("--host", action="append", help="label of each stream's machine, in order")
            ap.add_argument("--pcap", help="QEMU's capture (classic pcap) to write as pcapng with comments")
            ap.add_argument("--max-packets", type=int, default=8, help="packets drawn per connection")
            ap.add_argument("--no-json", action="store_true")
            ap.add_argument("--no-mermaid", action="store_true")
            ap.add_argument("--no-timeline", action="store_true")
            ap.add_argument("--summary", action="store_true", help="print the time per context")
            ap.add_argument("--check", action="store_true", help="validate what was written")
            ap.add_argument("-q", "--quiet", action="store_true")
            return convert(ap.parse_args(argv))
        if cmd == "analysis":
            ap = argparse.ArgumentParser(prog="seqtrace analysis",
                                         description="docs/analysis.md from make run's two streams")
            ap.add_argument("streams", nargs=2, help="the server's and the client's streams (any order)")
            ap.add_argument("-t", "--template", required=True, help="the document with {{placeholders}}")
            ap.add_argument("-o", "--out", required=True, help="the document to write")
            ap.add_argument("--set", action="append", metavar="NAME=TEXT",
                            help="a placeholder's value from outside (run date, commit, NIC)")
            return run_analysis(ap.parse_args(argv))
        if cmd in ("dump", "info"):
            ap = argparse.ArgumentParser(prog="seqtrace " + cmd)
            ap.add_argument("stream")
            if cmd == "dump":
                ap.add_argument("--all", action="store_true", help="also trace_meta records")
            a = ap.parse_args(argv)
            return dump(a) if cmd == "dump" else info(a)
        ap = argparse.ArgumentParser(prog="seqtrace check")
        ap.add_argument("files", nargs="+")
        a = ap.parse_args(argv)
        rc = 0
        for path in a.files:
            errs = check_file(path)
            print("%s: %s" % (path, "ok" if not errs else "%d problems" % len(errs)))
            for e in errs[:50]:
                print("  " + e)
            rc |= bool(errs)
        return int(rc)
    except BrokenPipeError:
        # The reader (head, less) went away: not an error of ours.
        sys.stdout = open(os.devnull, "w")
        return 0
    except (stream.StreamError, pcap.PcapError, OSError) as e:
        print("seqtrace: %s" % e, file=sys.stderr)
        return 1
