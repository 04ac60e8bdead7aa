/* net/core: sk_buff operations and pools, NAPI and its budgets, the TX queue with
 * stop/wake and NET_TX, the backlog, loopback, device counters. */
#include <nettest.h>

#include <net/ethernet.h>
#include <seqos/errno.h>
#include <seqos/softirq.h>
#include <seqos/string.h>
#include <seqos/time.h>

#include <stdio.h>
#include <string.h>

#define ETH_P_TEST 0x88b5 /* IEEE local experimental */

static struct net ns;
static struct nettest_baseline base;
static int test_rx_count;
static u8 test_rx_last[2048];
static u32 test_rx_last_len;
static u64 test_rx_last_id;

static int test_rcv(struct sk_buff *skb, struct net_device *dev)
{
	test_rx_count++;
	test_rx_last_len = skb->len < sizeof(test_rx_last) ? skb->len : sizeof(test_rx_last);
	memcpy(test_rx_last, skb->data, test_rx_last_len);
	test_rx_last_id = skb->id;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}
static struct packet_type test_pt = { .type = ETH_P_TEST, .func = test_rcv };

static int setup(void **state)
{
	nettest_global_init();
	nettest_baseline(&base);
	assert_int_equal(net_ns_init(&ns, "core"), 0);
	dev_add_pack(&test_pt);
	test_rx_count = 0;
	return 0;
}

static struct napi_struct endless[6];
static bool endless_added;

static int teardown(void **state)
{
	if (endless_added) /* a failed budget test must not leave its NAPIs listed */
		for (int i = 0; i < 6; i++)
			napi_disable(&endless[i]);
	endless_added = false;
	dev_remove_pack(&test_pt);
	net_ns_exit(&ns);
	nettest_assert_baseline(&base);
	return 0;
}

/* ---- sk_buff ---- */
static void test_skb_geometry(void **state)
{
	struct sk_buff *skb = alloc_skb(200);
	u8 *p;

	assert_non_null(skb);
	assert_int_equal(skb->len, 0);
	assert_int_equal(skb_headroom(skb), 0);
	assert_true(skb_tailroom(skb) >= 200);
	skb_reserve(skb, 64);
	assert_int_equal(skb_headroom(skb), 64);
	p = skb_put(skb, 10);
	memset(p, 0xaa, 10);
	assert_int_equal(skb->len, 10);
	p = skb_push(skb, 4);
	assert_ptr_equal(p, skb->data);
	assert_int_equal(skb_headroom(skb), 60);
	assert_int_equal(skb->len, 14);
	assert_non_null(skb_pull(skb, 4));
	assert_int_equal(skb->data[0], 0xaa);
	assert_null(skb_pull(skb, 11)); /* more than there is: nothing changes */
	assert_int_equal(skb->len, 10);
	skb_trim(skb, 3);
	assert_int_equal(skb->len, 3);
	skb_trim(skb, 100); /* longer: no-op */
	assert_int_equal(skb->len, 3);
	assert_true(pskb_may_pull(skb, 3));
	assert_false(pskb_may_pull(skb, 4));
	kfree_skb(skb);
}

static void test_skb_clone_copy(void **state)
{
	struct sk_buff *skb = alloc_skb(100), *c, *cp, *x;
	struct skb_pool_stats st;
	u64 id;

	skb_reserve(skb, 32);
	skb_put_data(skb, "hello world", 11);
	id = skb->id;
	c = skb_clone(skb);
	assert_non_null(c);
	assert_ptr_equal(c->data, skb->data); /* shared bytes */
	assert_true(skb_cloned(skb) && skb_cloned(c));
	assert_int_equal(c->parent_id, id);
	assert_true(c->id > id);
	skb_pool_get_stats(SKB_POOL_SMALL, &st);
	u32 small_in_use = st.in_use;
	cp = skb_copy(skb);
	assert_ptr_not_equal(cp->data, skb->data);
	assert_memory_equal(cp->data, "hello world", 11);
	assert_int_equal(skb_headroom(cp), 32);
	assert_int_equal(cp->parent_id, id);
	skb_pool_get_stats(SKB_POOL_SMALL, &st);
	assert_int_equal(st.in_use, small_in_use + 1);
	/* the original goes; the clone still reads the shared buffer */
	consume_skb(skb);
	assert_memory_equal(c->data, "hello world", 11);
	/* a clone being the last user may write after unshare without a copy */
	assert_int_equal(skb_unshare_data(c), 0);
	assert_false(skb_cloned(c));
	/* expand: private copy with more headroom */
	x = skb_copy_expand(cp, 100, 0);
	assert_true(skb_headroom(x) >= 100);
	assert_memory_equal(x->data, "hello world", 11);
	kfree_skb(c);
	kfree_skb(cp);
	kfree_skb(x);
}

