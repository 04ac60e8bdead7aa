/* TCP (RFC 9293 with RFC 1122, 5681, 6298, 6582, 6675, 2018, 7323, 5961, 6528, 4987;
 * Linux's include/net/tcp.h): the segment format, the socket, and the functions of the
 * send and receive paths, named as Linux names them.
 *
 * send (thread):  tcp_sendmsg -> tcp_push -> tcp_write_xmit -> tcp_transmit_skb
 *                 -> ip_queue_xmit ...
 * receive (NET_RX softirq, or the owner's thread in release_sock):
 *                 ip_local_deliver -> tcp_v4_rcv -> tcp_v4_do_rcv
 *                 -> tcp_rcv_established (fast path | slow path) | tcp_rcv_state_process
 *                 -> tcp_ack, tcp_data_queue[_ofo] -> sk_data_ready ... tcp_recvmsg
 * timers (TIMER softirq): tcp_write_timer (tcp_retransmit_timer | tcp_probe_timer),
 *                 tcp_delack_timer, tcp_keepalive_timer (also FIN_WAIT2, TIME_WAIT and a
 *                 listener's SYN-ACK retransmissions).
 *
 * Sequence numbers are u32 and compared with before()/after() (RFC 9293 3.4, modulo
 * 2^32). Ports in this API are host order, addresses be32. */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_config.h>
#include <seqos/time.h>
#include <seqos/timer.h>

struct net;

/* ---- the segment (RFC 9293 3.1) ---- */
struct tcphdr {
	be16 source, dest;
	be32 seq, ack_seq;
	u8 doff_res;   /* data offset in 32-bit words << 4 */
	u8 flags;      /* TCPHDR_* */
	be16 window;
	be16 check;
	be16 urg_ptr;
} __attribute__((packed));
_Static_assert(sizeof(struct tcphdr) == 20, "RFC 9293 3.1 header without options");

#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_RST 0x04
#define TCPHDR_PSH 0x08
#define TCPHDR_ACK 0x10
#define TCPHDR_URG 0x20
#define TCPHDR_ECE 0x40
#define TCPHDR_CWR 0x80

/* Option kinds (RFC 9293 3.2, RFC 7323, RFC 2018). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_MSS 4
#define TCPOLEN_WINDOW 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_TSTAMP_ALIGNED 12
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_PERBLOCK 8
#define TCP_MAX_WSCALE 14     /* RFC 7323 2.3 */
#define TCP_MAX_SACKS 4
#define TCP_MAX_OPT_LEN 40

struct tcp_sack_block {
	u32 start_seq, end_seq;
};

/* A parsed (or to be emitted) header with its options (STYLE.md 4). */
#define TCPOPT_F_MSS 0x01
#define TCPOPT_F_WSCALE 0x02
#define TCPOPT_F_SACK_PERM 0x04
#define TCPOPT_F_TS 0x08
#define TCPOPT_F_SACK 0x10
#define TCPOPT_F_BAD 0x80     /* malformed option: the rest was ignored */
struct tcp_repr {
	u16 sport, dport;
	u32 seq, ack_seq;
	u8 flags;                 /* TCPHDR_* */
	u8 doff;                  /* header length in bytes, options included */
	u16 window;               /* the raw 16-bit field */
	u16 urg_ptr;
	u8 opts;                  /* TCPOPT_F_* present */
	u8 wscale;                /* as received (may exceed 14: the caller clamps) */
	u16 mss;                  /* as received (may be 0: the caller ignores it) */
	u32 tsval, tsecr;
	u8 num_sacks;
	struct tcp_sack_block sacks[TCP_MAX_SACKS];
	u32 len;                  /* payload bytes after the header */
};

/* Why tcp_parse() refused a segment. */
enum { TCP_PARSE_TRUNCATED = -1, TCP_PARSE_CSUM = -2 };
/* Parses the segment in buf[0..len) (len = IP payload length): header length >= 20 and
 * within len, options, checksum with the pseudo header unless !verify. Returns the
 * header length, or TCP_PARSE_*. Malformed options never fail the segment: parsing stops
 * there and TCPOPT_F_BAD is set (RFC 9293 3.1 "MUST be prepared to handle an illegal
 * option length"). */
int tcp_parse(const u8 *buf, size_t len, be32 saddr, be32 daddr, bool verify,
	      struct tcp_repr *out);
/* Option parsing alone (for tests and the fuzzer): fills the option fields of out. */
void tcp_parse_options(const u8 *opt, size_t len, bool syn, struct tcp_repr *out);
/* Bytes the options of r take on the wire (a multiple of 4, at most 40). */
u32 tcp_options_size(const struct tcp_repr *r);
/* Writes header and options at buf (checksum field 0); returns the header length, or 0
 * when cap is too small. r->doff is ignored and computed. */
size_t tcp_emit(const struct tcp_repr *r, u8 *buf, size_t cap);
/* Fills the checksum of the segment th[0..len) (header and payload). */
void tcp_v4_send_check(u8 *th, u32 len, be32 saddr, be32 daddr);

