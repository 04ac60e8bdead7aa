/* Congestion control behind a small ops table (Linux net/ipv4/tcp_cong.c, tcp_cubic.c):
 * tcp_ack() calls ->cong_avoid() for each ACK of new data outside recovery, and
 * ->ssthresh() when a loss is detected (tcp_enter_recovery, tcp_enter_loss).
 *
 *   reno  ("NewReno", the default): slow start and additive increase (RFC 5681 3.1),
 *         ssthresh = max(FlightSize / 2, 2) (RFC 5681 eq. 4); the NewReno part of
 *         recovery is in tcp_ack.c (RFC 6582).
 *   cubic RFC 9438 in integer arithmetic: time in 1/1024 s, C = 0.4 as 410/1024,
 *         beta = 0.7 as 717/1024, fast convergence, the Reno-friendly region, and an
 *         integer cube root (the kernel has no floating point). */
#include <net/tcp.h>
#include <seqos/string.h>

/* Slow start (RFC 5681 3.1): cwnd grows by the segments acked, up to ssthresh; returns
 * the acked segments left over for congestion avoidance. */
void tcp_slow_start(struct tcp_sock *tp, u32 acked)
{
	u32 cwnd = MIN(tp->snd_cwnd + acked, tp->snd_ssthresh);

	acked -= cwnd - tp->snd_cwnd;
	tp->snd_cwnd = cwnd;
	if (acked)
		tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

/* Additive increase: one segment per w segments acked (RFC 5681 3.1, eq. 3 in segments). */
void tcp_cong_avoid_ai(struct tcp_sock *tp, u32 w, u32 acked)
{
	if (!w)
		w = 1;
	tp->snd_cwnd_cnt += acked;
	if (tp->snd_cwnd_cnt >= w) {
		u32 delta = tp->snd_cwnd_cnt / w;

		tp->snd_cwnd_cnt -= delta * w;
		tp->snd_cwnd += delta;
	}
}

u32 tcp_reno_ssthresh(struct tcp_sock *tp) { return MAX(tp->packets_out / 2, 2u); }

static void tcp_reno_cong_avoid(struct tcp_sock *tp, u32 ack, u32 acked)
{
	if (tp->snd_cwnd < tp->snd_ssthresh)
		tcp_slow_start(tp, acked);
	else
		tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

const struct tcp_congestion_ops tcp_reno = {
	.name = "reno",
	.ssthresh = tcp_reno_ssthresh,
	.cong_avoid = tcp_reno_cong_avoid,
};

/* ---- CUBIC (RFC 9438) ---- */
/* Integer cube root, bit by bit (three bits of the argument per bit of the root). */
u32 cubic_root(u64 a)
{
	u64 r = 0;

	for (int s = 63; s >= 0; s -= 3) {
		u64 b;

		r <<= 1;
		b = 3 * r * (r + 1) + 1;
		if ((a >> s) >= b) {
			a -= b << s;
			r++;
		}
	}
	return (u32)r;
}

#define CUBIC_BETA 717       /* beta_cubic = 0.7, /1024 */
#define CUBIC_C 410          /* C = 0.4 segments/s^3, /1024 */
#define CUBIC_ALPHA 542      /* alpha_cubic = 3 (1 - beta) / (1 + beta) = 0.529, /1024 */
#define CUBIC_T_MAX (1u << 18) /* ~256 s: (t - K)^3 stays within 64 bits */

struct cubic {
	u32 w_max;           /* cwnd before the last reduction (W_max) */
	u32 k;               /* time to reach W_max again, 1/1024 s */
	u32 origin;          /* the plateau the curve is centred on */
	u32 w_est;           /* Reno-friendly estimate, 1/1024 segments */
	u64 epoch_ms;        /* start of this congestion-avoidance epoch, 0 = none */
	u32 cnt;             /* ACKs per +1 segment now */
};
_Static_assert(sizeof(struct cubic) <= sizeof(((struct tcp_sock *)0)->ca_priv), "ca_priv");

static struct cubic *cubic_ca(struct tcp_sock *tp) { return (struct cubic *)tp->ca_priv; }

static void cubic_init(struct tcp_sock *tp) { memset(cubic_ca(tp), 0, sizeof(struct cubic)); }

/* RFC 9438 4.6 and 4.7 (fast convergence): remember W_max, reduce to beta. */
static u32 cubic_ssthresh(struct tcp_sock *tp)
{
	struct cubic *ca = cubic_ca(tp);

	ca->epoch_ms = 0;
	if (tp->snd_cwnd < ca->w_max)
		ca->w_max = (u32)((u64)tp->snd_cwnd * (1024 + CUBIC_BETA) / 2048);
	else
		ca->w_max = tp->snd_cwnd;
	return MAX((u32)((u64)tp->snd_cwnd * CUBIC_BETA / 1024), 2u);
}

static void cubic_on_loss(struct tcp_sock *tp) { cubic_ca(tp)->epoch_ms = 0; }

/* W_cubic(t) = C (t - K)^3 + W_max (RFC 9438 4.2), in segments, t in 1/1024 s. */
static u32 cubic_target(const struct cubic *ca, u32 t)
{
	u64 d = t > ca->k ? t - ca->k : ca->k - t, delta;

	if (d > CUBIC_T_MAX)
		d = CUBIC_T_MAX;
	delta = (CUBIC_C * d * d * d) >> 40;
	if (t < ca->k)
		return delta >= ca->origin ? 1 : ca->origin - (u32)delta;
	return (u32)MIN((u64)ca->origin + delta, (u64)TCP_MAX_CWND);
}

static void cubic_cong_avoid(struct tcp_sock *tp, u32 ack, u32 acked)
{
	struct cubic *ca = cubic_ca(tp);
	u64 now_ms = ktime_get_ns() / NSEC_PER_MSEC;
	u32 t, target, cwnd;

	if (tp->snd_cwnd < tp->snd_ssthresh) {
		u32 before_ss = tp->snd_cwnd;

		tp->snd_cwnd = MIN(tp->snd_cwnd + acked, tp->snd_ssthresh);
		acked -= tp->snd_cwnd - before_ss;
		if (!acked)
			return;
	}
	cwnd = tp->snd_cwnd;
	if (!ca->epoch_ms) {
		ca->epoch_ms = now_ms ? now_ms : 1;
		if (cwnd < ca->w_max) {
			/* K = cbrt(W_max (1 - beta) / C) with W_max - cwnd standing for the first
			 * factor (RFC 9438 4.2, eq. 2), in 1/1024 s: cbrt(x * 2^30 / 0.4) */
			ca->k = cubic_root(((u64)(ca->w_max - cwnd) << 40) / CUBIC_C);
			ca->origin = ca->w_max;
		} else {
			ca->k = 0;
			ca->origin = cwnd;
		}
		ca->w_est = cwnd << 10;
	}
	/* where the curve will be one RTT from now (RFC 9438 4.2: t + RTT) */
	t = (u32)MIN(((now_ms - ca->epoch_ms) + (tp->srtt_us >> 3) / 1000) * 1024 / 1000,
		     (u64)0x7fffffff);
	target = cubic_target(ca, t);
	/* Reno-friendly region (RFC 9438 4.3) */
	ca->w_est += (u32)((u64)CUBIC_ALPHA * acked * 1024 / (cwnd ? cwnd : 1) / 1024);
	if ((ca->w_est >> 10) > target)
		target = ca->w_est >> 10;
	/* at most 1.5 x per RTT (RFC 9438 4.4) */
	if (target > cwnd + cwnd / 2)
		target = cwnd + cwnd / 2;
	ca->cnt = target > cwnd ? cwnd / (target - cwnd) : 100 * cwnd;
	if (!ca->cnt)
		ca->cnt = 1;
	tcp_cong_avoid_ai(tp, ca->cnt, acked);
}

const struct tcp_congestion_ops tcp_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.ssthresh = cubic_ssthresh,
	.cong_avoid = cubic_cong_avoid,
	.on_loss = cubic_on_loss,
};

const struct tcp_congestion_ops *tcp_ca_find(const char *name)
{
	if (!strcmp(name, "reno") || !strcmp(name, "newreno"))
		return &tcp_reno;
	if (!strcmp(name, "cubic"))
		return &tcp_cubic;
	return NULL;
}
