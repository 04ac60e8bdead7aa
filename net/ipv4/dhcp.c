/* DHCP client (RFC 2131; options RFC 2132), one per device.
 *
 *   dhcp_start -> [worker] dhcp_timeout_work: DISCOVER, backing off 4, 8 .. 64 s +-1 s
 *   NET_RX: udp_rcv -> sk_data_ready = dhcp_data_ready -> queue_work(rx_work)
 *   [worker] dhcp_rx_work: OFFER -> REQUEST (REQUESTING); ACK -> dhcp_bind(): address,
 *            default route, DNS; T1 = lease/2 -> RENEWING (unicast REQUEST to the
 *            server), T2 = 7/8 lease -> REBINDING (broadcast), lease end -> INIT
 *            (RFC 2131 4.4.5); NAK -> INIT. Link up again -> INIT-REBOOT (3.2).
 * All protocol work runs in the worker, so the trace shows softirq -> workqueue.
 *
 * The parser refuses what AMNESIA:33/Ripple20 found in other stacks' DHCP code
 * (CVE-2020-11900-style option length overruns): every option length is checked against
 * the message, fixed-size options must have their size, and lists are bounded. Option
 * overload (52) is not supported; such messages are read without the overloaded parts. */
#include <net/dhcp.h>
#include <net/dns.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/udp.h>
#include <seqos/errno.h>
#include <seqos/shell.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/random.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>
#include <seqos/workqueue.h>

#define DHCP_MAGIC 0x63825363u

enum { OPT_PAD = 0, OPT_SUBNET = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_HOSTNAME = 12,
       OPT_REQ_IP = 50, OPT_LEASE = 51, OPT_MSGTYPE = 53, OPT_SERVER_ID = 54, OPT_PARAMS = 55,
       OPT_T1 = 58, OPT_T2 = 59, OPT_CLIENT_ID = 61, OPT_END = 255 };

int dhcp_parse(const u8 *b, size_t len, struct dhcp_msg *m)
{
	size_t i = DHCP_MIN_LEN;

	memset(m, 0, sizeof(*m));
	if (len < DHCP_MIN_LEN || (b[0] != 1 && b[0] != 2) || b[1] != 1 || b[2] != 6 ||
	    rd_be32(b + 236) != DHCP_MAGIC)
		return -1;
	m->op = b[0];
	m->xid = rd_be32(b + 4);
	m->secs = rd_be16(b + 8);
	m->flags = rd_be16(b + 10);
	m->ciaddr = to_be32(rd_be32(b + 12));
	m->yiaddr = to_be32(rd_be32(b + 16));
	m->siaddr = to_be32(rd_be32(b + 20));
	m->giaddr = to_be32(rd_be32(b + 24));
	memcpy(m->chaddr, b + 28, 6);
	while (i < len) {
		u8 code = b[i], olen;
		const u8 *v;

		if (code == OPT_END)
			break;
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (i + 1 >= len || (size_t)b[i + 1] > len - i - 2)
			return -1; /* length byte missing or running past the message */
		olen = b[i + 1];
		v = b + i + 2;
		switch (code) {
		case OPT_MSGTYPE:
			if (olen != 1)
				return -1;
			m->type = v[0];
			break;
		case OPT_SUBNET:
		case OPT_SERVER_ID:
		case OPT_REQ_IP:
			if (olen != 4)
				return -1;
			*(code == OPT_SUBNET ? &m->subnet_mask : code == OPT_SERVER_ID ?
			  &m->server_id : &m->requested_ip) = to_be32(rd_be32(v));
			break;
		case OPT_ROUTER:
			if (olen < 4 || olen % 4)
				return -1;
			m->router = to_be32(rd_be32(v));
			break;
		case OPT_DNS:
			if (olen < 4 || olen % 4)
				return -1;
			for (int k = 0; k < olen / 4 && m->ndns < ARRAY_SIZE(m->dns); k++)
				m->dns[m->ndns++] = to_be32(rd_be32(v + 4 * k));
			break;
		case OPT_LEASE:
		case OPT_T1:
		case OPT_T2:
			if (olen != 4)
				return -1;
			*(code == OPT_LEASE ? &m->lease : code == OPT_T1 ? &m->t1 : &m->t2) = rd_be32(v);
			break;
		}
		i += 2u + olen;
	}
	return 0;
}

