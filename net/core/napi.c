/* NAPI and the NET_RX softirq (Linux net/core/dev.c, the receive half).
 *
 *   NIC hard IRQ: driver masks its interrupts -> napi_schedule() -> raise NET_RX
 *   NET_RX softirq: net_rx_action() -> napi_poll() -> <driver>_poll(napi, 64)
 *        -> netif_receive_skb() ... ; a poll that did less than its weight called
 *        napi_complete_done() -> ndo_irq_enable: the device may interrupt again.
 *   netif_rx() (loopback, non-NAPI drivers) queues to the per-CPU backlog, which a
 *   built-in NAPI (process_backlog) drains in the same softirq.
 *
 * Budgets (include/net/net_config.h): one poll handles at most NAPI_POLL_WEIGHT (64)
 * packets, so devices take turns; one net_rx_action run at most NETDEV_BUDGET (300)
 * packets and NETDEV_BUDGET_USECS (2 ms). A run that stops on either limit counts a
 * time_squeeze and re-raises NET_RX; the softirq core then defers to ksoftirqd under
 * sustained load, which is how receive livelock is avoided (Mogul & Ramakrishnan 1997).
 *
 * Locking: softnet_data.poll_list and the backlog are touched from hard IRQ, so only with
 * interrupts off. A NAPI on poll_list has NAPI_STATE_SCHED set; only its owner (the
 * softirq polling it) may clear it, in napi_complete_done(). */
#include <net/netdevice.h>
#include <seqos/errno.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/softirq.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

struct softnet_data softnet_data;
static u32 napi_next_id = 1;

static bool test_and_set_state(struct napi_struct *n, int bit)
{
	return __atomic_fetch_or(&n->state, 1ul << bit, __ATOMIC_ACQ_REL) & (1ul << bit);
}
static void clear_state(struct napi_struct *n, int bit)
{
	__atomic_fetch_and(&n->state, ~(1ul << bit), __ATOMIC_ACQ_REL);
}
static bool test_state(const struct napi_struct *n, int bit)
{
	return __atomic_load_n(&n->state, __ATOMIC_ACQUIRE) & (1ul << bit);
}

void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int))
{
	INIT_LIST_HEAD(&napi->poll_list);
	napi->state = 1ul << NAPI_STATE_SCHED; /* disabled until napi_enable() */
	napi->weight = NAPI_POLL_WEIGHT;
	napi->poll = poll;
	napi->dev = dev;
	napi->id = __atomic_fetch_add(&napi_next_id, 1, __ATOMIC_RELAXED);
	napi->polls = napi->packets = napi->completes = 0;
	if (dev)
		list_add_tail(&napi->dev_list, &dev->napi_list);
	else
		INIT_LIST_HEAD(&napi->dev_list);
}

void netif_napi_del(struct napi_struct *napi)
{
	napi_disable(napi);
	list_del(&napi->dev_list);
}

void napi_enable(struct napi_struct *napi)
{
	clear_state(napi, NAPI_STATE_DISABLE);
	clear_state(napi, NAPI_STATE_SCHED);
}

void napi_disable(struct napi_struct *napi)
{
	unsigned long flags;

	/* One CPU: a poll cannot be running while a thread runs this, so taking SCHED and
	 * unlisting a pending instance is enough to keep it off the CPU until enabled. */
	local_irq_save(flags);
	test_and_set_state(napi, NAPI_STATE_DISABLE);
	if (test_state(napi, NAPI_STATE_LISTED)) {
		list_del(&napi->poll_list);
		clear_state(napi, NAPI_STATE_LISTED);
	}
	test_and_set_state(napi, NAPI_STATE_SCHED);
	local_irq_restore(flags);
}

/* Lists napi for polling; interrupts are off. */
static void ____napi_schedule(struct napi_struct *napi)
{
	list_add_tail(&napi->poll_list, &softnet_data.poll_list);
	test_and_set_state(napi, NAPI_STATE_LISTED);
	raise_softirq_irqoff(NET_RX_SOFTIRQ);
}

