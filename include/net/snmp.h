/* Protocol counters, named as in Linux's /proc/net/snmp (RFC 4293 IP-MIB, RFC 4113
 * UDP-MIB, RFC 792 message types) and shown by `netstat -s` (net/ipv4/proc.c).
 * One set per namespace; incremented in softirq and thread context alike, so a plain
 * u64 add under the single CPU's own ordering is enough (no torn reads on x86-64). */
#ifndef NET_SNMP_H
#define NET_SNMP_H

#include <seqos/types.h>

#define IPSTATS_MIB(X)                                                                      \
	X(IPSTATS_MIB_INRECEIVES, "InReceives")                                             \
	X(IPSTATS_MIB_INHDRERRORS, "InHdrErrors")                                           \
	X(IPSTATS_MIB_INTOOBIGERRORS, "InTooBigErrors")                                     \
	X(IPSTATS_MIB_INNOROUTES, "InNoRoutes")                                             \
	X(IPSTATS_MIB_INADDRERRORS, "InAddrErrors")                                         \
	X(IPSTATS_MIB_INUNKNOWNPROTOS, "InUnknownProtos")                                   \
	X(IPSTATS_MIB_INTRUNCATEDPKTS, "InTruncatedPkts")                                   \
	X(IPSTATS_MIB_INDISCARDS, "InDiscards")                                             \
	X(IPSTATS_MIB_INDELIVERS, "InDelivers")                                             \
	X(IPSTATS_MIB_INCSUMERRORS, "InCsumErrors")                                         \
	X(IPSTATS_MIB_OUTFORWDATAGRAMS, "ForwDatagrams")                                    \
	X(IPSTATS_MIB_OUTREQUESTS, "OutRequests")                                           \
	X(IPSTATS_MIB_OUTDISCARDS, "OutDiscards")                                           \
	X(IPSTATS_MIB_OUTNOROUTES, "OutNoRoutes")                                           \
	X(IPSTATS_MIB_REASMTIMEOUT, "ReasmTimeout")                                         \
	X(IPSTATS_MIB_REASMREQDS, "ReasmReqds")                                             \
	X(IPSTATS_MIB_REASMOKS, "ReasmOKs")                                                 \
	X(IPSTATS_MIB_REASMFAILS, "ReasmFails")                                             \
	X(IPSTATS_MIB_REASM_OVERLAPS, "ReasmOverlaps")                                      \
	X(IPSTATS_MIB_FRAGOKS, "FragOKs")                                                   \
	X(IPSTATS_MIB_FRAGFAILS, "FragFails")                                               \
	X(IPSTATS_MIB_FRAGCREATES, "FragCreates")                                           \
	X(IPSTATS_MIB_INOCTETS, "InOctets")                                                 \
	X(IPSTATS_MIB_OUTOCTETS, "OutOctets")                                               \
	X(IPSTATS_MIB_INBCASTPKTS, "InBcastPkts")

#define ICMP_MIB(X)                                                                         \
	X(ICMP_MIB_INMSGS, "InMsgs")                                                        \
	X(ICMP_MIB_INERRORS, "InErrors")                                                    \
	X(ICMP_MIB_INCSUMERRORS, "InCsumErrors")                                            \
	X(ICMP_MIB_OUTMSGS, "OutMsgs")                                                      \
	X(ICMP_MIB_OUTERRORS, "OutErrors")                                                  \
	X(ICMP_MIB_RATELIMITGLOBAL, "OutRateLimitGlobal")

#define UDP_MIB(X)                                                                          \
	X(UDP_MIB_INDATAGRAMS, "InDatagrams")                                               \
	X(UDP_MIB_NOPORTS, "NoPorts")                                                       \
	X(UDP_MIB_INERRORS, "InErrors")                                                     \
	X(UDP_MIB_OUTDATAGRAMS, "OutDatagrams")                                             \
	X(UDP_MIB_RCVBUFERRORS, "RcvbufErrors")                                             \
	X(UDP_MIB_SNDBUFERRORS, "SndbufErrors")                                             \
	X(UDP_MIB_INCSUMERRORS, "InCsumErrors")                                             \
	X(UDP_MIB_IGNOREDMULTI, "IgnoredMulti")

/* Counters outside the MIBs: ARP and Ethernet (shown under "ArpExt"). */
#define ARP_MIB(X)                                                                          \
	X(ARP_MIB_INPKTS, "InPkts")                                                         \
	X(ARP_MIB_INERRORS, "InErrors")                                                     \
	X(ARP_MIB_INREQUESTS, "InRequests")                                                 \
	X(ARP_MIB_INREPLIES, "InReplies")                                                   \
	X(ARP_MIB_OUTREQUESTS, "OutRequests")                                               \
	X(ARP_MIB_OUTREPLIES, "OutReplies")                                                 \
	X(ARP_MIB_RESOLVEFAILED, "ResolveFailed")                                           \
	X(ARP_MIB_UNRESDISCARDS, "UnresolvedDiscards")                                      \
	X(ARP_MIB_TABLEFULL, "TableFull")                                                   \
	X(ARP_MIB_CONFLICTS, "AddressConflicts")

#define MIB_ENUM_(id, name) id,
enum { IPSTATS_MIB(MIB_ENUM_) IPSTATS_MIB_MAX };
enum { ICMP_MIB(MIB_ENUM_) ICMP_MIB_MAX };
enum { UDP_MIB(MIB_ENUM_) UDP_MIB_MAX };
enum { ARP_MIB(MIB_ENUM_) ARP_MIB_MAX };
#undef MIB_ENUM_

struct net_mib {
	u64 ip[IPSTATS_MIB_MAX];
	u64 icmp[ICMP_MIB_MAX];
	u64 icmp_in_type[256];   /* IcmpMsg InTypeN */
	u64 icmp_out_type[256];  /* IcmpMsg OutTypeN */
	u64 udp[UDP_MIB_MAX];
	u64 arp[ARP_MIB_MAX];
};

#define IP_INC_STATS(net, f) ((net)->mib.ip[f]++)
#define IP_ADD_STATS(net, f, n) ((net)->mib.ip[f] += (n))
#define ICMP_INC_STATS(net, f) ((net)->mib.icmp[f]++)
#define UDP_INC_STATS(net, f) ((net)->mib.udp[f]++)
#define ARP_INC_STATS(net, f) ((net)->mib.arp[f]++)

#endif
