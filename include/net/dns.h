/* DNS stub resolver (RFC 1035; net/dns.c): A queries over UDP to the configured servers,
 * random query ids and source ports (RFC 5452 9.2), answers matched to their question,
 * a small TTL cache; shell `host NAME`. */
#ifndef NET_DNS_H
#define NET_DNS_H

#include <seqos/types.h>

struct net;

#define DNS_PORT 53
#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_CLASS_IN 1
#define DNS_MAX_NAME 253   /* text form, without the final dot */
#define DNS_MAX_MSG 512    /* UDP without EDNS0 (RFC 1035 4.2.1) */

/* Encodes a query for name (text, at most 253 chars, labels 1..63) with id and qtype.
 * Returns the message length, or -1 for a bad name or a small buffer. */
int dns_build_query(u8 *buf, size_t cap, u16 id, const char *name, u16 qtype);

/* Reads the (possibly compressed) name at off into out (dotted text, NUL-terminated).
 * Follows at most DNS_MAX_JUMPS pointers, each strictly backwards, so no loop; every
 * label and the whole name are bounded. Returns the offset just after the name in the
 * message (not after a pointer's target), or -1. */
int dns_read_name(const u8 *msg, size_t len, size_t off, char *out, size_t cap);

struct dns_answer {
	be32 addrs[8];
	int naddrs;
	u32 ttl;     /* smallest TTL among the A records used */
	int rcode;   /* RFC 1035 4.1.1: 0 ok, 3 NXDOMAIN, ... */
};
/* Checks that msg answers query id for name (QR set, id, one question equal to ours,
 * not truncated), then collects the A records for name or its CNAME chain. Counts are
 * checked against the data. Returns 0 (naddrs may be 0 with rcode set), or -1 when the
 * message is malformed or is not the answer to this query. */
int dns_parse_response(const u8 *msg, size_t len, u16 id, const char *name,
		       struct dns_answer *ans);

/* Blocking resolution for applications and the shell (thread context): a dotted quad,
 * the cache, then each server in turn, DNS_TRIES rounds. 0, -ENOENT (no such name or
 * no address), -ETIMEDOUT, -ENETUNREACH (no server configured). */
int dns_resolve(const char *name, be32 *addr, u64 timeout_ns);
int dns_resolve_net(struct net *net, const char *name, be32 *addr, u64 timeout_ns);
/* Sets the servers (DHCP option 6, or dns= on the command line). */
void dns_set_servers(struct net *net, const be32 *servers, int n);
void dns_cache_flush(struct net *net);

int dns_net_init(struct net *net);
void dns_net_exit(struct net *net);

#endif
