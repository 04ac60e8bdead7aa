/* Tunables of TCP, in one place (STYLE.md 8; the TCP section of net_config.h). Each is
 * #ifndef-guarded so a test or a build can override it with -D; the comment says what the
 * number buys and where it comes from. Times are in milliseconds unless named _S. */
#ifndef NET_TCP_CONFIG_H
#define NET_TCP_CONFIG_H

#include <net/net_config.h>
#include <seqos/types.h>

/* ---- segment size ---- */
/* MSS assumed when the peer sends no MSS option (RFC 9293 3.7.1, RFC 1122 4.2.2.6). */
#ifndef TCP_DEFAULT_MSS
#define TCP_DEFAULT_MSS 536
#endif
/* Smallest send MSS we accept from a peer, options excluded (Linux tcp_min_snd_mss = 48):
 * a peer announcing MSS 1 cannot make us send one byte per segment (CVE-2019-11479). */
#ifndef TCP_MIN_SND_MSS
#define TCP_MIN_SND_MSS 48
#endif

/* ---- buffers and memory ---- */
/* Receive buffer per socket, bytes of sk_buff truesize (Linux tcp_rmem[1] = 128 KiB).
 * Half of it is offered as window (tcp_adv_win_scale = 1): a 2 KiB buffer carries 1460
 * bytes, so the other half pays for the overhead. */
#ifndef TCP_RMEM_DEFAULT
#define TCP_RMEM_DEFAULT (256 * 1024)
#endif
/* Send buffer per socket, bytes of truesize on the write queue (Linux tcp_wmem[1] = 16
 * KiB grows to 4 MiB with autotuning; we have no autotuning, so start large enough for
 * ~100 full segments in flight). */
#ifndef TCP_WMEM_DEFAULT
#define TCP_WMEM_DEFAULT (256 * 1024)
#endif
/* Upper bound for SO_RCVBUF / SO_SNDBUF, bytes. */
#ifndef TCP_BUF_MAX
#define TCP_BUF_MAX (4 * 1024 * 1024)
#endif
/* All TCP sockets together may hold this many bytes of queued truesize (Linux tcp_mem):
 * above it, new data is refused (senders wait, receivers drop and count) so no set of
 * connections can exhaust the buffer pools. Half of the standard 2 KiB buffers (4 MiB
 * with net_config.h's defaults): the other half stays for frames being received and
 * for the other protocols. */
#ifndef TCP_MEM_LIMIT
#define TCP_MEM_LIMIT ((u64)NET_SKB_STD_MAX * NET_SKB_STD_SIZE / 2)
#endif
/* Segments held on the out-of-order queue, whatever their size (with the receive
 * buffer, this bounds the work a hostile peer can make us do per segment). */
#ifndef TCP_OFO_MAX
#define TCP_OFO_MAX 512
#endif
/* TCP sockets per namespace (listeners, connections, TIME_WAIT alike). */
#ifndef TCP_MAX_SOCKS
#define TCP_MAX_SOCKS 4096
#endif
/* Closed-by-the-user sockets still finishing their close (Linux tcp_max_orphans is
 * memory-scaled); above it a close resets instead. */
#ifndef TCP_MAX_ORPHANS
#define TCP_MAX_ORPHANS 1024
#endif
/* Connections in TIME_WAIT per namespace (Linux tcp_max_tw_buckets); above it the
 * socket is closed at once and TCPTimeWaitOverflow counts it. */
#ifndef TCP_MAX_TW_BUCKETS
#define TCP_MAX_TW_BUCKETS 1024
#endif

/* ---- listen ---- */
/* Largest backlog listen() accepts (Linux somaxconn = 4096; smaller here). The SYN queue
 * and the accept queue are each bounded by the socket's backlog. */
#ifndef TCP_SOMAXCONN
#define TCP_SOMAXCONN 256
#endif
/* SYN cookies (RFC 4987 3.6) when the SYN queue is full: 1 = on (Linux default). */
#ifndef TCP_SYNCOOKIES
#define TCP_SYNCOOKIES 1
#endif
/* SYN-ACK retransmissions before a half-open connection is dropped (Linux 5). */
#ifndef TCP_SYNACK_RETRIES
#define TCP_SYNACK_RETRIES 5
#endif

