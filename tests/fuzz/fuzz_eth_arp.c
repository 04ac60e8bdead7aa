/* Fuzz target: whole Ethernet frames (any ethertype, so ARP, IP and junk) into the stack,
 * plus the pure ARP parser on the same bytes. */
#include "fuzz_common.h"

#include <net/arp.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	struct arp_repr r;
	u8 out[64];

	if (!arp_parse(data, size, &r) && arp_emit(&r, out, sizeof(out)) != ARP_ETH_IPV4_LEN)
		abort();
	fz_begin(&f);
	if (size > 0 && data[0] & 1) {
		fz_frame(&f, data + 1, size - 1);           /* raw: any destination */
	} else if (size > 0) {
		fz_eth(&f, ETH_P_ARP, data + 1, size - 1);  /* ARP to us */
		fz_eth(&f, ETH_P_ARP, data + 1, size - 1);  /* twice: the entry exists now */
	}
	fz_end(&f);
	return 0;
}
