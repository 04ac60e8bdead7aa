/* TCP for the shell (Linux /proc/net/tcp, /proc/net/snmp "Tcp", /proc/net/netstat
 * "TcpExt"): `netstat -t` lists the sockets with their queues and congestion state,
 * `netstat -s` shows the counters (called from net/ipv4/proc.c). Shell thread context. */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/shell.h>
#include <seqos/string.h>

#define MIB_NAME_(id, name) name,
static const char *const tcp_mib_names[] = { TCP_MIB(MIB_NAME_) };
static const char *const tcp_ext_names[] = { TCP_EXT_MIB(MIB_NAME_) };
#undef MIB_NAME_

void tcp_snmp_show(struct net *net)
{
	struct netns_tcp *t = net->tcp;

	if (!t)
		return;
	kprintf("Tcp:\n");
	kprintf("    %-24s %d\n    %-24s %d\n    %-24s %d\n    %-24s %d\n", "RtoAlgorithm", 1,
		"RtoMin", TCP_RTO_MIN_MS, "RtoMax", TCP_RTO_MAX_MS, "MaxConn", -1);
	for (int i = 0; i < TCP_MIB_MAX; i++) {
		kprintf("    %-24s %llu\n", tcp_mib_names[i], (unsigned long long)t->mib[i]);
		if (i == TCP_MIB_ESTABRESETS)
			kprintf("    %-24s %u\n", "CurrEstab", t->curr_estab);
	}
	kprintf("TcpExt:\n");
	for (int i = 0; i < LINUX_MIB_TCP_MAX; i++)
		if (t->ext[i])
			kprintf("    %-24s %llu\n", tcp_ext_names[i], (unsigned long long)t->ext[i]);
}

static void addr_port(char *buf, size_t n, be32 a, be16 p)
{
	char ip[16];

	snprintf(buf, n, "%s:%u", in_ntoa(a, ip), get_be16(p));
}

static void show_one(struct tcp_sock *tp)
{
	struct tcp_info_lite i;
	char l[24], r[24];

	tcp_get_info(&tp->sk, &i);
	addr_port(l, sizeof(l), tp->sk.rcv_saddr, tp->sk.sport);
	addr_port(r, sizeof(r), tp->sk.daddr, tp->sk.dport);
	if (i.state == TCP_LISTEN)
		kprintf("tcp %6u %6u %-21s %-21s %-11s syn=%u acc=%u/%u\n", 0u, 0u, l, "*:*",
			tcp_state_names[i.state], tp->syn_qlen, tp->accept_qlen, tp->max_backlog);
	else
		kprintf("tcp %6u %6u %-21s %-21s %-11s %5u %5u %6u %6u %4u %s\n", i.rcv_queued,
			i.unacked + i.notsent, l, r, tcp_state_names[i.state], i.snd_cwnd,
			i.snd_ssthresh >= TCP_INFINITE_SSTHRESH ? 0 : i.snd_ssthresh,
			i.srtt_us / 1000, i.rto_us / 1000, i.total_retrans,
			tp->ca_ops ? tp->ca_ops->name : "?");
}

void tcp_netstat_show(struct net *net)
{
	struct netns_tcp *t = net->tcp;
	struct tcp_sock *tp;

	if (!t)
		return;
	kprintf("Proto Recv-Q Send-Q %-21s %-21s %-11s %5s %5s %6s %6s %4s %s\n", "Local Address",
		"Foreign Address", "State", "cwnd", "ssth", "srttms", "rto_ms", "retr", "cc");
	spin_lock_bh(&t->lock);
	list_for_each_entry(tp, &t->listeners, hash_node)
		show_one(tp);
	for (int b = 0; b < TCP_EHASH_SIZE; b++)
		list_for_each_entry(tp, &t->ehash[b], hash_node)
			show_one(tp);
	spin_unlock_bh(&t->lock);
}
