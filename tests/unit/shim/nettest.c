/* Helpers for the network unit tests (include/nettest.h). */
#include <nettest.h>

#include <stdlib.h>
#include <string.h>

void nettest_global_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	timers_init();
	trace_init(1 << 16);
	trace_set_mask(TRC_ALL);
	net_init();
}

void nettest_baseline(struct nettest_baseline *b)
{
	shim_run_pending();
	skb_pools_shrink();
	b->pools = skb_pools_in_use();
	b->kmalloc = shim_kmalloc_in_use();
}

void nettest_assert_baseline(const struct nettest_baseline *b)
{
	shim_run_pending();
	skb_pools_shrink();
	assert_int_equal(skb_pools_in_use(), b->pools);
	assert_int_equal(shim_kmalloc_in_use(), b->kmalloc);
	assert_int_equal(shim_bh_depth(), 0);
	assert_int_equal(shim_preempt_depth(), 0);
}

size_t nettest_eth(u8 *buf, const u8 *dst, const u8 *src, u16 type, const void *payload,
		   size_t len)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = (u8)(type >> 8);
	buf[13] = (u8)type;
	if (len)
		memcpy(buf + 14, payload, len);
	return 14 + len;
}

size_t nettest_trace_count(u16 ev)
{
	static struct trace_rec recs[1 << 16];
	size_t n = trace_consume(0, recs, ARRAY_SIZE(recs)), count = 0;

	for (size_t i = 0; i < n; i++)
		if (recs[i].event == ev && recs[i].phase != TRACE_END)
			count++;
	return count;
}
