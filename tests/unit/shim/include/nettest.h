/* Helpers shared by the network unit tests: one-time stack setup, namespaces, and the
 * "everything is back where it started" checks every test ends with (STYLE.md 13). */
#ifndef NETTEST_H
#define NETTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <net/skbuff.h>
#include <seqos/timer.h>
#include <seqos/trace.h>
#include <shim.h>
#include <simlink.h>

struct nettest_baseline {
	u64 pools;
	u64 kmalloc;
};

/* Brings up the stack once per process (softirqs, protocols, timers, tracer). */
void nettest_global_init(void);
/* Records the pool and heap levels a test must return to. */
void nettest_baseline(struct nettest_baseline *b);
/* Runs pending work, then asserts pools and heap are back at b and no bh/preempt section
 * was left open. */
void nettest_assert_baseline(const struct nettest_baseline *b);

/* Builds an Ethernet frame into buf: returns its length. */
size_t nettest_eth(u8 *buf, const u8 *dst, const u8 *src, u16 type, const void *payload,
		   size_t len);

/* Counts trace records of event ev (in the ring since the last trace_clear()). */
size_t nettest_trace_count(u16 ev);

#endif