static size_t put_opt(u8 *b, size_t pos, size_t cap, u8 code, const void *v, u8 len)
{
	if (pos + 2 + len + 1 > cap)
		return 0;
	b[pos] = code;
	b[pos + 1] = len;
	memcpy(b + pos + 2, v, len);
	return pos + 2 + len;
}

size_t dhcp_build(const struct dhcp_msg *m, u8 *b, size_t cap)
{
	static const u8 params[] = { OPT_SUBNET, OPT_ROUTER, OPT_DNS, OPT_LEASE, OPT_T1, OPT_T2 };
	u8 v4[4];
	size_t pos;

	if (cap < 300)
		return 0;
	memset(b, 0, 300);
	b[0] = m->op;
	b[1] = 1;
	b[2] = 6;
	wr_be32(b + 4, m->xid);
	wr_be16(b + 8, m->secs);
	wr_be16(b + 10, m->flags);
	wr_be32(b + 12, get_be32(m->ciaddr));
	wr_be32(b + 16, get_be32(m->yiaddr));
	wr_be32(b + 20, get_be32(m->siaddr));
	wr_be32(b + 24, get_be32(m->giaddr));
	memcpy(b + 28, m->chaddr, 6);
	wr_be32(b + 236, DHCP_MAGIC);
	pos = put_opt(b, DHCP_MIN_LEN, cap, OPT_MSGTYPE, &m->type, 1);
	if (m->requested_ip.v) {
		wr_be32(v4, get_be32(m->requested_ip));
		pos = put_opt(b, pos, cap, OPT_REQ_IP, v4, 4);
	}
	if (m->server_id.v && pos) {
		wr_be32(v4, get_be32(m->server_id));
		pos = put_opt(b, pos, cap, OPT_SERVER_ID, v4, 4);
	}
	if (m->lease && pos) {
		wr_be32(v4, m->lease);
		pos = put_opt(b, pos, cap, OPT_LEASE, v4, 4);
	}
	if (m->subnet_mask.v && pos) {
		wr_be32(v4, get_be32(m->subnet_mask));
		pos = put_opt(b, pos, cap, OPT_SUBNET, v4, 4);
	}
	if (m->router.v && pos) {
		wr_be32(v4, get_be32(m->router));
		pos = put_opt(b, pos, cap, OPT_ROUTER, v4, 4);
	}
	for (int i = 0; i < m->ndns && pos; i++) {
		wr_be32(v4, get_be32(m->dns[i]));
		pos = put_opt(b, pos, cap, OPT_DNS, v4, 4);
	}
	if (m->op == 1 && pos)
		pos = put_opt(b, pos, cap, OPT_PARAMS, params, sizeof(params));
	if (!pos)
		return 0;
	b[pos++] = OPT_END;
	return pos < 300 ? 300 : pos; /* BOOTP minimum size (RFC 1542 2.1) */
}

/* ---- the client ---- */
struct dhcp_client {
	struct list_head list;
	struct net_device *dev;
	struct sock *sk;
	enum dhcp_state state;
	u32 xid;
	be32 addr, server, mask, router;
	be32 dns[3];
	u8 ndns;
	u32 lease, t1, t2;         /* seconds */
	u64 bound_at;              /* jiffies */
	u64 retrans_ms;
	u64 started_ns;
	struct work_struct rx_work;
	struct delayed_work timeout_work;
};

static LIST_HEAD(dhcp_clients); /* changed in thread/work context */

static const char *const state_names[] = { "off", "init", "selecting", "requesting", "bound",
					   "renewing", "rebinding", "rebooting" };

static struct dhcp_client *client_of(const struct net_device *dev)
{
	struct dhcp_client *c;

	list_for_each_entry(c, &dhcp_clients, list)
		if (c->dev == dev)
			return c;
	return NULL;
}

static void set_state(struct dhcp_client *c, enum dhcp_state s)
{
	trace_event(dhcp_state, 0, c->state, s);
	c->state = s;
}

