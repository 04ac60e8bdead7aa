/* DNS stub resolver (RFC 1035; include/net/dns.h).
 *
 *   thread (shell `host`, ping, apps): dns_resolve() -> cache -> per server:
 *   udp_sendmsg (random id, random source port, connected to the server so only it can
 *   answer) -> udp_recvmsg sleeps -> [NET_RX: udp_rcv -> sk_data_ready wakes it]
 *   -> dns_parse_response() matches id and question -> cache.
 *
 * The parser is written against the DNS bugs of AMNESIA:33 (CVE-2020-17440, -24335,
 * -25110) and Ripple20 (CVE-2020-11901): compression pointers may only point backwards
 * and are followed at most DNS_MAX_JUMPS times, labels are <= 63 and names <= 255 bytes,
 * label types 01/10 are refused, every record length and count is checked against the
 * message, RDLENGTH of an A record must be 4, and an answer must repeat our question. */
#include <net/dns.h>
#include <net/inet_common.h>
#include <net/net_namespace.h>
#include <net/udp.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/random.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

struct dns_cache_entry {
	char name[DNS_MAX_NAME + 1];
	be32 addr;
	u64 expires_ns;  /* 0 = empty */
};

int dns_build_query(u8 *buf, size_t cap, u16 id, const char *name, u16 qtype)
{
	size_t n = strlen(name), pos = 12;

	if (n && name[n - 1] == '.')
		n--; /* a fully qualified name */
	if (n == 0 || n > DNS_MAX_NAME || cap < 12 + n + 2 + 4)
		return -1;
	memset(buf, 0, 12);
	wr_be16(buf, id);
	wr_be16(buf + 2, 0x0100); /* RD: recursion desired */
	wr_be16(buf + 4, 1);      /* QDCOUNT */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && name[j] != '.')
			j++;
		if (j == i || j - i > 63)
			return -1;
		buf[pos++] = (u8)(j - i);
		memcpy(buf + pos, name + i, j - i);
		pos += j - i;
		i = j + 1;
		if (j == n - 1) /* "a." handled above; "a..b" caught by j == i */
			return -1;
	}
	buf[pos++] = 0;
	wr_be16(buf + pos, qtype);
	wr_be16(buf + pos + 2, DNS_CLASS_IN);
	return (int)(pos + 4);
}

int dns_read_name(const u8 *msg, size_t len, size_t off, char *out, size_t cap)
{
	size_t pos = off, outlen = 0, wire = 0;
	int end = -1, jumps = 0;

	if (cap == 0)
		return -1;
	for (;;) {
		u8 l;

		if (pos >= len)
			return -1;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;
			if (pos + 1 >= len || ++jumps > DNS_MAX_JUMPS)
				return -1;
			target = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (target >= pos) /* only backwards: no loops, no forward games */
				return -1;
			if (end < 0)
				end = (int)(pos + 2);
			pos = target;
			continue;
		}
		if (l & 0xc0) /* 01 and 10 label types (RFC 6891 / obsolete) */
			return -1;
		if (l == 0)
			break;
		wire += 1u + l;
		if (wire > 255 || pos + 1 + l > len)
			return -1;
		if (outlen + l + 1 >= cap) /* room for the label, a dot and the NUL */
			return -1;
		if (outlen)
			out[outlen++] = '.';
		memcpy(out + outlen, msg + pos + 1, l);
		outlen += l;
		pos += 1u + l;
	}
	out[outlen] = 0;
	return end >= 0 ? end : (int)(pos + 1);
}

int dns_parse_response(const u8 *msg, size_t len, u16 id, const char *name,
		       struct dns_answer *ans)
{
	char qname[DNS_MAX_NAME + 2], rname[DNS_MAX_NAME + 2], target[DNS_MAX_NAME + 2];
	u16 flags, qd, an;
	int off;

