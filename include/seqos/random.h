/* Randomness: a ChaCha20-based generator seeded from RDRAND/RDSEED and TSC jitter
 * (kernel/random.c); the host test shim makes it deterministic. */
#ifndef SEQOS_RANDOM_H
#define SEQOS_RANDOM_H

#include <seqos/types.h>

u32 get_random_u32(void);
u64 get_random_u64(void);
void get_random_bytes(void *buf, size_t len);

#endif
