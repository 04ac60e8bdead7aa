"""seqtrace: turns seqos's binary trace stream (COM2) into timelines and diagrams.

Modules, in the order data flows through them:
  stream    decode the chunked binary stream (docs/trace-format.md) into records
  model     tracks (a context on a CPU), nested slices, resolved hand-offs
  packets   packet families, causal chains per packet, wire identities, connections
  join      match two machines' traces on the wire, estimate their clock offset
  perfetto  Chrome Trace Event JSON (ui.perfetto.dev) with flow arrows
  mermaid   sequence diagrams per connection, with measured delays
  timeline  function_graph-like text timeline and per-context time summary
  pcap      read QEMU's pcap, write pcapng with per-packet context-chain comments
  check     validators: Chrome JSON rules, the Mermaid subset we emit, pcapng blocks
  cli       the command line (tools/seqtrace)
Standard library only (Debian's /usr/bin/python3)."""