/* ---- sequence arithmetic (RFC 9293 3.4) ---- */
static inline bool before(u32 a, u32 b) { return (s32)(a - b) < 0; }
#define after(a, b) before(b, a)
static inline bool between(u32 s, u32 lo, u32 hi) { return hi - lo >= s - lo; } /* lo<=s<=hi */

/* ---- states (Linux numbering: netstat and traces show the same numbers) ---- */
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_MAX_STATES
};
extern const char *const tcp_state_names[TCP_MAX_STATES];

/* Congestion states (Linux tcp_ca_state). */
enum { TCP_CA_Open, TCP_CA_Disorder, TCP_CA_Recovery, TCP_CA_Loss };

/* What TCP keeps in skb->cb, behind the IP layer's part (which tcp_v4_rcv still reads). */
struct tcp_skb_cb {
	u32 seq;        /* first sequence number */
	u32 end_seq;    /* seq + SYN + FIN + payload length */
	u64 when_ns;    /* TX: last sent (RTT sample); RX: arrival */
	u8 tcp_flags;   /* TCPHDR_* */
	u8 sacked;      /* TX: TCPCB_* scoreboard bits */
	u16 rx_hdr_len; /* RX: TCP header bytes still in front of the payload */
	u32 ack_seq;    /* RX */
	u32 tw_isn;     /* RX: ISN to use for a SYN that reopens a TIME_WAIT pair, 0 = none */
};
#define TCP_SKB_CB_OFF 16
#define TCP_SKB_CB(skb) ((struct tcp_skb_cb *)&((skb)->cb[TCP_SKB_CB_OFF]))
_Static_assert(TCP_SKB_CB_OFF >= sizeof(struct inet_skb_parm), "behind IPCB");
_Static_assert(TCP_SKB_CB_OFF + sizeof(struct tcp_skb_cb) <= 48, "fits skb->cb");
#define TCPCB_SACKED_ACKED 0x01   /* SACKed by the receiver */
#define TCPCB_SACKED_RETRANS 0x02 /* retransmitted, retransmission in flight */
#define TCPCB_LOST 0x04           /* considered lost */
#define TCPCB_EVER_RETRANS 0x08   /* retransmitted at least once (Karn) */

/* ---- congestion control (net/ipv4/tcp_cong.c) ---- */
struct tcp_sock;
struct tcp_congestion_ops {
	const char *name;
	void (*init)(struct tcp_sock *tp);                          /* optional */
	u32 (*ssthresh)(struct tcp_sock *tp);                       /* required: on loss */
	void (*cong_avoid)(struct tcp_sock *tp, u32 ack, u32 acked); /* required */
	void (*on_loss)(struct tcp_sock *tp);                       /* optional: RTO */
	void (*pkts_acked)(struct tcp_sock *tp, u32 acked, s64 rtt_us); /* optional */
};
extern const struct tcp_congestion_ops tcp_reno;   /* NewReno: the default */
extern const struct tcp_congestion_ops tcp_cubic;  /* RFC 9438 */
const struct tcp_congestion_ops *tcp_ca_find(const char *name);
void tcp_slow_start(struct tcp_sock *tp, u32 acked);
void tcp_cong_avoid_ai(struct tcp_sock *tp, u32 w, u32 acked);
u32 tcp_reno_ssthresh(struct tcp_sock *tp);
u32 cubic_root(u64 a); /* integer cube root (no floating point in the kernel) */

/* A half-open passive connection on its listener's SYN queue (Linux request_sock):
 * what the SYN said and what we answered, until the handshake's ACK creates the child. */
struct tcp_request_sock {
	struct list_head node;    /* on the listener's syn_queue */
	be32 laddr, raddr;
	u16 lport, rport;
	u32 iss, irs;             /* our ISN, the peer's */
	u32 ts_recent, ts_off;
	u16 mss;                  /* the peer's, clamped */
	u16 advmss;               /* ours, from the route */
	u8 snd_wscale, rcv_wscale;
	bool wscale_ok, tstamp_ok, sack_ok;
	u8 retrans;               /* SYN-ACKs resent */
	u32 rcv_wnd;              /* window offered in the SYN-ACK */
	u64 expires;              /* jiffies: next SYN-ACK retransmission */
	u64 id;                   /* packet id of the SYN, for traces */
};

/* ---- the socket ---- */
struct tcp_sock {
	struct sock sk;                  /* first: a struct sock * is a struct tcp_sock * */
	struct list_head hash_node;      /* ehash bucket or the listener list (table lock) */
	struct list_head bind_node;      /* the namespace's bound sockets (table lock) */
	bool hashed, bound, autobind;    /* (table lock); autobind: ephemeral port */
	bool orphan;                     /* closed by the user (Linux SOCK_DEAD) */
	bool destroyed;                  /* tcp_destroy_sock() ran */
	bool tw_counted;                 /* counted in the TIME_WAIT total */
	bool nospace;                    /* a writer waits for send space (SOCK_NOSPACE) */
	bool is_cwnd_limited;            /* the last tcp_write_xmit stopped on cwnd */

