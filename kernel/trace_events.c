/* The event descriptor table, generated from the X-macro in trace_events.h. */
#include <seqos/trace.h>

#define TRACE_DESC_(n, cat, kind, fmt) [TR_##n] = { #n, TRC_##cat, TRK_##kind, fmt },
const struct trace_event_desc trace_events[TR_NR_EVENTS] = { TRACE_EVENTS(TRACE_DESC_) };
#undef TRACE_DESC_
