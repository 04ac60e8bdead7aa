/* Random numbers: a ChaCha20 keystream (RFC 8439 §2.3) keyed from RDSEED/RDRAND when
 * the CPU has them, mixed with TSC samples taken across boot and at every reseed. The
 * key is replaced from the stream itself after each request (fast key erasure), so an
 * observer of past output cannot recover earlier keys. Used for TCP ISNs (with a keyed
 * hash), ephemeral ports, DNS ids, DHCP xids. */
#include <asm/cpu.h>
#include <seqos/random.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>

static u32 key[8];
static u64 counter;
static bool seeded;
static DEFINE_SPINLOCK(rng_lock);

#define ROTL(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
#define QR(a, b, c, d) \
	(a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12), \
	 a += b, d ^= a, d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

static void chacha20_block(const u32 k[8], u64 ctr, u32 out[16])
{
	u32 x[16], in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };

	memcpy(in + 4, k, 32);
	in[12] = (u32)ctr;
	in[13] = (u32)(ctr >> 32);
	in[14] = in[15] = 0;
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

static bool hw_random(u64 *v)
{
	unsigned char ok = 0;
	for (int tries = 0; tries < 10 && !ok; tries++) {
		if (cpu_features.rdseed)
			__asm__ __volatile__("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		else if (cpu_features.rdrand)
			__asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		else
			return false;
	}
	return ok;
}

static void seed(void)
{
	u32 block[16];

	for (int i = 0; i < 8; i++) {
		u64 v = 0;
		hw_random(&v);
		/* TSC jitter: reading it around port I/O varies by cycles on real hardware. */
		key[i] ^= (u32)v ^ (u32)(v >> 32) ^ (u32)rdtsc();
		__asm__ __volatile__("outb %%al, $0x80" ::"a"(0));
		key[(i + 3) & 7] ^= (u32)(rdtsc() * 0x9e3779b97f4a7c15ULL >> 32);
	}
	chacha20_block(key, counter++, block);
	memcpy(key, block, 32);
	seeded = true;
}

void get_random_bytes(void *buf, size_t len)
{
	unsigned long flags;
	u32 block[16];
	u8 *p = buf;

	spin_lock_irqsave(&rng_lock, flags);
	if (!seeded)
		seed();
	while (len) {
		size_t n = len < 32 ? len : 32;
		chacha20_block(key, counter++, block);
		memcpy(p, block + 8, n); /* the first half becomes the next key */
		memcpy(key, block, 32);
		p += n;
		len -= n;
	}
	spin_unlock_irqrestore(&rng_lock, flags);
}

u32 get_random_u32(void)
{
	u32 v;
	get_random_bytes(&v, sizeof(v));
	return v;
}

u64 get_random_u64(void)
{
	u64 v;
	get_random_bytes(&v, sizeof(v));
	return v;
}
