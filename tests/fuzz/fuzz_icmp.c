/* Fuzz target: ICMP messages inside a valid IPv4 header. The first byte says whether to
 * fix the ICMP checksum (so the fuzzer gets past it) and whether the message is an error
 * about a UDP datagram from a bound, connected socket (so udp_err runs). */
#include "fuzz_common.h"

#include <net/icmp.h>
#include <net/udp.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	struct icmp_repr r;
	struct sock *sk = NULL;
	u8 buf[1600];

	if (size < 1)
		return 0;
	u8 mode = data[0];
	data++;
	size--;
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	if ((mode & 1) && size >= 8) {
		wr_be16(buf + 2, 0);
		wr_be16(buf + 2, ip_compute_csum(buf, size));
	}
	(void)icmp_parse(buf, size, &r);
	fz_begin(&f);
	if (mode & 2) {
		be32 peer;
		in4_pton("10.0.0.2", &peer);
		if (!udp_sock_create(&f.net, &sk))
			udp_connect(sk, peer, 9);
	}
	fz_ip(&f, IPPROTO_ICMP, buf, size);
	if (sk) {
		u8 tmp[16];
		(void)udp_recvmsg(sk, tmp, sizeof(tmp), NULL, MSG_DONTWAIT, 0);
		udp_sock_release(sk);
	}
	fz_end(&f);
	return 0;
}
