/* poll(2) over any files: each file reports its readiness and the wait queue to sleep
 * on; the caller sleeps on all of them at once until one wakes it or the timeout passes,
 * then looks again. select() in the apps' libc is built on this. */
#include <seqos/errno.h>
#include <seqos/file.h>
#include <seqos/kmalloc.h>
#include <seqos/sched.h>
#include <seqos/syscalls.h>
#include <seqos/time.h>
#include <seqos/trace.h>

#define POLL_MAX 256

static unsigned scan(struct kpollfd *fds, unsigned long n, struct wait_queue_head **wqs)
{
	unsigned ready = 0;

	for (unsigned long i = 0; i < n; i++) {
		struct file *f;
		unsigned mask;

		wqs[i] = NULL;
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		f = fd_get(fds[i].fd);
		if (!f) {
			fds[i].revents = POLLNVAL;
			ready++;
			continue;
		}
		mask = f->ops->poll ? f->ops->poll(f, &wqs[i]) : (POLLIN | POLLOUT);
		fput(f);
		fds[i].revents = (short)(mask & ((unsigned)fds[i].events | POLLERR | POLLHUP));
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

long __sys_poll(struct kpollfd *fds, unsigned long n, int timeout_ms)
{
	u64 deadline = timeout_ms > 0 ? ktime_get_ns() + (u64)timeout_ms * NSEC_PER_MSEC : 0;
	struct wait_queue_head **wqs, **queued;
	struct wait_queue_entry *ents;
	long ready;

	TRACE_STEP(sock_poll_wait, 0, n, timeout_ms);
	if (n > POLL_MAX)
		return -EINVAL;
	if (n && !fds)
		return -EFAULT;
	wqs = kcalloc(n ? n : 1, sizeof(*wqs));
	queued = kcalloc(n ? n : 1, sizeof(*queued));
	ents = kcalloc(n ? n : 1, sizeof(*ents));
	if (!wqs || !queued || !ents) {
		kfree(wqs);
		kfree(queued);
		kfree(ents);
		return -ENOMEM;
	}
	for (;;) {
		ready = scan(fds, n, wqs);
		if (ready || timeout_ms == 0)
			break;
		/* Queue on every file, look again (a wakeup may have come in between), sleep. */
		for (unsigned long i = 0; i < n; i++)
			if ((queued[i] = wqs[i]))
				prepare_to_wait(queued[i], &ents[i], "poll");
		ready = scan(fds, n, wqs);
		bool timed_out = false;
		if (!ready) {
			struct wait_queue_entry any = { 0 };
			timed_out = !wait_woken(&any, deadline);
		}
		for (unsigned long i = 0; i < n; i++)
			if (queued[i])
				finish_wait(queued[i], &ents[i]);
		if (ready || timed_out)
			break;
	}
	kfree(wqs);
	kfree(queued);
	kfree(ents);
	return ready;
}