static void test_skb_unshare_copies_when_shared(void **state)
{
	struct sk_buff *skb = alloc_skb(100), *c;

	skb_put_data(skb, "abc", 3);
	c = skb_clone(skb);
	assert_int_equal(skb_unshare_data(c), 0);
	assert_ptr_not_equal(c->data, skb->data);
	c->data[0] = 'X';
	assert_int_equal(skb->data[0], 'a');
	kfree_skb(skb);
	kfree_skb(c);
}

static void test_skb_ids_never_reused(void **state)
{
	u64 last = 0;

	for (int i = 0; i < 100; i++) {
		struct sk_buff *skb = alloc_skb(64);
		assert_true(skb->id > last);
		last = skb->id;
		kfree_skb(skb);
	}
}

static void test_skb_pool_limits(void **state)
{
	struct sk_buff *skbs[4];
	struct skb_pool_stats before, after;

	skb_pool_get_stats(SKB_POOL_STD, &before);
	skb_pool_set_limit(SKB_POOL_STD, before.in_use + 3);
	for (int i = 0; i < 3; i++)
		assert_non_null(skbs[i] = alloc_skb(1500));
	skbs[3] = alloc_skb(1500);
	assert_null(skbs[3]);
	skb_pool_get_stats(SKB_POOL_STD, &after);
	assert_int_equal(after.fails, before.fails + 1);
	assert_int_equal(after.in_use, before.in_use + 3);
	assert_true(after.peak >= after.in_use);
	for (int i = 0; i < 3; i++)
		kfree_skb(skbs[i]);
	skb_pool_set_limit(SKB_POOL_STD, NET_SKB_STD_MAX);
	/* sizes past the largest class fail cleanly */
	assert_null(alloc_skb(NET_SKB_LARGE_SIZE + 1));
	/* the heap failing is a counted failure too */
	shim_kmalloc_fail_after(0);
	skb_pool_set_limit(SKB_POOL_LARGE, 1000);
	assert_null(alloc_skb(60000)); /* the large pool has nothing cached yet */
	shim_kmalloc_fail_after(-1);
	skb_pool_set_limit(SKB_POOL_LARGE, NET_SKB_LARGE_MAX);
	shim_console_clear();
	net_mem_report();
	assert_non_null(strstr(shim_console(), "skb_data_2k"));
}

static void test_skb_padto_and_queue(void **state)
{
	struct sk_buff_head q;
	struct sk_buff *skb = alloc_skb(NET_SKB_SMALL_SIZE);

	skb_reserve(skb, NET_SKB_SMALL_SIZE - 10);
	skb_put_data(skb, "0123456789", 10);
	assert_int_equal(skb_put_padto(skb, 60), 0); /* needs a bigger buffer */
	assert_int_equal(skb->len, 60);
	assert_memory_equal(skb->data, "0123456789", 10);
	for (int i = 10; i < 60; i++)
		assert_int_equal(skb->data[i], 0);
	skb_queue_head_init(&q);
	skb_queue_tail(&q, skb);
	skb_queue_tail(&q, alloc_skb(10));
	skb_queue_head(&q, alloc_skb(10));
	assert_int_equal(skb_queue_len(&q), 3);
	assert_ptr_equal(q.next->next, skb);
	skb_queue_purge(&q);
	assert_true(skb_queue_empty(&q));
}