	/* Everything below: the owner (thread between lock_sock and release_sock), or, when
	 * none, the softirq holding bh_lock_sock. */
	/* send sequence space (RFC 9293 3.3.1) */
	u32 snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2, iss;
	u32 write_seq;                   /* end of the data queued by the user */
	u32 max_window;                  /* largest window the peer offered (RFC 5961 5.2) */
	/* receive sequence space */
	u32 rcv_nxt, rcv_wnd, rcv_wup, irs;
	u32 copied_seq;                  /* next byte the user will read */
	u32 window_clamp;                /* largest window we offer */
	/* segment size */
	u16 mss_cache;                   /* send MSS now: payload per segment */
	u16 mss_clamp;                   /* the peer's MSS option (or default), user-capped */
	u16 advmss;                      /* MSS we announce: route MTU - 40 */
	u16 user_mss;                    /* TCP_MAXSEG, 0 = none */
	u16 rcv_mss;                     /* the peer's segment size as seen (delayed ACK) */
	u32 pmtu;                        /* path MTU (route, then ICMP frag-needed) */
	u8 tcp_header_len;               /* 20, or 32 with timestamps */
	/* options agreed in the handshake */
	u8 snd_wscale, rcv_wscale;
	bool wscale_ok, tstamp_ok, sack_ok;
	u32 ts_recent;                   /* RFC 7323 TS.Recent */
	u64 ts_recent_stamp;             /* when it was stored, ktime seconds (PAWS 5.5) */
	u32 ts_off;                      /* random per-connection TSval offset (RFC 7323 7.1) */
	u32 rcv_tsecr;                   /* TSecr of the segment being processed */
	bool saw_tstamp;                 /* ... and whether it had a timestamp */
	/* RTT and RTO (RFC 6298), microseconds */
	u32 srtt_us;                     /* smoothed RTT << 3, 0 = no sample yet */
	u32 mdev_us;                     /* RTTVAR << 2 */
	u32 rto_us;
	u8 backoff;                      /* RTO doublings (icsk_backoff) */
	u8 retransmits;                  /* timeouts of the head segment in a row */
	u8 probes_out;                   /* unanswered zero-window or keepalive probes */
	u64 retrans_stamp;               /* ns of the first unanswered retransmission, 0 = none */
	u64 rcv_tstamp;                  /* ns of the last ACK received */
	u64 lrcvtime;                    /* ns of the last segment received */
	/* congestion control (RFC 5681, 6582, 6675) in segments */
	u32 snd_cwnd, snd_ssthresh, snd_cwnd_cnt;
	u32 packets_out;                 /* sent, not cumulatively acked */
	u32 sacked_out;                  /* of those, SACKed (or dupACKs without SACK) */
	u32 lost_out;                    /* marked lost */
	u32 retrans_out;                 /* retransmissions in flight */
	u32 high_seq;                    /* snd_nxt when recovery began (RFC 6582 "recover") */
	u32 highest_sack;                /* end of the highest SACKed byte */
	u32 reordering;                  /* duplicate threshold now: TCP_DUPTHRESH, raised
					  * when SACKs show the path reorders */
	u8 ca_state;                     /* TCP_CA_* */
	const struct tcp_congestion_ops *ca_ops;
	u64 ca_priv[10];                 /* private to ca_ops */
	/* queues */
	struct sk_buff_head write_queue; /* sent-unacked, then unsent, in sequence order */
	struct sk_buff *send_head;       /* first unsent skb on write_queue, NULL = none */
	struct sk_buff_head out_of_order_queue; /* in sequence order, no overlaps */
	/* SACK blocks we send (RFC 2018 4), most recent first; D-SACK (RFC 2883) */
	u8 num_sacks;
	bool dsack;
	struct tcp_sack_block selective_acks[TCP_MAX_SACKS];
	struct tcp_sack_block duplicate_sack;
	/* ACK scheduling */
	u8 ack_pending;                  /* ICSK_ACK_* */
	/* timers */
	struct timer_list retransmit_timer; /* RTO or zero-window probe: pending says which */
	struct timer_list delack_timer;
	struct timer_list keepalive_timer;  /* keepalive, FIN_WAIT2, TIME_WAIT, SYN-ACKs */
	u8 pending;                      /* ICSK_TIME_RETRANS or ICSK_TIME_PROBE0, 0 = none */
	u8 deferred;                     /* TCP_*_DEFERRED: timers that fired while owned */
	/* user options */
	bool nodelay, cork, keepalive;
	bool linger;                     /* SO_LINGER on ... */
	u32 linger_s;                    /* ... with this many seconds (0: close resets) */
	u32 keepalive_time_s, keepalive_intvl_s;
	u8 keepalive_probes;
	u32 user_timeout_ms;             /* TCP_USER_TIMEOUT (RFC 5482), 0 = off */
	int soft_err;                    /* ICMP soft error, reported if the connection dies */
	u32 mtu_info;                    /* next-hop MTU from ICMP, applied in release_cb */
	/* listener */
	u32 max_backlog;                 /* listen() backlog */
	u32 syn_qlen, accept_qlen;
	struct list_head syn_queue;      /* struct tcp_request_sock */
	struct list_head accept_queue;   /* established children, via accept_node */
	struct list_head accept_node;
	struct tcp_sock *parent;         /* listener, while on its accept queue */
	/* counters for netstat -t and tests */
	u32 total_retrans;
	u64 bytes_acked, bytes_received;
	u32 segs_in, segs_out;
	u32 challenge_acks;
	u64 last_oow_ack_ns;             /* rate limit of ACKs to out-of-window segments */
};

