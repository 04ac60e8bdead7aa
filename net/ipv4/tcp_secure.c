/* The numbers an off-path attacker must not guess (Linux net/core/secure_seq.c and
 * net/ipv4/syncookies.c): initial sequence numbers (RFC 6528), timestamp offsets (RFC 7323
 * 7.1), ephemeral port offsets (RFC 6056 3.3.3) and SYN cookies (RFC 4987 3.6). All are
 * SipHash-2-4 (Aumasson and Bernstein, 2012) of the connection's addresses under a
 * secret drawn at first use from get_random_bytes().
 *
 * Called from tcp_v4_connect() (thread), tcp_conn_request() and tcp_check_req() (softirq). */
#include <net/tcp.h>
#include <seqos/random.h>
#include <seqos/string.h>

struct siphash_key {
	u64 k0, k1;
};

static struct siphash_key isn_key, ts_key, port_key, cookie_key[2];
static bool keys_ready;

static inline u64 rotl64(u64 x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND                                                                   \
	do {                                                                       \
		v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);      \
		v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                           \
		v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                           \
		v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);      \
	} while (0)

/* SipHash-2-4 of three 64-bit words (24 bytes, little-endian words as the reference). */
static u64 siphash_3u64(u64 a, u64 b, u64 c, const struct siphash_key *key)
{
	u64 v0 = 0x736f6d6570736575ULL ^ key->k0;
	u64 v1 = 0x646f72616e646f6dULL ^ key->k1;
	u64 v2 = 0x6c7967656e657261ULL ^ key->k0;
	u64 v3 = 0x7465646279746573ULL ^ key->k1;
	u64 m[4] = { a, b, c, (u64)24 << 56 };

	for (int i = 0; i < 4; i++) {
		v3 ^= m[i];
		SIPROUND;
		SIPROUND;
		v0 ^= m[i];
	}
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void keys_init(void)
{
	if (keys_ready)
		return;
	get_random_bytes(&isn_key, sizeof(isn_key));
	get_random_bytes(&ts_key, sizeof(ts_key));
	get_random_bytes(&port_key, sizeof(port_key));
	get_random_bytes(cookie_key, sizeof(cookie_key));
	keys_ready = true;
}

static u64 tuple_hash(be32 saddr, be32 daddr, u16 sport, u16 dport, u64 extra,
		      const struct siphash_key *key)
{
	keys_init();
	return siphash_3u64((u64)get_be32(saddr) << 32 | get_be32(daddr),
			    (u64)sport << 16 | dport, extra, key);
}

/* RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M a
 * clock ticking every 4 microseconds (RFC 9293 3.4.1) and F a keyed hash. */
u32 secure_tcp_seq(be32 saddr, be32 daddr, u16 sport, u16 dport)
{
	u32 hash = (u32)tuple_hash(saddr, daddr, sport, dport, 0, &isn_key);

	return hash + (u32)(ktime_get_ns() >> 12);
}

/* RFC 7323 7.1: a random offset per address pair, so TSval does not reveal uptime. */
u32 secure_tcp_ts_off(be32 saddr, be32 daddr)
{
	return (u32)tuple_hash(saddr, daddr, 0, 0, 0, &ts_key);
}

/* RFC 6056 3.3.3 (algorithm 3): the port search for a destination starts at a keyed
 * hash of it, so ports are unpredictable yet reused rarely for one destination. */
u32 secure_ipv4_port_ephemeral(be32 saddr, be32 daddr, u16 dport)
{
	return (u32)tuple_hash(saddr, daddr, 0, dport, 0, &port_key);
}

/* ---- SYN cookies (RFC 4987 3.6) ----
 * The ISN of a SYN-ACK sent without keeping state encodes, recoverably by whoever holds
 * the secret:
 *   cookie = H1(tuple) + peer ISN + (t << 24) + ((H2(tuple, t) + mss_index) mod 2^24)
 * t counts minutes (64 s); a cookie is valid for COOKIE_MAX_AGE of them. Only four MSS
 * values can be told apart; the window scale and SACK-permitted the peer sent ride in the
 * low bits of our TSval (echoed in TSecr), so they survive when the peer uses
 * timestamps, as Linux does. */
#define COOKIEBITS 24
#define COOKIEMASK ((1u << COOKIEBITS) - 1)
#define COOKIE_MAX_AGE 2
static const u16 msstab[] = { 536, 1300, 1440, 1460 };

static u32 cookie_minute(void) { return (u32)(ktime_get_ns() / NSEC_PER_SEC / 64); }

static u32 cookie_hash(be32 saddr, be32 daddr, u16 sport, u16 dport, u32 count, int c)
{
	return (u32)tuple_hash(saddr, daddr, sport, dport, count, &cookie_key[c]);
}

u32 __cookie_v4_init_sequence(be32 saddr, be32 daddr, u16 sport, u16 dport, u32 isn,
			      u16 *mssp)
{
	u32 count = cookie_minute(), idx;

	for (idx = ARRAY_SIZE(msstab) - 1; idx > 0; idx--)
		if (*mssp >= msstab[idx])
			break;
	*mssp = msstab[idx];
	return cookie_hash(saddr, daddr, sport, dport, 0, 0) + isn + (count << COOKIEBITS) +
	       ((cookie_hash(saddr, daddr, sport, dport, count, 1) + idx) & COOKIEMASK);
}

/* seq: the peer's ISN (the ACK's seq - 1); cookie: our ISN (its ack - 1). Returns the MSS
 * the cookie encodes, or 0 when it is forged or too old. */
int __cookie_v4_check(be32 saddr, be32 daddr, u16 sport, u16 dport, u32 seq, u32 cookie)
{
	u32 count = cookie_minute(), diff, idx;

	cookie -= cookie_hash(saddr, daddr, sport, dport, 0, 0) + seq;
	diff = (count - (cookie >> COOKIEBITS)) & ((u32)-1 >> COOKIEBITS);
	if (diff >= COOKIE_MAX_AGE)
		return 0;
	idx = (cookie - cookie_hash(saddr, daddr, sport, dport, count - diff, 1)) & COOKIEMASK;
	return idx < ARRAY_SIZE(msstab) ? msstab[idx] : 0;
}

#define TS_OPT_WSCALE_MASK 0xf
#define TS_OPT_SACK 0x10
#define TS_OPT_BITS 6

u32 cookie_ts_encode(bool wscale_ok, u8 snd_wscale, bool sack_ok, u32 tsval)
{
	u32 opts = wscale_ok ? snd_wscale : TS_OPT_WSCALE_MASK;
	u32 ts;

	if (sack_ok)
		opts |= TS_OPT_SACK;
	ts = (tsval & ~((1u << TS_OPT_BITS) - 1)) | opts;
	if (after(ts, tsval)) /* never ahead of the clock */
		ts -= 1u << TS_OPT_BITS;
	return ts;
}

bool cookie_ts_decode(u32 tsecr, bool *wscale_ok, u8 *snd_wscale, bool *sack_ok)
{
	u32 ws = tsecr & TS_OPT_WSCALE_MASK;

	*sack_ok = tsecr & TS_OPT_SACK;
	*wscale_ok = ws != TS_OPT_WSCALE_MASK;
	*snd_wscale = *wscale_ok ? (u8)ws : 0;
	return ws <= TCP_MAX_WSCALE || ws == TS_OPT_WSCALE_MASK;
}