/* ---- receive: NAPI over the simulated NIC ---- */
static void inject_test_frames(struct simlink_end *e, int n, size_t len)
{
	u8 frame[1600], payload[1500];

	for (int i = 0; i < n; i++) {
		memset(payload, i, sizeof(payload));
		size_t fl = nettest_eth(frame, e->dev->dev_addr, (const u8 *)"\x02\0\0\0\0\x99",
					ETH_P_TEST, payload, len);
		simlink_inject(e, frame, fl);
	}
}

static void test_napi_receive(void **state)
{
	struct simlink *l = simlink_create(&ns, NULL, 0);
	struct net_device_stats st;
	u64 processed = softnet_data.processed;

	trace_clear();
	inject_test_frames(&l->a, 50, 100);
	shim_run_pending();
	assert_int_equal(test_rx_count, 50);
	assert_int_equal(test_rx_last_len, 100);
	assert_int_equal(test_rx_last[0], 49);
	assert_int_equal(softnet_data.processed - processed, 50);
	dev_get_stats(l->a.dev, &st);
	assert_int_equal(st.rx_packets, 50);
	assert_int_equal(st.rx_bytes, 50 * 114);
	/* one interrupt for the whole burst: NAPI polled the rest */
	assert_int_equal(l->a.irqs, 1);
	assert_true(l->a.irq_enabled); /* napi_complete_done re-enabled it */
	assert_int_equal(nettest_trace_count(TR_napi_schedule), 1);
	simlink_destroy(l);
}

static void test_napi_weight(void **state)
{
	struct simlink *l = simlink_create(&ns, NULL, 0);

	inject_test_frames(&l->a, SIMLINK_RING, 60);
	shim_run_pending();
	/* 64 frames with weight 64: first poll uses its weight, the second completes */
	assert_int_equal(test_rx_count, SIMLINK_RING);
	assert_int_equal(l->a.napi.polls, 2);
	assert_int_equal(l->a.napi.packets, SIMLINK_RING);
	assert_int_equal(l->a.napi.completes, 1);
	/* an RX ring overrun is counted by the driver */
	inject_test_frames(&l->a, SIMLINK_RING + 3, 60);
	assert_int_equal(l->a.dev->stats.rx_fifo_errors, 3);
	shim_run_pending();
	simlink_destroy(l);
}

/* A NAPI that always has more: the budget and the time limit must stop it. */
static int endless_polls;
static u64 endless_ns_per_pkt;
static int endless_poll(struct napi_struct *napi, int budget)
{
	endless_polls++;
	shim_set_time_ns(shim_now_ns() + endless_ns_per_pkt * (u64)budget);
	return budget;
}

static void test_net_rx_action_budget(void **state)
{
	u64 squeeze = softnet_data.time_squeeze;

	for (int i = 0; i < 6; i++) {
		netif_napi_add(NULL, &endless[i], endless_poll);
		napi_enable(&endless[i]);
	}
	endless_added = true;
	endless_polls = 0;
	endless_ns_per_pkt = 0;
	assert_true(napi_schedule(&endless[0]));
	assert_false(napi_schedule(&endless[0])); /* already scheduled */
	assert_true(shim_softirq_pending(NET_RX_SOFTIRQ));
	/* one instance that always has more: polled once per run, then NET_RX is re-raised
	 * so other softirqs get their turn; no squeeze (the budget was not used up) */
	net_rx_action();
	assert_int_equal(endless_polls, 1);
	assert_int_equal(softnet_data.time_squeeze, squeeze);
	assert_true(shim_softirq_pending(NET_RX_SOFTIRQ));
	/* six of them: 300 packets at 64 per poll are 5 polls, then a squeeze */
	for (int i = 1; i < 6; i++)
		assert_true(napi_schedule(&endless[i]));
	endless_polls = 0;
	net_rx_action();
	assert_int_equal(endless_polls, 5);
	assert_int_equal(softnet_data.time_squeeze - squeeze, 1);
	assert_true(shim_softirq_pending(NET_RX_SOFTIRQ));
	/* time limit: 100 us per packet is 6.4 ms for the first poll, past 2 ms */
	endless_polls = 0;
	endless_ns_per_pkt = 100000;
	net_rx_action();
	assert_int_equal(endless_polls, 1);
	assert_int_equal(softnet_data.time_squeeze - squeeze, 2);
	for (int i = 0; i < 6; i++)
		napi_disable(&endless[i]);
	endless_added = false;
	shim_run_softirqs();
	assert_false(shim_softirq_pending(NET_RX_SOFTIRQ));
}

