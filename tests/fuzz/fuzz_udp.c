/* Fuzz target: UDP datagrams inside a valid IPv4 header, with sockets bound on ports 7
 * (wildcard) and 68 (broadcast allowed). The first byte chooses whether to zero or fix
 * the checksum; received data is read back so the queues drain. */
#include "fuzz_common.h"

#include <net/udp.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	struct sock *s7, *s68;
	u8 buf[1600], tmp[2048];
	struct udp_repr r;
	be32 src, dst;

	if (size < 1)
		return 0;
	u8 mode = data[0];
	data++;
	size--;
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	in4_pton("10.0.0.2", &src);
	in4_pton("10.0.0.1", &dst);
	if (size >= 8 && (mode & 3) == 1) {
		wr_be16(buf + 6, 0);
	} else if (size >= 8 && (mode & 3) == 2) {
		u16 ulen = rd_be16(buf + 4);
		if (ulen >= 8 && ulen <= size) {
			wr_be16(buf + 6, 0);
			u16 c = csum_fold(csum_partial(buf, ulen,
						       csum_tcpudp_nofold(src, dst, ulen, IPPROTO_UDP, 0)));
			wr_be16(buf + 6, c ? c : 0xffff);
		}
	}
	(void)udp_parse(buf, size, src, dst, true, &r);
	fz_begin(&f);
	if (udp_sock_create(&f.net, &s7) || udp_sock_create(&f.net, &s68))
		abort();
	udp_bind(s7, to_be32(0), 7);
	s68->broadcast = true;
	udp_bind(s68, to_be32(0), 68);
	fz_ip(&f, IPPROTO_UDP, buf, size);
	while (udp_recvmsg(s7, tmp, sizeof(tmp), NULL, MSG_DONTWAIT, 0) >= 0)
		;
	udp_sock_release(s7);
	udp_sock_release(s68);
	fz_end(&f);
	return 0;
}