static inline struct tcp_sock *tcp_sk(const struct sock *sk) { return (struct tcp_sock *)sk; }

/* ack_pending bits (Linux icsk_ack.pending) */
#define ICSK_ACK_SCHED 1   /* an ACK is owed */
#define ICSK_ACK_TIMER 2   /* the delayed-ACK timer is armed */
#define ICSK_ACK_PUSHED 4  /* the peer pushed: ACK at once when the user reads */
#define ICSK_ACK_NOW 8     /* ACK without delay (out-of-order, window update) */
/* pending */
#define ICSK_TIME_RETRANS 1
#define ICSK_TIME_PROBE0 3
/* deferred */
#define TCP_WRITE_TIMER_DEFERRED 1
#define TCP_DELACK_TIMER_DEFERRED 2
#define TCP_KEEPALIVE_TIMER_DEFERRED 4
#define TCP_MTU_REDUCED_DEFERRED 8

/* ---- counters (Linux /proc/net/snmp "Tcp", /proc/net/netstat "TcpExt") ---- */
#define TCP_MIB(X)                                                                          \
	X(TCP_MIB_ACTIVEOPENS, "ActiveOpens")                                               \
	X(TCP_MIB_PASSIVEOPENS, "PassiveOpens")                                             \
	X(TCP_MIB_ATTEMPTFAILS, "AttemptFails")                                             \
	X(TCP_MIB_ESTABRESETS, "EstabResets")                                               \
	X(TCP_MIB_INSEGS, "InSegs")                                                         \
	X(TCP_MIB_OUTSEGS, "OutSegs")                                                       \
	X(TCP_MIB_RETRANSSEGS, "RetransSegs")                                               \
	X(TCP_MIB_INERRS, "InErrs")                                                         \
	X(TCP_MIB_OUTRSTS, "OutRsts")                                                       \
	X(TCP_MIB_INCSUMERRORS, "InCsumErrors")