/* ---- retransmission (RFC 6298) ---- */
/* Initial RTO (RFC 6298 2.1: 1 s). */
#ifndef TCP_TIMEOUT_INIT_MS
#define TCP_TIMEOUT_INIT_MS 1000
#endif
/* Lower bound of the RTO. RFC 6298 2.4 says 1 s SHOULD; Linux and most stacks use
 * 200 ms, which RFC 6298 allows and which is what a LAN needs. */
#ifndef TCP_RTO_MIN_MS
#define TCP_RTO_MIN_MS 200
#endif
/* Upper bound of the RTO with backoff (RFC 6298 2.5 allows a maximum of >= 60 s;
 * Linux 120 s). */
#ifndef TCP_RTO_MAX_MS
#define TCP_RTO_MAX_MS 120000
#endif
/* SYN retransmissions before connect() fails (Linux tcp_syn_retries = 6: ~127 s). */
#ifndef TCP_SYN_RETRIES
#define TCP_SYN_RETRIES 6
#endif
/* Retransmissions of one segment before the connection is given up (RFC 1122 4.2.3.5
 * R2 >= 100 s; Linux tcp_retries2 = 15, ~15 minutes with backoff). */
#ifndef TCP_RETRIES2
#define TCP_RETRIES2 15
#endif
/* Duplicate ACKs (or SACKed segments above a hole) that mean loss (RFC 5681 3.2). */
#ifndef TCP_DUPTHRESH
#define TCP_DUPTHRESH 3
#endif
/* Largest duplicate threshold reordering detection may raise it to, segments (Linux
 * tcp_max_reordering = 300; ours is smaller so recovery does not wait for most of a
 * window: on the simulated lossy link 16 beat both 3 and 64). */
#ifndef TCP_MAX_REORDERING
#define TCP_MAX_REORDERING 16
#endif
/* Initial congestion window, segments (RFC 6928: 10). */
#ifndef TCP_INIT_CWND
#define TCP_INIT_CWND 10
#endif
/* Largest congestion window, segments: bounds the write queue walk. */
#ifndef TCP_MAX_CWND
#define TCP_MAX_CWND 4096
#endif

/* ---- ACKs ---- */
/* Delayed ACK timer (RFC 1122 4.2.3.2: < 0.5 s; RFC 9293 3.8.6.3; Linux's minimum ATO is
 * 40 ms, which we use as the only value). */
#ifndef TCP_DELACK_MS
#define TCP_DELACK_MS 40
#endif
/* Challenge ACKs (RFC 5961 7) per second and namespace (Linux 1000, randomised). */
#ifndef TCP_CHALLENGE_ACK_LIMIT
#define TCP_CHALLENGE_ACK_LIMIT 1000
#endif

/* ---- close and keepalive ---- */
/* TIME_WAIT length, 2*MSL (RFC 9293 3.4.2 with MSL = 30 s as Linux uses: 60 s). */
#ifndef TCP_TIMEWAIT_LEN_MS
#define TCP_TIMEWAIT_LEN_MS 60000
#endif
/* How long an orphaned socket waits in FIN_WAIT2 for the peer's FIN (Linux
 * tcp_fin_timeout = 60 s). */
#ifndef TCP_FIN_TIMEOUT_MS
#define TCP_FIN_TIMEOUT_MS 60000
#endif
/* Keepalive (RFC 1122 4.2.3.6: idle >= 2 hours by default; Linux idle 7200 s, interval
 * 75 s, 9 probes). */
#ifndef TCP_KEEPALIVE_TIME_S
#define TCP_KEEPALIVE_TIME_S 7200
#endif
#ifndef TCP_KEEPALIVE_INTVL_S
#define TCP_KEEPALIVE_INTVL_S 75
#endif
#ifndef TCP_KEEPALIVE_PROBES
#define TCP_KEEPALIVE_PROBES 9
#endif

/* ---- ports ---- */
/* Attempts to find a free ephemeral port before connect() fails with EADDRNOTAVAIL
 * (the range itself is INET_PORT_LOW..INET_PORT_HIGH of net_config.h). */
#ifndef TCP_PORT_TRIES
#define TCP_PORT_TRIES 28232
#endif

#endif