static void test_unknown_and_short_frames(void **state)
{
	struct simlink *l = simlink_create(&ns, NULL, 0);
	u8 frame[64];
	size_t len = nettest_eth(frame, l->a.dev->dev_addr, l->a.dev->dev_addr, 0x1234, "xx", 2);

	simlink_inject(&l->a, frame, len);
	simlink_inject(&l->a, frame, 10);  /* shorter than an Ethernet header */
	simlink_inject(&l->a, frame, 0);
	len = nettest_eth(frame, l->a.dev->dev_addr, l->a.dev->dev_addr, 0x0100, "xx", 2);
	simlink_inject(&l->a, frame, len); /* 802.3 length field */
	shim_run_pending();
	assert_int_equal(l->a.dev->stats.rx_nohandler, 2);
	assert_int_equal(l->a.dev->stats.rx_length_errors, 2);
	assert_int_equal(test_rx_count, 0);
	simlink_destroy(l);
}

/* ---- transmit ---- */
static struct sk_buff *test_frame(struct net_device *dev, int i)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + 100);

	skb_reserve(skb, MAX_HEADER);
	memset(skb_put(skb, 100), i, 100);
	skb->dev = dev;
	eth_header(skb, dev, ETH_P_TEST, (const u8 *)"\x02\0\0\0\0\x77", NULL);
	return skb;
}

static void test_tx_stop_wake(void **state)
{
	struct simlink *l = simlink_create(&ns, NULL, 0);
	struct net_device *dev = l->a.dev;
	u8 buf[2048];

	l->a.tx_ring_size = 4;
	l->hold = true; /* the "wire" does not take frames yet */
	for (int i = 0; i < 10; i++)
		assert_int_equal(dev_queue_xmit(test_frame(dev, i)), 0);
	assert_true(netif_queue_stopped(dev));
	assert_int_equal(l->a.tx_count, 4);
	assert_int_equal(skb_queue_len(&dev->txq), 6);
	l->hold = false;
	shim_run_pending(); /* wire -> IRQ -> poll reclaims -> wake -> NET_TX -> more */
	assert_false(netif_queue_stopped(dev));
	assert_int_equal(skb_queue_len(&dev->txq), 0);
	assert_int_equal(simlink_captured(&l->a), 10);
	for (int i = 0; i < 10; i++) {
		int n = simlink_pop_frame(&l->a, buf, sizeof(buf));
		assert_int_equal(n, 114);
		assert_int_equal(buf[14], i); /* in order */
		assert_memory_equal(buf, "\x02\0\0\0\0\x77", 6);
		assert_memory_equal(buf + 6, dev->dev_addr, 6);
	}
	assert_int_equal(dev->stats.tx_packets, 10);
	assert_true(softnet_data.tx_runs > 0);
	simlink_destroy(l);
}

static void test_tx_queue_bounded(void **state)
{
	struct simlink *l = simlink_create(&ns, NULL, 0);
	struct net_device *dev = l->a.dev;
	int dropped = 0;

	dev->tx_queue_len = 5;
	l->a.tx_ring_size = 2;
	l->hold = true;
	for (int i = 0; i < 20; i++)
		if (dev_queue_xmit(test_frame(dev, i)) == -ENOBUFS)
			dropped++;
	assert_int_equal(dropped, 20 - 2 - 5);
	assert_int_equal(dev->stats.tx_dropped, 13);
	/* a device going down drops what is queued and refuses more */
	dev_close(dev);
	assert_int_equal(skb_queue_len(&dev->txq), 0);
	assert_int_equal(dev_queue_xmit(test_frame(dev, 0)), -ENETDOWN);
	simlink_destroy(l);
}