#define TCP_EXT_MIB(X)                                                                      \
	X(LINUX_MIB_SYNCOOKIESSENT, "SyncookiesSent")                                       \
	X(LINUX_MIB_SYNCOOKIESRECV, "SyncookiesRecv")                                       \
	X(LINUX_MIB_SYNCOOKIESFAILED, "SyncookiesFailed")                                   \
	X(LINUX_MIB_EMBRYONICRSTS, "EmbryonicRsts")                                         \
	X(LINUX_MIB_PRUNECALLED, "PruneCalled")                                             \
	X(LINUX_MIB_OFOPRUNED, "OfoPruned")                                                 \
	X(LINUX_MIB_OUTOFWINDOWICMPS, "OutOfWindowIcmps")                                   \
	X(LINUX_MIB_LOCKDROPPEDICMPS, "LockDroppedIcmps")                                   \
	X(LINUX_MIB_TIMEWAITED, "TW")                                                       \
	X(LINUX_MIB_TIMEWAITRECYCLED, "TWRecycled")                                         \
	X(LINUX_MIB_PAWSACTIVEREJECTED, "PAWSActive")                                       \
	X(LINUX_MIB_PAWSESTABREJECTED, "PAWSEstab")                                         \
	X(LINUX_MIB_DELAYEDACKS, "DelayedACKs")                                             \
	X(LINUX_MIB_DELAYEDACKLOCKED, "DelayedACKLocked")                                   \
	X(LINUX_MIB_DELAYEDACKLOST, "DelayedACKLost")                                       \
	X(LINUX_MIB_LISTENOVERFLOWS, "ListenOverflows")                                     \
	X(LINUX_MIB_LISTENDROPS, "ListenDrops")                                              \
	X(LINUX_MIB_TCPHPHITS, "TCPHPHits")                                                 \
	X(LINUX_MIB_TCPPUREACKS, "TCPPureAcks")                                             \
	X(LINUX_MIB_TCPHPACKS, "TCPHPAcks")                                                 \
	X(LINUX_MIB_TCPRENORECOVERY, "TCPRenoRecovery")                                     \
	X(LINUX_MIB_TCPSACKRECOVERY, "TCPSackRecovery")                                     \
	X(LINUX_MIB_TCPSACKRENEGING, "TCPSACKReneging")                                     \
	X(LINUX_MIB_TCPLOSSFAILURES, "TCPLossFailures")                                     \
	X(LINUX_MIB_TCPFASTRETRANS, "TCPFastRetrans")                                       \
	X(LINUX_MIB_TCPSLOWSTARTRETRANS, "TCPSlowStartRetrans")                             \
	X(LINUX_MIB_TCPTIMEOUTS, "TCPTimeouts")                                             \
	X(LINUX_MIB_TCPABORTONDATA, "TCPAbortOnData")                                       \
	X(LINUX_MIB_TCPABORTONCLOSE, "TCPAbortOnClose")                                     \
	X(LINUX_MIB_TCPABORTONMEMORY, "TCPAbortOnMemory")                                   \
	X(LINUX_MIB_TCPABORTONTIMEOUT, "TCPAbortOnTimeout")                                 \
	X(LINUX_MIB_TCPABORTONLINGER, "TCPAbortOnLinger")                                   \
	X(LINUX_MIB_TCPMEMORYPRESSURES, "TCPMemoryPressures")                               \
	X(LINUX_MIB_TCPSACKDISCARD, "TCPSACKDiscard")                                       \
	X(LINUX_MIB_TCPDSACKOLDSENT, "TCPDSACKOldSent")                                     \
	X(LINUX_MIB_TCPDSACKRECV, "TCPDSACKRecv")                                           \
	X(LINUX_MIB_TCPBACKLOGDROP, "TCPBacklogDrop")                                       \
	X(LINUX_MIB_TCPTIMEWAITOVERFLOW, "TCPTimeWaitOverflow")                             \
	X(LINUX_MIB_TCPREQQFULLDOCOOKIES, "TCPReqQFullDoCookies")                           \
	X(LINUX_MIB_TCPREQQFULLDROP, "TCPReqQFullDrop")                                     \
	X(LINUX_MIB_TCPRCVCOALESCE, "TCPRcvCoalesce")                                       \
	X(LINUX_MIB_TCPOFOQUEUE, "TCPOFOQueue")                                             \
	X(LINUX_MIB_TCPOFODROP, "TCPOFODrop")                                               \
	X(LINUX_MIB_TCPOFOMERGE, "TCPOFOMerge")                                             \
	X(LINUX_MIB_TCPCHALLENGEACK, "TCPChallengeACK")                                     \
	X(LINUX_MIB_TCPSYNCHALLENGE, "TCPSYNChallenge")                                     \
	X(LINUX_MIB_TCPFROMZEROWINDOWADV, "TCPFromZeroWindowAdv")                           \
	X(LINUX_MIB_TCPTOZEROWINDOWADV, "TCPToZeroWindowAdv")                               \
	X(LINUX_MIB_TCPWANTZEROWINDOWADV, "TCPWantZeroWindowAdv")                           \
	X(LINUX_MIB_TCPSYNRETRANS, "TCPSynRetrans")                                         \
	X(LINUX_MIB_TCPORIGDATASENT, "TCPOrigDataSent")                                     \
	X(LINUX_MIB_TCPKEEPALIVE, "TCPKeepAlive")                                           \
	X(LINUX_MIB_TCPWINPROBE, "TCPWinProbe")                                             \
	X(LINUX_MIB_TCPZEROWINDOWDROP, "TCPZeroWindowDrop")                                 \
	X(LINUX_MIB_TCPRCVQDROP, "TCPRcvQDrop")                                             \
	X(LINUX_MIB_TCPACKSKIPPEDCHALLENGE, "TCPACKSkippedChallenge")                       \
	X(LINUX_MIB_TCPACKSKIPPEDPAWS, "TCPACKSkippedPAWS")                                 \
	X(LINUX_MIB_TCPACKSKIPPEDSEQ, "TCPACKSkippedSeq")                                   \
	X(LINUX_MIB_TCPSPURIOUSRTXHOSTQUEUES, "TCPSpuriousRtxHostQueues")                   \
	X(LINUX_MIB_TCPSACKREORDER, "TCPSACKReorder")                                       \
	X(LINUX_MIB_TCPOPTIONERRORS, "TCPOptionErrors") /* ours: malformed options */       \
	X(LINUX_MIB_TCPCHALLENGEACKLIMITED, "TCPChallengeACKLimited") /* ours */

#define MIB_ENUM_(id, name) id,
enum { TCP_MIB(MIB_ENUM_) TCP_MIB_MAX };
enum { TCP_EXT_MIB(MIB_ENUM_) LINUX_MIB_TCP_MAX };
#undef MIB_ENUM_

/* Per-namespace TCP state (net->tcp), set up by tcp_net_init(). */
#define TCP_EHASH_SIZE 256
struct netns_tcp {
	spinlock_t lock;                 /* the tables below (bottom halves off) */
	struct list_head ehash[TCP_EHASH_SIZE]; /* connected sockets by 4-tuple */
	struct list_head listeners;
	struct list_head bound;          /* every socket holding a local port */
	u32 nsocks, orphans, tw_count;   /* orphans: closed by the user, not in TIME_WAIT */
	u32 port_offset_next;            /* RFC 6056 algorithm 3 counter */
	u64 challenge_stamp_s;           /* RFC 5961 7: the current second ... */
	u32 challenge_count;             /* ... and ACKs allowed in it */
	u64 mib[TCP_MIB_MAX];
	u64 ext[LINUX_MIB_TCP_MAX];
	u32 curr_estab;
};
#define TCP_INC_STATS(net, f) ((net)->tcp->mib[f]++)
#define NET_INC_STATS(net, f) ((net)->tcp->ext[f]++)
#define NET_ADD_STATS(net, f, n) ((net)->tcp->ext[f] += (n))
static inline struct net *tcp_net(const struct tcp_sock *tp) { return tp->sk.net; }