bool napi_schedule(struct napi_struct *napi)
{
	unsigned long flags;

	if (test_state(napi, NAPI_STATE_DISABLE) || test_and_set_state(napi, NAPI_STATE_SCHED))
		return false;
	local_irq_save(flags);
	____napi_schedule(napi);
	local_irq_restore(flags);
	trace_event(napi_schedule, 0, TRACE_CTX(CTX_SOFTIRQ, NET_RX_SOFTIRQ), napi->id);
	return true;
}

bool napi_complete_done(struct napi_struct *napi, int work_done)
{
	struct net_device *dev = napi->dev;

	trace_event(napi_complete_done, 0, napi->id, work_done);
	if (test_state(napi, NAPI_STATE_DISABLE))
		return false;
	napi->completes++;
	clear_state(napi, NAPI_STATE_SCHED);
	if (dev && dev->netdev_ops && dev->netdev_ops->ndo_irq_enable)
		dev->netdev_ops->ndo_irq_enable(dev, napi);
	return true;
}

/* Polls one NAPI instance; puts it on repoll when it used its whole weight (more work
 * is likely waiting). Returns the packets it processed. */
static int napi_poll(struct napi_struct *n, struct list_head *repoll)
{
	int weight = n->weight, work;
	TRACE_STEP(napi_poll, 0, n->id, weight);

	list_del_init(&n->poll_list);
	clear_state(n, NAPI_STATE_LISTED);
	work = n->poll(n, weight);
	n->polls++;
	n->packets += (u64)work;
	softnet_data.polls++;
	if (WARN_ON(work > weight))
		work = weight;
	if (work < weight)
		return work; /* the driver completed (napi_complete_done) */
	if (unlikely(test_state(n, NAPI_STATE_DISABLE)))
		return work; /* napi_disable() keeps SCHED set: not polled again */
	list_add_tail(&n->poll_list, repoll);
	test_and_set_state(n, NAPI_STATE_LISTED);
	return work;
}

static void list_splice_tail_init_(struct list_head *from, struct list_head *to)
{
	while (!list_empty(from))
		list_move_tail(from->next, to);
}

void net_rx_action(void)
{
	u64 start = ktime_get_ns();
	u64 time_limit = start + NETDEV_BUDGET_USECS * NSEC_PER_USEC;
	int budget = NETDEV_BUDGET;
	struct list_head list, repoll;
	unsigned long flags;
	TRACE_STEP(net_rx_action, 0, NETDEV_BUDGET, NETDEV_BUDGET_USECS);

	softnet_data.rx_runs++;
	INIT_LIST_HEAD(&list);
	INIT_LIST_HEAD(&repoll);
	local_irq_save(flags);
	list_splice_tail_init_(&softnet_data.poll_list, &list);
	local_irq_restore(flags);

	for (;;) {
		struct napi_struct *n;

		if (list_empty(&list))
			break;
		n = list_first_entry(&list, struct napi_struct, poll_list);
		budget -= napi_poll(n, &repoll);
		if (budget <= 0 || ktime_get_ns() >= time_limit) {
			softnet_data.time_squeeze++;
			trace_event(time_squeeze, 0, (u64)(NETDEV_BUDGET - budget),
				    (ktime_get_ns() - start) / NSEC_PER_USEC);
			break;
		}
	}

	/* What is left, then what asked for more, goes behind anything scheduled meanwhile. */
	local_irq_save(flags);
	list_splice_tail_init_(&list, &softnet_data.poll_list);
	list_splice_tail_init_(&repoll, &softnet_data.poll_list);
	if (!list_empty(&softnet_data.poll_list))
		raise_softirq_irqoff(NET_RX_SOFTIRQ);
	local_irq_restore(flags);
}