static int dhcp_send(struct dhcp_client *c, u8 type, be32 dst)
{
	struct dhcp_msg m = { .op = 1, .type = type, .xid = c->xid };
	u8 buf[400];
	size_t len;

	m.secs = (u16)MIN((ktime_get_ns() - c->started_ns) / NSEC_PER_SEC, 0xffff);
	memcpy(m.chaddr, c->dev->dev_addr, 6);
	switch (c->state) {
	case DHCP_SELECTING:
		m.flags = DHCP_FLAG_BROADCAST; /* we cannot receive unicast yet (4.1) */
		break;
	case DHCP_REQUESTING:  /* 4.3.2: server id and requested ip, ciaddr 0 */
		m.flags = DHCP_FLAG_BROADCAST;
		m.requested_ip = c->addr;
		m.server_id = c->server;
		break;
	case DHCP_REBOOTING:   /* requested ip, no server id */
		m.flags = DHCP_FLAG_BROADCAST;
		m.requested_ip = c->addr;
		break;
	default:               /* RENEWING, REBINDING: ciaddr only */
		m.ciaddr = c->addr;
		break;
	}
	len = dhcp_build(&m, buf, sizeof(buf));
	trace_event(dhcp_send, 0, type, c->xid);
	return udp_sendmsg(c->sk, buf, len, dst, DHCP_SERVER_PORT);
}

static void dhcp_unconfigure(struct dhcp_client *c)
{
	struct net *net = dev_net(c->dev);

	if (!c->addr.v || c->state < DHCP_BOUND)
		return;
	fib_flush_proto(net, c->dev->ifindex, RTPROT_DHCP);
	inet_addr_del(c->dev, c->addr);
}

static void dhcp_restart(struct dhcp_client *c)
{
	dhcp_unconfigure(c);
	c->addr = to_be32(0);
	set_state(c, DHCP_INIT);
	mod_delayed_work(system_wq, &c->timeout_work, 0);
}

/* ACK: the lease is ours; configure the device (RFC 2131 4.4.1; T1/T2 4.4.5). */
static void dhcp_bind(struct dhcp_client *c, const struct dhcp_msg *m)
{
	struct net *net = dev_net(c->dev);
	bool renew = c->state == DHCP_RENEWING || c->state == DHCP_REBINDING;
	int prefix = 0;
	char a[16], g[16];

	if (renew && !be32_eq(c->addr, m->yiaddr)) {
		dhcp_restart(c);
		return;
	}
	c->lease = m->lease ? m->lease : DHCP_DEFAULT_LEASE_S;
	c->t1 = m->t1 && m->t1 < c->lease ? m->t1 : c->lease / 2;
	c->t2 = m->t2 && m->t2 < c->lease && m->t2 > c->t1 ? m->t2 : c->lease / 8 * 7;
	c->bound_at = jiffies;
	if (m->server_id.v)
		c->server = m->server_id;
	if (!renew) {
		u32 mask = m->subnet_mask.v ? get_be32(m->subnet_mask) : 0xffffff00u;
		while (prefix < 32 && (mask & (0x80000000u >> prefix)))
			prefix++;
		c->addr = m->yiaddr;
		c->mask = inet_make_mask(prefix);
		c->router = m->router;
		inet_addr_add(c->dev, c->addr, prefix);
		if (c->router.v)
			fib_route_add(net, to_be32(0), 0, c->router, c->dev->ifindex, 0, RTPROT_DHCP);
		c->ndns = (u8)MIN(m->ndns, ARRAY_SIZE(c->dns));
		memcpy(c->dns, m->dns, c->ndns * sizeof(c->dns[0]));
		if (m->ndns)
			dns_set_servers(net, m->dns, m->ndns);
		pr_info("dhcp: %s: bound to %s/%d, router %s, lease %us\n", c->dev->name,
			in_ntoa(c->addr, a), prefix, in_ntoa(c->router, g), c->lease);
	}
	set_state(c, DHCP_BOUND);
	mod_delayed_work(system_wq, &c->timeout_work, (u64)c->t1 * HZ);
}