/* ---- the API the socket layer calls (net/ipv4/tcp.c). Thread context unless said. ----
 * Deadlines are ktime ns, 0 = wait forever. flags: MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL. */
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x40
#endif
#define MSG_PEEK 0x02
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
/* setsockopt levels and names (Linux values) */
#define SOL_SOCKET 1
#define SOL_TCP 6
#define SO_REUSEADDR 2
#define SO_KEEPALIVE 9
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_LINGER 13
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_CONGESTION 13 /* value: 0 = reno, 1 = cubic (no strings through this API) */
#define TCP_USER_TIMEOUT 18
/* tcp_poll() bits (Linux POLL* values) */
#define TCP_POLLIN 0x001
#define TCP_POLLOUT 0x004
#define TCP_POLLERR 0x008
#define TCP_POLLHUP 0x010
#define TCP_POLLRDHUP 0x2000

/* A new unconnected socket in CLOSE. -ENOMEM, -EMFILE. */
int tcp_sock_create(struct net *net, struct sock **skp);
/* Binds to addr:port (port 0: an ephemeral one). -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL. */
int tcp_bind(struct sock *sk, be32 addr, u16 port);
/* CLOSE -> LISTEN with a SYN queue and an accept queue of at most backlog each (capped
 * at TCP_SOMAXCONN). Binds an ephemeral port if unbound. -EINVAL in other states. */
int tcp_listen(struct sock *sk, int backlog);
/* Takes the oldest established child of a listener, waiting for one until the deadline.
 * -EAGAIN (MSG_DONTWAIT, or the deadline passed), -EINVAL (not listening). */
int tcp_accept(struct sock *sk, struct sock **newsk, int flags, u64 deadline_ns);
/* Active open: route, source address and random ephemeral port, ISN, SYN; then waits
 * for ESTABLISHED until the deadline. MSG_DONTWAIT: returns -EINPROGRESS at once (poll for
 * TCP_POLLOUT, then tcp_sock_error()). -ECONNREFUSED (RST), -ETIMEDOUT (no answer after
 * TCP_SYN_RETRIES), -ENETUNREACH, -EADDRNOTAVAIL (no port), -EISCONN, -EALREADY. */
int tcp_stream_connect(struct sock *sk, be32 daddr, u16 dport, int flags, u64 deadline_ns);
/* Queues len bytes and sends what windows allow; blocks while the send buffer is full.
 * Returns the bytes queued (a short count when the deadline passed after some were
 * queued, or the peer reset), or -EAGAIN, -EPIPE (shut down for writing, or closed),
 * -ECONNRESET, -ENOTCONN, -ETIMEDOUT. */
ssize_t tcp_sendmsg(struct sock *sk, const void *buf, size_t len, int flags, u64 deadline_ns);
/* Copies received bytes into buf; blocks until at least one byte (all len with
 * MSG_WAITALL) is there, EOF, an error or the deadline. 0 = the peer closed (FIN).
 * -EAGAIN, -ENOTCONN, -ECONNRESET, -ETIMEDOUT (connection timed out). */
ssize_t tcp_recvmsg(struct sock *sk, void *buf, size_t len, int flags, u64 deadline_ns);
/* SHUT_WR sends FIN after the queued data; SHUT_RD makes reads return 0. -ENOTCONN. */
int tcp_shutdown(struct sock *sk, int how);
/* The user is done with sk (do not touch it afterwards): FIN (or RST when unread data is
 * lost, or SO_LINGER with 0 s, RFC 9293 3.10.4), then TCP finishes the close on its own and
 * frees the socket. With SO_LINGER > 0 s, waits until the FIN is acked or the time ends. */
void tcp_close(struct sock *sk);
int tcp_setsockopt(struct sock *sk, int level, int optname, int val);
int tcp_getsockopt(struct sock *sk, int level, int optname, int *val);
/* TCP_POLL* bits for a poll()/select() layer; any context. */
u32 tcp_poll(struct sock *sk);
/* Pending error (connect that failed, reset), taken once: -errno or 0. */
static inline int tcp_sock_error(struct sock *sk) { return sock_error(sk); }
/* State for a TCP_INFO-like report and the tests. */
struct tcp_info_lite {
	u8 state, ca_state, snd_wscale, rcv_wscale, backoff, retransmits, probes_out;
	bool tstamp_ok, sack_ok, wscale_ok;
	u32 rto_us, srtt_us, rttvar_us, snd_mss, rcv_mss, advmss;
	u32 snd_cwnd, snd_ssthresh, packets_out, sacked_out, lost_out, retrans_out;
	u32 snd_wnd, rcv_wnd, total_retrans, unacked, notsent, rcv_queued, ofo_segs;
};
void tcp_get_info(struct sock *sk, struct tcp_info_lite *info);

