/* The apps' POSIX process, time and descriptor calls. Kernel functions return a
 * negative errno; here that becomes -1 with errno set, as POSIX says. */
#include <seqos/file.h>
#include <seqos/proc.h>
#include <seqos/sched.h>
#include <seqos/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int *__errno_location(void) { return &current_thread()->errno_val; }

long __syscall_ret(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

int close(int fd) { return (int)__syscall_ret(fd_close(fd)); }

ssize_t read(int fd, void *buf, size_t n)
{
	struct file *f = fd_get(fd);
	ssize_t r;

	if (!f)
		return __syscall_ret(-EBADF);
	r = f->ops->read ? f->ops->read(f, buf, n) : -EINVAL;
	fput(f);
	return __syscall_ret(r);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct file *f = fd_get(fd);
	ssize_t r;

	if (!f)
		return __syscall_ret(-EBADF);
	r = f->ops->write ? f->ops->write(f, buf, n) : -EINVAL;
	fput(f);
	return __syscall_ret(r);
}

int fcntl(int fd, int cmd, ...)
{
	struct file *f = fd_get(fd);
	va_list ap;
	int r = 0;

	if (!f)
		return (int)__syscall_ret(-EBADF);
	va_start(ap, cmd);
	if (cmd == F_GETFL)
		r = (int)f->flags;
	else if (cmd == F_SETFL)
		f->flags = (f->flags & ~O_NONBLOCK) | (va_arg(ap, int) & O_NONBLOCK);
	else
		r = -EINVAL;
	va_end(ap);
	fput(f);
	return (int)__syscall_ret(r);
}

pid_t getpid(void) { return current_proc() ? current_proc()->pid : 0; }
pid_t getppid(void)
{
	struct proc *p = current_proc();
	return p && p->parent ? p->parent->pid : 0;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return (pid_t)__syscall_ret(proc_waitpid(pid, status, options));
}

pid_t wait(int *status) { return waitpid(-1, status, 0); }

unsigned sleep(unsigned seconds)
{
	msleep((u64)seconds * 1000);
	return 0;
}

int usleep(unsigned long usec)
{
	sleep_ns((u64)usec * 1000);
	return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L)
		return (int)__syscall_ret(-EINVAL);
	sleep_ns((u64)req->tv_sec * NSEC_PER_SEC + (u64)req->tv_nsec);
	if (rem)
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}

extern u64 boot_rtc_unix;

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	u64 ns = ktime_get_ns();
	if (clk == CLOCK_REALTIME)
		ns += boot_rtc_unix * NSEC_PER_SEC;
	ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;
	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t time(time_t *t)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
