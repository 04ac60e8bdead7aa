/* Fuzz target: DNS responses to the parser (pure): the answer matcher for a fixed
 * question and id, and the name reader at every offset (compression loops, pointers
 * forward and out of range, long labels, missing terminators). */
#include <net/dns.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct dns_answer ans;
	char name[300];

	if (size >= 2)
		(void)dns_parse_response(data, size, (u16)(data[0] << 8 | data[1]), "example.test",
					 &ans);
	for (size_t off = 0; off < size && off < 64; off++) {
		int end = dns_read_name(data, size, off, name, sizeof(name));
		if (end > (int)size || (end >= 0 && strlen(name) > 253 + 2))
			abort();
	}
	return 0;
}