/* ---- internals shared by the tcp*.c files ---- */
/* tcp.c */
void tcp_set_state(struct tcp_sock *tp, int state);
void tcp_done(struct tcp_sock *tp);         /* -> CLOSE, unhash, wake; frees if orphaned */
void tcp_destroy_sock(struct tcp_sock *tp); /* orphaned and closed: drop everything */
void tcp_orphan(struct tcp_sock *tp);       /* the user let go (Linux sock_orphan) */
void tcp_wmem_free_skb(struct tcp_sock *tp, struct sk_buff *skb);
void tcp_reset(struct tcp_sock *tp);        /* an acceptable RST arrived (RFC 9293 3.10.7) */
void tcp_write_queue_purge(struct tcp_sock *tp);
bool tcp_mem_charge(u32 bytes);             /* global TCP memory; false when over limit */
void tcp_mem_force_charge(u32 bytes);       /* charged whatever the limit */
void tcp_mem_uncharge(u32 bytes);
u64 tcp_memory_allocated(void);
void tcp_rfree(struct sk_buff *skb);        /* destructor of received data */
void tcp_cleanup_rbuf(struct tcp_sock *tp, u32 copied);
/* tcp_ipv4.c */
int tcp_v4_rcv(struct sk_buff *skb);
int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb);
void tcp_v4_err(struct net *net, const struct icmp_err *e);
int tcp_v4_connect(struct tcp_sock *tp, be32 daddr, u16 dport);
void tcp_v4_send_reset(struct net *net, const struct tcp_repr *th, be32 saddr, be32 daddr,
		       u64 pkt_id);
void tcp_hash(struct tcp_sock *tp);         /* into ehash (connected) */
void tcp_unhash(struct tcp_sock *tp);
void tcp_listen_hash(struct tcp_sock *tp);
int tcp_get_port(struct tcp_sock *tp, be32 addr, u16 port); /* bind; 0 = ephemeral */
void tcp_put_port(struct tcp_sock *tp);
int tcp_route(struct tcp_sock *tp, struct rtable *rt);
void tcp_v4_mtu_reduced(struct tcp_sock *tp);
int tcp_init(void);
/* tcp_minisocks.c: listeners, half-open connections, TIME_WAIT */
struct tcp_sock *tcp_v4_hnd_req(struct tcp_sock *lp, struct sk_buff *skb,
				const struct tcp_repr *th);
int tcp_child_process(struct tcp_sock *lp, struct tcp_sock *child, struct sk_buff *skb,
		      const struct tcp_repr *th);
void tcp_synack_timer(struct tcp_sock *lp);
void inet_csk_listen_stop(struct tcp_sock *lp);
int tcp_timewait_state_process(struct tcp_sock *tp, struct sk_buff *skb,
			       const struct tcp_repr *th);
struct tcp_sock *tcp_sock_alloc(struct net *net);
/* tcp_secure.c: keyed hashes (RFC 6528 ISN, RFC 6056 ports, RFC 4987 cookies) */
u32 secure_tcp_seq(be32 saddr, be32 daddr, u16 sport, u16 dport);
u32 secure_tcp_ts_off(be32 saddr, be32 daddr);
u32 secure_ipv4_port_ephemeral(be32 saddr, be32 daddr, u16 dport);
u32 __cookie_v4_init_sequence(be32 saddr, be32 daddr, u16 sport, u16 dport, u32 isn,
			      u16 *mssp);