	memset(ans, 0, sizeof(*ans));
	ans->ttl = ~0u;
	if (len < 12 || rd_be16(msg) != id)
		return -1;
	flags = rd_be16(msg + 2);
	qd = rd_be16(msg + 4);
	an = rd_be16(msg + 6);
	if (!(flags & 0x8000) || (flags & 0x7800) || (flags & 0x0200) || qd != 1)
		return -1; /* not a response, not a query, truncated, or not one question */
	ans->rcode = flags & 0xf;
	off = dns_read_name(msg, len, 12, qname, sizeof(qname));
	if (off < 0 || (size_t)off + 4 > len || strcasecmp(qname, name) ||
	    rd_be16(msg + off) != DNS_TYPE_A || rd_be16(msg + off + 2) != DNS_CLASS_IN)
		return -1;
	off += 4;
	strlcpy(target, name, sizeof(target));
	/* answers: each must fit in what is left, whatever ANCOUNT claims */
	for (u16 i = 0; i < an; i++) {
		u16 type, class, rdlen;
		u32 ttl;

		off = dns_read_name(msg, len, (size_t)off, rname, sizeof(rname));
		if (off < 0 || (size_t)off + 10 > len)
			return -1;
		type = rd_be16(msg + off);
		class = rd_be16(msg + off + 2);
		ttl = rd_be32(msg + off + 4);
		rdlen = rd_be16(msg + off + 8);
		off += 10;
		if ((size_t)off + rdlen > len)
			return -1;
		if (class == DNS_CLASS_IN && !strcasecmp(rname, target)) {
			if (type == DNS_TYPE_A) {
				if (rdlen != 4)
					return -1;
				if (ans->naddrs < (int)ARRAY_SIZE(ans->addrs))
					ans->addrs[ans->naddrs++] = to_be32(rd_be32(msg + off));
				if (ttl < ans->ttl)
					ans->ttl = ttl;
			} else if (type == DNS_TYPE_CNAME) {
				/* follow the alias: later records are about the target */
				if (dns_read_name(msg, (size_t)off + rdlen, (size_t)off, target,
						  sizeof(target)) < 0)
					return -1;
			}
		}
		off += rdlen;
	}
	if (ans->ttl > 0x7fffffff) /* RFC 2181 8: treat as 0 */
		ans->ttl = 0;
	return 0;
}

/* ---- cache ---- */
static bool cache_get(struct net *net, const char *name, be32 *addr)
{
	struct netns_dns *d = &net->dns;
	bool hit = false;

	spin_lock_bh(&d->lock);
	for (int i = 0; d->cache && i < DNS_CACHE_SIZE; i++) {
		struct dns_cache_entry *e = &d->cache[i];
		if (e->expires_ns && !strcasecmp(e->name, name)) {
			if (ktime_get_ns() >= e->expires_ns) {
				e->expires_ns = 0;
				break;
			}
			*addr = e->addr;
			hit = true;
			d->cache_hits++;
			break;
		}
	}
	spin_unlock_bh(&d->lock);
	return hit;
}

static void cache_put(struct net *net, const char *name, be32 addr, u32 ttl)
{
	struct netns_dns *d = &net->dns;
	struct dns_cache_entry *slot = NULL;

	if (!ttl || !d->cache)
		return;
	if (ttl > DNS_MAX_TTL)
		ttl = DNS_MAX_TTL;
	spin_lock_bh(&d->lock);
	for (int i = 0; i < DNS_CACHE_SIZE; i++) { /* same name, else empty, else soonest */
		struct dns_cache_entry *e = &d->cache[i];
		if (e->expires_ns && !strcasecmp(e->name, name)) {
			slot = e;
			break;
		}
		if (!slot || (slot->expires_ns && (!e->expires_ns || e->expires_ns < slot->expires_ns)))
			slot = e;
	}
	strlcpy(slot->name, name, sizeof(slot->name));
	slot->addr = addr;
	slot->expires_ns = ktime_get_ns() + (u64)ttl * NSEC_PER_SEC;
	spin_unlock_bh(&d->lock);
}

void dns_cache_flush(struct net *net)
{
	spin_lock_bh(&net->dns.lock);
	if (net->dns.cache)
		memset(net->dns.cache, 0, sizeof(struct dns_cache_entry) * DNS_CACHE_SIZE);
	spin_unlock_bh(&net->dns.lock);
}

void dns_set_servers(struct net *net, const be32 *servers, int n)
{
	spin_lock_bh(&net->dns.lock);
	net->dns.nservers = 0;
	for (int i = 0; i < n && i < DNS_MAX_SERVERS; i++)
		if (servers[i].v)
			net->dns.servers[net->dns.nservers++] = servers[i];
	spin_unlock_bh(&net->dns.lock);
}

