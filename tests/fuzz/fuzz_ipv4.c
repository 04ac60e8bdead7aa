/* Fuzz target: a sequence of IPv4 datagrams (reassembly state carries across them).
 * Input: records of [u16 length][bytes], each sent as the payload of an Ethernet frame
 * to us; the fuzzer writes the IP headers itself (fragments, options, lengths). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	struct ip_repr r;

	(void)ip_parse(data, size, false, &r);
	fz_begin(&f);
	for (int n = 0; size >= 2 && n < 64; n++) {
		size_t len = rd_be16(data) % 1600;
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		fz_eth(&f, ETH_P_IP, data, len);
		data += len;
		size -= len;
	}
	fz_end(&f);
	return 0;
}
