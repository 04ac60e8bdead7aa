/* TCP segment format: pure functions over bytes (STYLE.md 4). tcp_v4_rcv() calls
 * tcp_parse() first; tcp_transmit_skb() and the reset/ACK builders call tcp_emit() and
 * tcp_v4_send_check() last, just before ip_queue_xmit().
 *
 * The length is checked once, first: the header length must lie within the segment, and
 * every option's length within the header, before a byte of it is read. */
#include <net/tcp.h>
#include <seqos/string.h>

int tcp_parse(const u8 *b, size_t len, be32 saddr, be32 daddr, bool verify,
	      struct tcp_repr *out)
{
	u32 doff;

	if (len < sizeof(struct tcphdr) || len > 0xffff)
		return TCP_PARSE_TRUNCATED;
	doff = (u32)(b[12] >> 4) * 4;
	if (doff < sizeof(struct tcphdr) || doff > len)
		return TCP_PARSE_TRUNCATED;
	if (verify && csum_fold(csum_partial(b, len, csum_tcpudp_nofold(saddr, daddr, (u32)len,
									 IPPROTO_TCP, 0))) != 0)
		return TCP_PARSE_CSUM;
	memset(out, 0, sizeof(*out));
	out->sport = rd_be16(b);
	out->dport = rd_be16(b + 2);
	out->seq = rd_be32(b + 4);
	out->ack_seq = rd_be32(b + 8);
	out->doff = (u8)doff;
	out->flags = b[13];
	out->window = rd_be16(b + 14);
	out->urg_ptr = rd_be16(b + 18);
	out->len = (u32)len - doff;
	if (doff > sizeof(struct tcphdr))
		tcp_parse_options(b + sizeof(struct tcphdr), doff - sizeof(struct tcphdr),
				  out->flags & TCPHDR_SYN, out);
	return (int)doff;
}

/* RFC 9293 3.2: kind 0 ends the list, kind 1 pads, every other kind has a length byte
 * that counts itself and the kind. Options we do not know are skipped by that length;
 * options of a known kind with the wrong length are ignored (Linux does the same);
 * a length below 2 or past the end makes the rest unreadable: stop and flag it. MSS,
 * window scale and SACK-permitted only mean something on a SYN (RFC 9293 3.7.1, RFC 7323
 * 2.2, RFC 2018 2). */
void tcp_parse_options(const u8 *opt, size_t len, bool syn, struct tcp_repr *out)
{
	size_t i = 0;

	while (i < len) {
		u8 kind = opt[i], olen;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len) { /* a kind without its length byte */
			out->opts |= TCPOPT_F_BAD;
			return;
		}
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i) {
			out->opts |= TCPOPT_F_BAD;
			return;
		}
		const u8 *p = opt + i + 2;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == TCPOLEN_MSS && syn) {
				out->mss = rd_be16(p);
				out->opts |= TCPOPT_F_MSS;
			}
			break;
		case TCPOPT_WINDOW:
			if (olen == TCPOLEN_WINDOW && syn) {
				out->wscale = p[0];
				out->opts |= TCPOPT_F_WSCALE;
			}
			break;
		case TCPOPT_SACK_PERM:
			if (olen == TCPOLEN_SACK_PERM && syn)
				out->opts |= TCPOPT_F_SACK_PERM;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				out->tsval = rd_be32(p);
				out->tsecr = rd_be32(p + 4);
				out->opts |= TCPOPT_F_TS;
			}
			break;
		case TCPOPT_SACK:
			/* 2 + 8n bytes, n = 1..4; a second SACK option is ignored */
			if (olen >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK &&
			    (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK == 0 &&
			    !(out->opts & TCPOPT_F_SACK)) {
				u32 n = (u32)(olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK;
				if (n > TCP_MAX_SACKS)
					n = TCP_MAX_SACKS;
				for (u32 k = 0; k < n; k++) {
					out->sacks[k].start_seq = rd_be32(p + 8 * k);
					out->sacks[k].end_seq = rd_be32(p + 8 * k + 4);
				}
				out->num_sacks = (u8)n;
				out->opts |= TCPOPT_F_SACK;
			}
			break;
		default:
			break;
		}
		i += olen;
	}
}