/* One query to one server: 0 with *addr, -ENOENT, or -ETIMEDOUT/-errno. */
static int dns_query_server(struct net *net, be32 server, const char *name, be32 *addr,
			    u64 deadline)
{
	u8 q[DNS_MAX_MSG], r[DNS_MAX_MSG];
	u16 id = (u16)get_random_u32();
	struct dns_answer ans;
	struct sock *sk;
	int qlen, err;

	qlen = dns_build_query(q, sizeof(q), id, name, DNS_TYPE_A);
	if (qlen < 0)
		return -EINVAL;
	err = udp_sock_create(net, &sk);
	if (err)
		return err;
	err = udp_connect(sk, server, DNS_PORT); /* random port; only the server may answer */
	if (!err)
		err = udp_sendmsg(sk, q, (size_t)qlen, to_be32(0), 0);
	net->dns.queries++;
	trace_event(dns_query, 0, id, 0);
	while (err >= 0) {
		int n = udp_recvmsg(sk, r, sizeof(r), NULL, 0, deadline);
		if (n == -EAGAIN) {
			net->dns.timeouts++;
			err = -ETIMEDOUT;
			break;
		}
		if (n < 0) { /* e.g. ECONNREFUSED from an ICMP port unreachable */
			err = n;
			break;
		}
		if (dns_parse_response(r, (size_t)n, id, name, &ans)) {
			net->dns.bad_replies++; /* not ours or malformed: keep waiting */
			continue;
		}
		trace_event(dns_reply, 0, id, ans.rcode);
		net->dns.answers++;
		if (ans.rcode || !ans.naddrs) {
			err = -ENOENT;
			break;
		}
		*addr = ans.addrs[0];
		cache_put(net, name, ans.addrs[0], ans.ttl);
		err = 0;
		break;
	}
	udp_sock_release(sk);
	return err;
}

int dns_resolve_net(struct net *net, const char *name, be32 *addr, u64 timeout_ns)
{
	u64 deadline = ktime_get_ns() + timeout_ns;
	be32 servers[DNS_MAX_SERVERS];
	int n, err = -ETIMEDOUT;

	if (!in4_pton(name, addr))
		return 0;
	if (strlen(name) > DNS_MAX_NAME + 1)
		return -EINVAL;
	if (cache_get(net, name, addr))
		return 0;
	spin_lock_bh(&net->dns.lock);
	n = net->dns.nservers;
	memcpy(servers, net->dns.servers, sizeof(servers));
	spin_unlock_bh(&net->dns.lock);
	if (!n)
		return -ENETUNREACH;
	for (int round = 0; round < DNS_TRIES; round++) {
		for (int i = 0; i < n; i++) {
			u64 now = ktime_get_ns(), d;
			if (now >= deadline)
				return -ETIMEDOUT;
			d = now + DNS_TIMEOUT_MS * NSEC_PER_MSEC;
			err = dns_query_server(net, servers[i], name, addr, d < deadline ? d : deadline);
			if (err == 0 || err == -ENOENT || err == -EINVAL)
				return err;
		}
	}
	return err == -ECONNREFUSED ? -ETIMEDOUT : err;
}

int dns_resolve(const char *name, be32 *addr, u64 timeout_ns)
{
	return dns_resolve_net(&init_net, name, addr, timeout_ns);
}

int dns_net_init(struct net *net)
{
	spin_lock_init(&net->dns.lock);
	net->dns.lock.name = "dns_lock";
	net->dns.cache = kzalloc(sizeof(struct dns_cache_entry) * DNS_CACHE_SIZE);
	return net->dns.cache ? 0 : -ENOMEM;
}

void dns_net_exit(struct net *net)
{
	kfree(net->dns.cache);
	net->dns.cache = NULL;
}

/* host NAME */
int net_cmd_host(int argc, char **argv)
{
	char a[16];
	be32 addr;
	int err;

	if (argc != 2) {
		kprintf("usage: host NAME\n");
		return 1;
	}
	err = dns_resolve(argv[1], &addr, 10 * NSEC_PER_SEC);
	if (err) {
		kprintf("host: %s: %s\n", argv[1], err == -ENOENT ? "not found" :
			err == -ENETUNREACH ? "no DNS server" : "timed out");
		return 1;
	}
	kprintf("%s has address %s\n", argv[1], in_ntoa(addr, a));
	return 0;
}
SHELL_CMD("host", "host NAME - resolve a name (DNS A record)", net_cmd_host);