int __cookie_v4_check(be32 saddr, be32 daddr, u16 sport, u16 dport, u32 seq, u32 cookie);
u32 cookie_ts_encode(bool wscale_ok, u8 snd_wscale, bool sack_ok, u32 tsval);
bool cookie_ts_decode(u32 tsecr, bool *wscale_ok, u8 *snd_wscale, bool *sack_ok);
/* tcp_input.c */
int tcp_rcv_established(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th);
int tcp_rcv_state_process(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th);
int tcp_conn_request(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_repr *th);
void tcp_send_challenge_ack(struct tcp_sock *tp);
void tcp_init_transfer(struct tcp_sock *tp);
void tcp_fin(struct tcp_sock *tp);
u32 tcp_time_stamp(const struct tcp_sock *tp);
/* tcp_data.c: the receive queues */
void tcp_data_queue(struct tcp_sock *tp, struct sk_buff *skb);
void tcp_ofo_purge(struct tcp_sock *tp);
void tcp_dsack_set(struct tcp_sock *tp, u32 seq, u32 end_seq);
void __tcp_ack_snd_check(struct tcp_sock *tp, bool ofo_possible);
void tcp_ack_snd_check(struct tcp_sock *tp);
/* tcp_ack.c */
int tcp_ack(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th, int flag);
void tcp_enter_loss(struct tcp_sock *tp);
void tcp_simple_retransmit(struct tcp_sock *tp);
void tcp_rtt_estimator(struct tcp_sock *tp, s64 mrtt_us);
void tcp_set_rto(struct tcp_sock *tp);
void tcp_clear_retrans(struct tcp_sock *tp);
void tcp_init_cwnd(struct tcp_sock *tp);
u32 tcp_packets_in_flight(const struct tcp_sock *tp);
#define FLAG_DATA 0x01            /* the segment carries data */
#define FLAG_WIN_UPDATE 0x02
#define FLAG_DATA_ACKED 0x04      /* new data acked */
#define FLAG_SYN_ACKED 0x10
#define FLAG_DATA_SACKED 0x20
#define FLAG_SND_UNA_ADVANCED 0x400
#define FLAG_RETRANS_DATA_ACKED 0x800
#define FLAG_SLOWPATH 0x100
#define FLAG_NO_CHALLENGE_ACK 0x8000
/* tcp_output.c */
void tcp_push(struct tcp_sock *tp, int nonagle);
#define TCP_NAGLE_PUSH 1 /* send a partial last segment now (uncork, TCP_NODELAY set) */
bool tcp_write_xmit(struct tcp_sock *tp, int nonagle);
int tcp_transmit_skb(struct tcp_sock *tp, struct sk_buff *skb, bool clone);
int tcp_retransmit_skb(struct tcp_sock *tp, struct sk_buff *skb);
void tcp_xmit_retransmit_queue(struct tcp_sock *tp);
void tcp_send_ack(struct tcp_sock *tp);
void tcp_send_delayed_ack(struct tcp_sock *tp);
void tcp_send_fin(struct tcp_sock *tp);
void tcp_send_active_reset(struct tcp_sock *tp);
int tcp_send_synack(struct tcp_sock *lp, struct tcp_request_sock *req, bool cookie);
int tcp_connect(struct tcp_sock *tp);
void tcp_send_probe0(struct tcp_sock *tp);
int tcp_write_wakeup(struct tcp_sock *tp);
void tcp_xmit_probe_skb(struct tcp_sock *tp);
u32 tcp_current_mss(struct tcp_sock *tp);
u32 tcp_size_goal(struct tcp_sock *tp);
void tcp_sync_mss(struct tcp_sock *tp, u32 pmtu);
u32 tcp_select_window(struct tcp_sock *tp);
u32 __tcp_select_window(struct tcp_sock *tp);
u32 tcp_receive_window(const struct tcp_sock *tp);
int tcp_fragment(struct tcp_sock *tp, struct sk_buff *skb, u32 len);
struct sk_buff *skb_peek_tail_unsent(struct tcp_sock *tp);
struct sk_buff *tcp_stream_alloc_skb(struct tcp_sock *tp, u32 size);
void tcp_check_probe_timer(struct tcp_sock *tp);
void tcp_select_initial_window(u32 rcvbuf, u32 mss, bool wscale_ok, u32 *rcv_wnd,
			       u32 *window_clamp, u8 *rcv_wscale);
u32 tcp_space(const struct tcp_sock *tp);
/* tcp_timer.c */
void sk_reset_timer(struct sock *sk, struct timer_list *t, u64 expires);
void sk_stop_timer(struct sock *sk, struct timer_list *t);
void tcp_init_xmit_timers(struct tcp_sock *tp);
void tcp_clear_xmit_timers(struct tcp_sock *tp);
void tcp_reset_xmit_timer(struct tcp_sock *tp, u8 what, u64 when_us);
void tcp_clear_xmit_timer(struct tcp_sock *tp, u8 what);
void tcp_rearm_rto(struct tcp_sock *tp);
void tcp_reset_keepalive_timer(struct tcp_sock *tp, u64 ms);
void tcp_delete_keepalive_timer(struct tcp_sock *tp);
void tcp_time_wait(struct tcp_sock *tp, int state, u32 timeo_ms);
void tcp_release_cb(struct sock *sk);
u64 tcp_probe0_when_us(const struct tcp_sock *tp);
void tcp_synack_timer_arm(struct tcp_sock *lp);
void tcp_write_err(struct tcp_sock *tp);
/* tcp_proc.c */
void tcp_snmp_show(struct net *net);
void tcp_netstat_show(struct net *net);

/* Small helpers. */
static inline be32 tcp_skb_saddr(const struct sk_buff *skb)
{
	return to_be32(rd_be32(skb_network_header(skb) + 12));
}
static inline be32 tcp_skb_daddr(const struct sk_buff *skb)
{
	return to_be32(rd_be32(skb_network_header(skb) + 16));
}
static inline u32 tcp_wnd_end(const struct tcp_sock *tp) { return tp->snd_una + tp->snd_wnd; }
static inline bool tcp_skb_is_last(const struct tcp_sock *tp, const struct sk_buff *skb)
{
	return skb->next == (const struct sk_buff *)&tp->write_queue;
}
static inline struct sk_buff *tcp_write_queue_next(const struct tcp_sock *tp,
						   const struct sk_buff *skb)
{
	return tcp_skb_is_last(tp, skb) ? NULL : skb->next;
}
static inline u64 tcp_jiffies_from_us(u64 us) { return (us * HZ + 999999) / 1000000; }
static inline bool tcp_in_initial_slowstart(const struct tcp_sock *tp)
{
	return tp->snd_ssthresh >= 0x7fffffff;
}
#define TCP_INFINITE_SSTHRESH 0x7fffffff
#define tcp_for_write_queue(skb, tp)                                                      \
	for (skb = (tp)->write_queue.next; skb != (struct sk_buff *)&(tp)->write_queue;   \
	     skb = skb->next)
#define tcp_for_write_queue_safe(skb, n, tp)                                              \
	for (skb = (tp)->write_queue.next, n = skb->next;                                  \
	     skb != (struct sk_buff *)&(tp)->write_queue; skb = n, n = skb->next)

#endif
