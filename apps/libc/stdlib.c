/* The apps' stdlib: the kernel heap behind malloc, exit through the process layer. */
#include <seqos/kmalloc.h>
#include <seqos/kmem.h>
#include <seqos/proc.h>
#include <seqos/random.h>
#include <seqos/string.h>

#include <stdlib.h>

void *malloc(size_t n) { return kmalloc(n); }
void free(void *p) { kfree(p); }
void *calloc(size_t n, size_t size) { return kcalloc(n, size); }

void *realloc(void *p, size_t n)
{
	void *q;

	if (!p)
		return malloc(n);
	if (!n) {
		free(p);
		return NULL;
	}
	q = malloc(n);
	if (q) {
		size_t old = kmem_usable_size(p);
		memcpy(q, p, old < n ? old : n);
		free(p);
	}
	return q;
}

void exit(int status) { proc_exit(status); }
void _Exit(int status) { proc_exit(status); }
void abort(void) { proc_exit(134); }
int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }

static unsigned long long rand_state = 1;
void srand(unsigned seed) { rand_state = seed; }
int rand(void)
{
	rand_state = rand_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (int)(rand_state >> 33);
}

char *getenv(const char *name) { (void)name; return NULL; }

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

char *strtok(char *s, const char *delim)
{
	static char *save;
	if (s)
		save = s;
	if (!save)
		return NULL;
	save += strspn(save, delim);
	if (!*save)
		return save = NULL;
	char *tok = save;
	save += strcspn(save, delim);
	if (*save)
		*save++ = 0;
	else
		save = NULL;
	return tok;
}

void bzero(void *s, size_t n) { memset(s, 0, n); }

/* Insertion sort: apps sort a few items; simple and stable. */
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base, tmp[256];
	if (size > sizeof(tmp))
		return;
	for (size_t i = 1; i < n; i++) {
		memcpy(tmp, b + i * size, size);
		size_t j = i;
		while (j > 0 && cmp(b + (j - 1) * size, tmp) > 0) {
			memcpy(b + j * size, b + (j - 1) * size, size);
			j--;
		}
		memcpy(b + j * size, tmp, size);
	}
}
