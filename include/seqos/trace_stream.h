/* The binary trace stream on COM2 (docs/trace-format.md). */
#ifndef SEQOS_TRACE_STREAM_H
#define SEQOS_TRACE_STREAM_H

#include <seqos/types.h>

#define TRACE_STREAM_MAGIC 0x52545153u /* "SQTR" little endian */
#define TRACE_STREAM_VERSION 1

enum trace_chunk_type {
	TRACE_CHUNK_HEADER = 1,  /* schema: the event table, TSC rate */
	TRACE_CHUNK_NAMES = 2,   /* the name registry */
	TRACE_CHUNK_RECORDS = 3, /* raw struct trace_rec */
	TRACE_CHUNK_END = 4,     /* totals; the stream is complete */
	TRACE_CHUNK_INFO = 5,    /* key=value lines: host name, addresses, command line */
};

struct trace_chunk_hdr {
	u32 magic;
	u16 type;
	u16 reserved;
	u32 length; /* payload bytes after this header */
};

/* Header + names, then records as they come; may_wait: the caller may sleep (until
 * device probing has found the way out), else the streamer thread does that. */
void trace_stream_start_from(bool may_wait);
static inline void trace_stream_start(void) { trace_stream_start_from(false); }
void trace_stream_stop(void);
void trace_stream_save(void);       /* header, names, every record in the ring, end */
void trace_stream_final(void);      /* at power off: drain and end an open stream */
void trace_stream_info(const char *key, const char *value); /* INFO line */

#endif