/* ---- the backlog: netif_rx() ---- */
int netif_rx(struct sk_buff *skb)
{
	struct softnet_data *sd = &softnet_data;
	unsigned long flags;
	u32 qlen;

	local_irq_save(flags);
	qlen = skb_queue_len(&sd->input_pkt_queue);
	if (qlen >= NETDEV_MAX_BACKLOG) {
		sd->dropped++;
		if (skb->dev)
			skb->dev->stats.rx_dropped++;
		local_irq_restore(flags);
		dev_kfree_skb_irq(skb);
		return NET_RX_DROP;
	}
	__skb_queue_tail(&sd->input_pkt_queue, skb);
	trace_event(netif_rx, skb->id, TRACE_CTX(CTX_SOFTIRQ, NET_RX_SOFTIRQ), qlen + 1);
	if (!test_and_set_state(&sd->backlog, NAPI_STATE_SCHED))
		____napi_schedule(&sd->backlog);
	local_irq_restore(flags);
	return NET_RX_SUCCESS;
}

/* The backlog's poll: hands queued packets to the stack, weight at a time. */
static int process_backlog(struct napi_struct *napi, int quota)
{
	struct softnet_data *sd = &softnet_data;
	unsigned long flags;
	int work = 0;

	while (work < quota) {
		struct sk_buff *skb;

		local_irq_save(flags);
		skb = __skb_dequeue(&sd->input_pkt_queue);
		if (!skb) {
			/* empty: complete with interrupts off so netif_rx sees it at once */
			clear_state(napi, NAPI_STATE_SCHED);
			local_irq_restore(flags);
			napi->completes++;
			break;
		}
		local_irq_restore(flags);
		netif_receive_skb(skb);
		work++;
	}
	return work;
}

void net_dev_init(void)
{
	static bool done;
	struct softnet_data *sd = &softnet_data;

	if (done)
		return;
	done = true;
	INIT_LIST_HEAD(&sd->poll_list);
	INIT_LIST_HEAD(&sd->output_queue);
	skb_queue_head_init(&sd->input_pkt_queue);
	sd->completion_queue = NULL;
	netif_napi_add(NULL, &sd->backlog, process_backlog);
	napi_enable(&sd->backlog);
	open_softirq(NET_TX_SOFTIRQ, net_tx_action);
	open_softirq(NET_RX_SOFTIRQ, net_rx_action);
}

int net_cmd_softnet(int argc, char **argv)
{
	struct softnet_data *sd = &softnet_data;

	kprintf("cpu processed  dropped  time_squeeze  rx_runs  polls  tx_runs  backlog\n");
	kprintf("%3d %9llu %8llu %13llu %8llu %6llu %8llu %8u\n", 0,
		(unsigned long long)sd->processed, (unsigned long long)sd->dropped,
		(unsigned long long)sd->time_squeeze, (unsigned long long)sd->rx_runs,
		(unsigned long long)sd->polls, (unsigned long long)sd->tx_runs,
		skb_queue_len(&sd->input_pkt_queue));
	kprintf("budget: %d packets or %d us per NET_RX run, %d per poll\n", NETDEV_BUDGET,
		NETDEV_BUDGET_USECS, NAPI_POLL_WEIGHT);
	return 0;
}
SHELL_CMD("softnet", "softnet - per-CPU NET_RX/NET_TX statistics", net_cmd_softnet);

/* Drops the backlog packets of a device going away (unregister_netdev). */
void softnet_flush_dev(struct net_device *dev)
{
	struct sk_buff_head *q = &softnet_data.input_pkt_queue;
	struct sk_buff_head doomed;
	struct sk_buff *skb, *next;
	unsigned long flags;

	skb_queue_head_init(&doomed);
	local_irq_save(flags);
	for (skb = q->next; skb != (struct sk_buff *)q; skb = next) {
		next = skb->next;
		if (skb->dev == dev) {
			__skb_unlink(skb, q);
			__skb_queue_tail(&doomed, skb);
		}
	}
	local_irq_restore(flags);
	skb_queue_purge(&doomed);
}