static void dhcp_handle(struct dhcp_client *c, const struct dhcp_msg *m)
{
	trace_event(dhcp_rcv, 0, m->type, m->xid);
	if (m->op != 2 || m->xid != c->xid || memcmp(m->chaddr, c->dev->dev_addr, 6))
		return; /* not an answer to us */
	switch (c->state) {
	case DHCP_SELECTING:
		if (m->type != DHCPOFFER || !m->server_id.v || ipv4_is_zeronet(m->yiaddr) ||
		    ipv4_is_multicast(m->yiaddr) || ipv4_is_lbcast(m->yiaddr))
			return;
		c->addr = m->yiaddr;   /* take the first offer (4.4.1 allows it) */
		c->server = m->server_id;
		set_state(c, DHCP_REQUESTING);
		c->retrans_ms = DHCP_RETRANS_MS;
		dhcp_send(c, DHCPREQUEST, to_be32(INADDR_BROADCAST));
		mod_delayed_work(system_wq, &c->timeout_work, msecs_to_jiffies(c->retrans_ms));
		break;
	case DHCP_REQUESTING:
	case DHCP_REBOOTING:
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		if (m->type == DHCPACK && !ipv4_is_zeronet(m->yiaddr))
			dhcp_bind(c, m);
		else if (m->type == DHCPNAK)
			dhcp_restart(c);
		break;
	default:
		break;
	}
}

static void dhcp_rx_work(struct work_struct *w)
{
	struct dhcp_client *c = container_of(w, struct dhcp_client, rx_work);
	u8 buf[1500];
	int n;

	while ((n = udp_recvmsg(c->sk, buf, sizeof(buf), NULL, MSG_DONTWAIT, 0)) >= 0) {
		struct dhcp_msg m;
		if (!dhcp_parse(buf, (size_t)n, &m))
			dhcp_handle(c, &m);
	}
}

static void dhcp_data_ready(struct sock *sk)
{
	struct dhcp_client *c = sk->user_data;

	sock_def_readable(sk);
	queue_work(system_wq, &c->rx_work);
}

/* Timers of every state, run in the worker. */
static void dhcp_timeout_work(struct work_struct *w)
{
	struct dhcp_client *c = container_of(to_delayed_work(w), struct dhcp_client, timeout_work);
	u64 elapsed = (jiffies - c->bound_at) / HZ;
	u64 jitter;

	if (!netif_carrier_ok(c->dev) || c->state == DHCP_OFF)
		return; /* resumes on link up */
	switch (c->state) {
	case DHCP_INIT:
		c->xid = get_random_u32();
		c->started_ns = ktime_get_ns();
		c->retrans_ms = DHCP_RETRANS_MS;
		set_state(c, DHCP_SELECTING);
		__attribute__((fallthrough));
	case DHCP_SELECTING:
	case DHCP_REQUESTING:
	case DHCP_REBOOTING:
		if (c->state == DHCP_REQUESTING && c->retrans_ms > DHCP_RETRANS_MAX_MS) {
			dhcp_restart(c); /* no ACK: start over */
			return;
		}
		dhcp_send(c, c->state == DHCP_SELECTING ? DHCPDISCOVER : DHCPREQUEST,
			  to_be32(INADDR_BROADCAST));
		jitter = get_random_u32() % 2001; /* +-1 s (4.1) */
		mod_delayed_work(system_wq, &c->timeout_work,
				 msecs_to_jiffies(c->retrans_ms + jitter - 1000));
		if (c->retrans_ms <= DHCP_RETRANS_MAX_MS)
			c->retrans_ms *= 2;
		if (c->state == DHCP_REBOOTING && c->retrans_ms > 16000)
			dhcp_restart(c);
		break;
	case DHCP_BOUND:
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		if (elapsed >= c->lease) {
			pr_info("dhcp: %s: lease expired\n", c->dev->name);
			dhcp_restart(c);
			break;
		}
		if (elapsed >= c->t2) {
			set_state(c, DHCP_REBINDING);
			dhcp_send(c, DHCPREQUEST, to_be32(INADDR_BROADCAST));
		} else {
			set_state(c, DHCP_RENEWING);
			dhcp_send(c, DHCPREQUEST, c->server);
		}
		/* 4.4.5: retry at half the time left to T2 (or to the lease end), >= 60 s */
		{
			u64 until = (elapsed >= c->t2 ? c->lease : c->t2) - elapsed;
			u64 wait = until / 2 < 60 ? MIN(60, until) : until / 2;
			mod_delayed_work(system_wq, &c->timeout_work, (wait ? wait : 1) * HZ);
		}
		break;
	default:
		break;
	}
}

