/* A simulated Ethernet link for host tests: two NAPI devices, each in its own namespace,
 * joined by a wire the test controls (loss, inspection, injection). With one end only,
 * transmitted frames are captured for the test to read and frames are injected by hand.
 *
 * Each end behaves as a NIC driver should: a bounded TX ring (the queue is stopped when it
 * fills and woken from the poll that reclaims it), a bounded RX ring (overruns counted in
 * rx_fifo_errors), an interrupt that is masked in the "hard IRQ" and re-enabled by
 * napi_complete_done(). Frames move when shim_run_pending() runs the link's pump. */
#ifndef SIMLINK_H
#define SIMLINK_H

#include <net/netdevice.h>
#include <seqos/timer.h>

#define SIMLINK_RING 64

struct simlink_frame {
	u8 *data;
	u32 len;
};

struct simlink;
struct simlink_end {
	struct net_device *dev;
	struct napi_struct napi;
	struct simlink *link;
	struct simlink_end *peer;        /* NULL: capture mode */
	struct sk_buff *tx_ring[SIMLINK_RING];
	u32 tx_head, tx_count, tx_done;  /* tx_done: sent on the wire, not yet reclaimed */
	u32 tx_ring_size;                /* <= SIMLINK_RING; tests shrink it */
	struct simlink_frame rx_ring[SIMLINK_RING];
	u32 rx_head, rx_count;
	struct simlink_frame cap[256];   /* capture mode: transmitted frames */
	u32 cap_head, cap_count;
	bool irq_enabled;
	int vector;
	u64 irqs, polls;
};

/* Returns true to drop the frame; it may also edit frame[0..*len) in place. dir is 0 for
 * a -> b, 1 for b -> a. */
typedef bool (*simlink_filter_fn)(void *arg, int dir, u8 *frame, u32 *len);

/* Seeded impairments of a paired link (simlink_set_impair), the same both ways. Rates are
 * in parts per million of frames; corruption (one flipped bit) hits IPv4 frames only. A frame waits rate-limited behind the ones before it
 * (serialisation at rate_bps, 0 = instant), then delay_us plus up to jitter_us; a
 * reordered one waits reorder_us more, so later frames overtake it. The queue in front
 * of the serialiser holds at most queue_max frames (tail drop; 0 = 1000). */
struct simlink_impair {
	u32 loss_ppm, dup_ppm, corrupt_ppm, reorder_ppm;
	u32 delay_us, jitter_us, reorder_us;
	u64 rate_bps;
	u32 queue_max;
	u64 seed;
};
struct simlink_impair_stats {
	u64 lost, duplicated, corrupted, reordered, queue_drops, delivered;
};
struct simlink_line; /* frames on the wire (simlink.c) */

struct simlink {
	struct simlink_end a, b;
	bool paired;
	simlink_filter_fn filter;
	void *filter_arg;
	bool hold;        /* frames stay in the TX rings (a cable unplugged, not down) */
	u64 frames, dropped;
	/* impairments (simlink_set_impair); NULL lines: frames cross at once */
	struct simlink_impair imp;
	bool impair_on;
	struct simlink_impair_stats istats;
	struct simlink_line *line[2];
	struct timer_list line_timer;
	u64 rng;
};

/* nb NULL: a single end in na, in capture mode. Devices are registered, opened and have
 * carrier on. MACs are 02:00:00:00:00:0N (N = 1 for a, 2 for b) plus mac_base. */
struct simlink *simlink_create(struct net *na, struct net *nb, u8 mac_base);
void simlink_destroy(struct simlink *l);

/* Turns impairments on (or changes them) for a paired link; NULL turns them off (frames
 * still on the wire are delivered first). */
void simlink_set_impair(struct simlink *l, const struct simlink_impair *imp);

/* Capture mode: the oldest transmitted frame into buf; its length, or -1 if none. */
int simlink_pop_frame(struct simlink_end *e, u8 *buf, size_t cap);
u32 simlink_captured(const struct simlink_end *e);
/* Queues a frame as if it came off the wire to e; delivered by the next pump. */
void simlink_inject(struct simlink_end *e, const u8 *frame, size_t len);

#endif
