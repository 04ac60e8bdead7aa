/* The apps' stdio: printf and friends over the kernel's formatter, to the console.
 * stdout and stderr both go to the console; each call writes its whole text at once,
 * so lines of concurrent apps do not interleave mid-line. */
#include <seqos/console.h>
#include <seqos/kmalloc.h>
#include <seqos/string.h>
#include <drivers/serial.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct __seqos_file {
	int fd;
};
static struct __seqos_file files[3] = { { 0 }, { 1 }, { 2 } };
FILE *stdin = &files[0], *stdout = &files[1], *stderr = &files[2];

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char small[256], *buf = small;
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small) && (buf = kmalloc((size_t)n + 1)))
		vsnprintf(buf, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	if (!buf)
		buf = small, n = sizeof(small) - 1;
	(void)f;
	console_write(buf, (size_t)n);
	if (buf != small)
		kfree(buf);
	return n;
}

int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int vsprintf(char *buf, const char *fmt, va_list ap) { return vsnprintf(buf, (size_t)1 << 30, fmt, ap); }

int sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

int fputs(const char *s, FILE *f)
{
	(void)f;
	console_write(s, strlen(s));
	return 0;
}

int puts(const char *s)
{
	return printf("%s\n", s) < 0 ? EOF : 0;
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;
	(void)f;
	console_write(&ch, 1);
	return (unsigned char)c;
}

int putchar(int c) { return fputc(c, stdout); }
int fflush(FILE *f) { (void)f; return 0; }

int getchar(void) { return console_getc(); }

char *fgets(char *s, int n, FILE *f)
{
	int i = 0;
	(void)f;
	while (i < n - 1) {
		int c = console_getc();
		if (c == '\r')
			c = '\n';
		s[i++] = (char)c;
		if (c == '\n')
			break;
	}
	s[i] = 0;
	return i ? s : NULL;
}

static const char *const errnames[] = {
	[EPERM] = "Operation not permitted", [ENOENT] = "No such file or directory",
	[EINTR] = "Interrupted system call", [EIO] = "Input/output error",
	[EBADF] = "Bad file descriptor", [ECHILD] = "No child processes",
	[EAGAIN] = "Resource temporarily unavailable", [ENOMEM] = "Cannot allocate memory",
	[EFAULT] = "Bad address", [EBUSY] = "Device or resource busy", [EEXIST] = "File exists",
	[EINVAL] = "Invalid argument", [EMFILE] = "Too many open files",
	[ENOSPC] = "No space left on device", [EPIPE] = "Broken pipe",
	[ERANGE] = "Numerical result out of range", [ENOSYS] = "Function not implemented",
	[ENOTSOCK] = "Socket operation on non-socket",
	[EDESTADDRREQ] = "Destination address required", [EMSGSIZE] = "Message too long",
	[EPROTOTYPE] = "Protocol wrong type for socket", [ENOPROTOOPT] = "Protocol not available",
	[EPROTONOSUPPORT] = "Protocol not supported", [EOPNOTSUPP] = "Operation not supported",
	[EAFNOSUPPORT] = "Address family not supported by protocol",
	[EADDRINUSE] = "Address already in use", [EADDRNOTAVAIL] = "Cannot assign requested address",
	[ENETDOWN] = "Network is down", [ENETUNREACH] = "Network is unreachable",
	[ECONNABORTED] = "Software caused connection abort", [ECONNRESET] = "Connection reset by peer",
	[ENOBUFS] = "No buffer space available", [EISCONN] = "Transport endpoint is already connected",
	[ENOTCONN] = "Transport endpoint is not connected",
	[ESHUTDOWN] = "Cannot send after transport endpoint shutdown",
	[ETIMEDOUT] = "Connection timed out", [ECONNREFUSED] = "Connection refused",
	[EHOSTUNREACH] = "No route to host", [EALREADY] = "Operation already in progress",
	[EINPROGRESS] = "Operation now in progress",
};

char *strerror(int e)
{
	static char unknown[32];
	if (e >= 0 && e < (int)(sizeof(errnames) / sizeof(errnames[0])) && errnames[e])
		return (char *)errnames[e];
	snprintf(unknown, sizeof(unknown), "Unknown error %d", e);
	return unknown;
}

void perror(const char *s)
{
	int e = errno;
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, strerror(e));
	else
		fprintf(stderr, "%s\n", strerror(e));
}