int dhcp_start(struct net_device *dev)
{
	struct dhcp_client *c = client_of(dev);
	int err;

	if (c)
		return -EALREADY;
	c = kzalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->dev = dev;
	INIT_WORK(&c->rx_work, dhcp_rx_work);
	INIT_DELAYED_WORK(&c->timeout_work, dhcp_timeout_work);
	err = udp_sock_create(dev_net(dev), &c->sk);
	if (err) {
		kfree(c);
		return err;
	}
	c->sk->bound_dev_if = dev->ifindex;
	c->sk->broadcast = true;
	c->sk->reuseaddr = true;
	c->sk->user_data = c;
	c->sk->sk_data_ready = dhcp_data_ready;
	err = udp_bind(c->sk, to_be32(0), DHCP_CLIENT_PORT);
	if (err) {
		udp_sock_release(c->sk);
		kfree(c);
		return err;
	}
	list_add_tail(&c->list, &dhcp_clients);
	c->state = DHCP_INIT;
	/* RFC 2131 4.4.1: a random wait before the first DISCOVER (net_config.h) */
	queue_delayed_work(system_wq, &c->timeout_work,
			   msecs_to_jiffies(get_random_u32() % DHCP_START_DELAY_MS));
	return 0;
}

void dhcp_stop(struct net_device *dev)
{
	struct dhcp_client *c = client_of(dev);

	if (!c)
		return;
	list_del(&c->list);
	cancel_delayed_work_sync(&c->timeout_work);
	cancel_work_sync(&c->rx_work);
	dhcp_unconfigure(c);
	udp_sock_release(c->sk);
	kfree(c);
}

enum dhcp_state dhcp_get_state(const struct net_device *dev)
{
	struct dhcp_client *c = client_of(dev);
	return c ? c->state : DHCP_OFF;
}

static void dhcp_netdev_event(struct notifier_block *nb, unsigned long event,
			      struct net_device *dev)
{
	struct dhcp_client *c = client_of(dev);

	if (!c)
		return;
	if (event == NETDEV_UNREGISTER || event == NETDEV_DOWN) {
		dhcp_stop(dev);
	} else if (event == NETDEV_CHANGE && dev->carrier) {
		/* link back: verify the lease (INIT-REBOOT, 3.2) or start over */
		if (c->state >= DHCP_BOUND) {
			dhcp_unconfigure(c);
			set_state(c, DHCP_REBOOTING);
			c->xid = get_random_u32();
			c->retrans_ms = DHCP_RETRANS_MS;
		} else {
			set_state(c, DHCP_INIT);
		}
		mod_delayed_work(system_wq, &c->timeout_work, 0);
	}
}

static struct notifier_block dhcp_notifier = { .notifier_call = dhcp_netdev_event };

void dhcp_init(void) { register_netdevice_notifier(&dhcp_notifier); }

/* dhcp [DEV] - client state */
int net_cmd_dhcp(int argc, char **argv)
{
	struct dhcp_client *c;
	char a[16], s[16];

	list_for_each_entry(c, &dhcp_clients, list) {
		kprintf("%s: %s addr %s server %s lease %us t1 %us t2 %us\n", c->dev->name,
			state_names[c->state], in_ntoa(c->addr, a), in_ntoa(c->server, s),
			c->lease, c->t1, c->t2);
		kprintf("%s: router %s dns", c->dev->name, in_ntoa(c->router, a));
		for (int i = 0; i < c->ndns; i++)
			kprintf(" %s", in_ntoa(c->dns[i], a));
		kprintf("%s\n", c->ndns ? "" : " none");
	}
	return 0;
}
SHELL_CMD("dhcp", "dhcp - DHCP client state", net_cmd_dhcp);
