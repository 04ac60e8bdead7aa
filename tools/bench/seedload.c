/* seedload: the benchmark's host client for the seed server (tools/bench/bench builds it
 * into build/bench/seedload with the host's gcc).
 *
 *   seedload ADDR PORT COUNT CONCURRENCY TIMEOUT_MS LATENCY_FILE [DEADLINE_S]
 *
 * CONCURRENCY threads take tickets until COUNT exchanges are done, or until DEADLINE_S
 * seconds have passed (then no new exchange starts; those never started are counted
 * as "not_run", so a wedged guest costs at most DEADLINE_S plus one timeout). One exchange is the
 * seed client's: socket, connect, recv until the server closes, and the bytes must be
 * exactly "Hello, world!\n". Its latency runs from socket() to the end of the stream.
 * Prints one JSON object (counts, elapsed wall time) on stdout and writes each
 * successful exchange's latency in microseconds, one per line in ticket order, to
 * LATENCY_FILE; the statistics are computed by tools/bench/lib/benchstats.py. A failed
 * exchange (refused, reset, timeout, wrong bytes) is counted, never retried. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EXPECT "Hello, world!\n"

enum { RES_OK, RES_CONNECT, RES_TIMEOUT, RES_RESET, RES_BAD, RES_NOTRUN };

static struct sockaddr_in target;
static long count;
static int timeout_ms;
static atomic_long next_ticket;
static double deadline;
static double *lat_us;
static unsigned char *result;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int exchange(double *us)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	char buf[64];
	size_t got = 0;
	int r = RES_OK;
	double t0 = now_s();
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return RES_CONNECT;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)); /* bounds connect() too */
	if (connect(fd, (struct sockaddr *)&target, sizeof(target)) < 0) {
		r = errno == EINPROGRESS || errno == ETIMEDOUT ? RES_TIMEOUT : RES_CONNECT;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n == 0)
			break;
		if (n < 0) {
			r = errno == EAGAIN || errno == EWOULDBLOCK ? RES_TIMEOUT : RES_RESET;
			goto out;
		}
		got += (size_t)n;
		if (got == sizeof(buf)) {
			r = RES_BAD;
			goto out;
		}
	}
	if (got != strlen(EXPECT) || memcmp(buf, EXPECT, got))
		r = RES_BAD;
	*us = (now_s() - t0) * 1e6;
out:
	close(fd);
	return r;
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		long t = atomic_fetch_add(&next_ticket, 1);
		if (t >= count)
			return NULL;
		if (deadline > 0 && now_s() > deadline) {
			result[t] = RES_NOTRUN;
			continue;
		}
		result[t] = (unsigned char)exchange(&lat_us[t]);
	}
}

int main(int argc, char **argv)
{
	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: %s ADDR PORT COUNT CONCURRENCY TIMEOUT_MS LATENCY_FILE [DEADLINE_S]\n",
			argv[0]);
		return 2;
	}
	memset(&target, 0, sizeof(target));
	target.sin_family = AF_INET;
	target.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) {
		fprintf(stderr, "seedload: bad address %s\n", argv[1]);
		return 2;
	}
	count = atol(argv[3]);
	int conc = atoi(argv[4]);
	timeout_ms = atoi(argv[5]);
	if (count <= 0 || conc <= 0 || conc > 1024 || timeout_ms <= 0) {
		fprintf(stderr, "seedload: bad COUNT, CONCURRENCY or TIMEOUT_MS\n");
		return 2;
	}
	lat_us = calloc((size_t)count, sizeof(*lat_us));
	result = calloc((size_t)count, 1);
	pthread_t *th = calloc((size_t)conc, sizeof(*th));
	if (!lat_us || !result || !th)
		return 2;

	double t0 = now_s();
	if (argc == 8)
		deadline = t0 + atof(argv[7]);
	for (int i = 0; i < conc; i++)
		if (pthread_create(&th[i], NULL, worker, NULL)) {
			perror("seedload: pthread_create");
			return 2;
		}
	for (int i = 0; i < conc; i++)
		pthread_join(th[i], NULL);
	double elapsed = now_s() - t0;

	long n[6] = { 0 };
	FILE *f = fopen(argv[6], "w");
	if (!f) {
		perror(argv[6]);
		return 2;
	}
	for (long i = 0; i < count; i++) {
		n[result[i]]++;
		if (result[i] == RES_OK)
			fprintf(f, "%.1f\n", lat_us[i]);
	}
	fclose(f);
	printf("{\"count\": %ld, \"concurrency\": %d, \"ok\": %ld, \"connect_failed\": %ld, "
	       "\"timeouts\": %ld, \"resets\": %ld, \"bad_data\": %ld, \"not_run\": %ld, "
	       "\"elapsed_s\": %.6f}\n",
	       count, conc, n[RES_OK], n[RES_CONNECT], n[RES_TIMEOUT], n[RES_RESET], n[RES_BAD],
	       n[RES_NOTRUN], elapsed);
	return 0;
}