u32 tcp_options_size(const struct tcp_repr *r)
{
	u32 n = 0;

	if (r->opts & TCPOPT_F_MSS)
		n += TCPOLEN_MSS;
	if (r->opts & TCPOPT_F_TS)
		n += TCPOLEN_TSTAMP_ALIGNED; /* SACK-permitted rides in its NOPs */
	else if (r->opts & TCPOPT_F_SACK_PERM)
		n += 4;
	if (r->opts & TCPOPT_F_WSCALE)
		n += 4;
	if ((r->opts & TCPOPT_F_SACK) && r->num_sacks)
		n += 4 + TCPOLEN_SACK_PERBLOCK * r->num_sacks;
	return n;
}

/* Options in the order and alignment Linux uses (tcp_options_write), so captures of the
 * two look alike: MSS, [SACK-permitted +] timestamps, window scale, SACK blocks. */
static u8 *emit_options(const struct tcp_repr *r, u8 *p)
{
	if (r->opts & TCPOPT_F_MSS) {
		*p++ = TCPOPT_MSS;
		*p++ = TCPOLEN_MSS;
		wr_be16(p, r->mss);
		p += 2;
	}
	if (r->opts & TCPOPT_F_TS) {
		if (r->opts & TCPOPT_F_SACK_PERM) {
			*p++ = TCPOPT_SACK_PERM;
			*p++ = TCPOLEN_SACK_PERM;
		} else {
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_NOP;
		}
		*p++ = TCPOPT_TIMESTAMP;
		*p++ = TCPOLEN_TIMESTAMP;
		wr_be32(p, r->tsval);
		wr_be32(p + 4, r->tsecr);
		p += 8;
	} else if (r->opts & TCPOPT_F_SACK_PERM) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_SACK_PERM;
		*p++ = TCPOLEN_SACK_PERM;
	}
	if (r->opts & TCPOPT_F_WSCALE) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_WINDOW;
		*p++ = TCPOLEN_WINDOW;
		*p++ = r->wscale;
	}
	if ((r->opts & TCPOPT_F_SACK) && r->num_sacks) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_SACK;
		*p++ = (u8)(TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK * r->num_sacks);
		for (u32 k = 0; k < r->num_sacks; k++) {
			wr_be32(p, r->sacks[k].start_seq);
			wr_be32(p + 4, r->sacks[k].end_seq);
			p += 8;
		}
	}
	return p;
}

size_t tcp_emit(const struct tcp_repr *r, u8 *b, size_t cap)
{
	u32 olen = tcp_options_size(r);
	u32 hlen = (u32)sizeof(struct tcphdr) + olen;

	if (olen > TCP_MAX_OPT_LEN || cap < hlen || r->num_sacks > TCP_MAX_SACKS)
		return 0;
	wr_be16(b, r->sport);
	wr_be16(b + 2, r->dport);
	wr_be32(b + 4, r->seq);
	wr_be32(b + 8, r->ack_seq);
	b[12] = (u8)((hlen / 4) << 4);
	b[13] = r->flags;
	wr_be16(b + 14, r->window);
	wr_be16(b + 16, 0);
	wr_be16(b + 18, r->urg_ptr);
	emit_options(r, b + sizeof(struct tcphdr));
	return hlen;
}

void tcp_v4_send_check(u8 *th, u32 len, be32 saddr, be32 daddr)
{
	wr_be16(th + 16, 0);
	wr_be16(th + 16, csum_fold(csum_partial(th, len, csum_tcpudp_nofold(saddr, daddr, len,
									     IPPROTO_TCP, 0))));
}