static void test_short_frames_padded(void **state)
{
	struct simlink *l = simlink_create(&ns, NULL, 0);
	struct sk_buff *skb = alloc_skb(MAX_HEADER + 4);
	u8 buf[128];

	skb_reserve(skb, MAX_HEADER);
	skb_put_data(skb, "tiny", 4);
	skb->dev = l->a.dev;
	eth_header(skb, l->a.dev, ETH_P_TEST, NULL, NULL);
	dev_queue_xmit(skb);
	shim_run_pending();
	assert_int_equal(simlink_pop_frame(&l->a, buf, sizeof(buf)), ETH_ZLEN);
	assert_memory_equal(buf, eth_broadcast_addr, 6);
	simlink_destroy(l);
}

static void test_kfree_skb_irq_deferred(void **state)
{
	struct sk_buff *skb = alloc_skb(64);
	u64 before = skb_pools_in_use();

	shim_hardirq_enter(33);
	dev_consume_skb_any(skb);
	shim_hardirq_exit();
	assert_int_equal(skb_pools_in_use(), before); /* not yet: deferred to NET_TX */
	assert_true(shim_softirq_pending(NET_TX_SOFTIRQ));
	shim_run_softirqs();
	assert_int_equal(skb_pools_in_use(), before - 2);
}

/* ---- loopback and the backlog ---- */
static void test_loopback_backlog(void **state)
{
	struct net_device *lo = ns.loopback_dev;
	u64 dropped = softnet_data.dropped;

	assert_non_null(lo);
	assert_true(lo->flags & IFF_LOOPBACK);
	assert_int_equal(dev_queue_xmit(test_frame(lo, 7)), 0);
	assert_int_equal(test_rx_count, 0); /* crosses into NET_RX, not called inline */
	assert_true(shim_softirq_pending(NET_RX_SOFTIRQ));
	shim_run_pending();
	assert_int_equal(test_rx_count, 1);
	assert_int_equal(test_rx_last[0], 7);
	/* the backlog is bounded */
	for (int i = 0; i < NETDEV_MAX_BACKLOG + 5; i++)
		dev_queue_xmit(test_frame(lo, i));
	assert_int_equal(softnet_data.dropped - dropped, 5);
	shim_run_pending();
	assert_int_equal(test_rx_count, 1 + NETDEV_MAX_BACKLOG);
	/* unregistering a device drops its backlog packets */
	dev_queue_xmit(test_frame(lo, 1));
}

static void test_shell_commands(void **state)
{
	extern int net_cmd_softnet(int, char **);
	extern int net_cmd_ifconfig(int, char **);
	char *argv[] = { "softnet" };

	shim_console_clear();
	assert_int_equal(net_cmd_softnet(1, argv), 0);
	assert_non_null(strstr(shim_console(), "time_squeeze"));
	shim_console_clear();
	assert_int_equal(net_cmd_ifconfig(1, argv), 0); /* init_net: lo */
	assert_non_null(strstr(shim_console(), "lo: flags="));
	assert_non_null(strstr(shim_console(), "LOOPBACK"));
	assert_non_null(strstr(shim_console(), "inet 127.0.0.1/8"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_skb_geometry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skb_clone_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skb_unshare_copies_when_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skb_ids_never_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skb_pool_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skb_padto_and_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_napi_receive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_napi_weight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_rx_action_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_short_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_stop_wake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_queue_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_frames_padded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kfree_skb_irq_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_backlog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_commands, setup, teardown),
	};
	return cmocka_run_group_tests_name("net_core", tests, NULL, NULL);
}
