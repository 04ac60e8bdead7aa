/* Unit tests of the kernel's own libc pieces (kernel/lib/), linked renamed as k_*, and of
 * the command-line parser (kernel/cmdline.c). The printf tests compare with glibc. */
#include "kunit.h"

#include <seqos/cmdline.h>
#include <string.h>

int k_snprintf(char *buf, size_t size, const char *fmt, ...);
size_t k_strlen(const char *s);
int k_strcmp(const char *a, const char *b);
int k_strncmp(const char *a, const char *b, size_t n);
int k_strcasecmp(const char *a, const char *b);
void *k_memmove(void *d, const void *s, size_t n);
void *k_memcpy(void *d, const void *s, size_t n);
void *k_memset(void *d, int c, size_t n);
int k_memcmp(const void *a, const void *b, size_t n);
char *k_strstr(const char *h, const char *n);
char *k_strrchr(const char *s, int c);
size_t k_strlcpy(char *d, const char *s, size_t n);
unsigned long long k_strtoull(const char *s, char **end, int base);
long k_strtol(const char *s, char **end, int base);

#define SAME(fmt, ...)                                                            \
	do {                                                                      \
		char a[128], b[128];                                              \
		int na = k_snprintf(a, sizeof(a), fmt, __VA_ARGS__);              \
		int nb = snprintf(b, sizeof(b), fmt, __VA_ARGS__);                \
		assert_string_equal(a, b);                                        \
		assert_int_equal(na, nb);                                         \
	} while (0)

static void test_printf_matches_glibc(void **state)
{
	SAME("%d %i %u", 0, -1, 4000000000u);
	SAME("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42);
	SAME("%x %X %#x %#o %o", 255u, 255u, 255u, 8u, 0u);
	SAME("%ld %lu %lld %llx", -9223372036854775807L - 1, 18446744073709551615UL, -5LL, 0xdeadbeefcafeULL);
	SAME("%hhd %hd %hhu %hu", 300, 70000, 300, 70000);
	SAME("%zu %zd", (size_t)123456, (ssize_t)-7);
	SAME("%s|%10s|%-10s|%.3s|%.*s", "abc", "abc", "abc", "abcdef", 2, "xyz");
	SAME("%c%c%5c|%-3c|", 'a', 'b', 'c', 'd');
	SAME("%.0d|%.5d|%8.3d|%-8.3d", 0, 42, -42, 42);
	SAME("%p %%", (void *)0x1234);
	SAME("%*d|%-*d|%.*d", 6, 1, 6, 2, 4, 3);
	SAME("%#x %#X %#o", 0u, 0u, 0u);
}

static void test_printf_truncates_and_returns_full_length(void **state)
{
	char buf[8];
	assert_int_equal(k_snprintf(buf, sizeof(buf), "hello, %s", "world"), 12);
	assert_string_equal(buf, "hello, ");
	assert_int_equal(k_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(k_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	k_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	assert_string_equal(buf, "(null)");
}

static void test_strings(void **state)
{
	char buf[32];
	assert_int_equal(k_strlen("abc"), 3);
	assert_true(k_strcmp("abc", "abd") < 0 && k_strcmp("b", "a") > 0 && !k_strcmp("x", "x"));
	assert_int_equal(k_strncmp("abcX", "abcY", 3), 0);
	assert_int_equal(k_strcasecmp("HeLLo", "hello"), 0);
	assert_string_equal(k_strstr("find the needle here", "needle"), "needle here");
	assert_null(k_strstr("abc", "abd"));
	assert_string_equal(k_strrchr("a/b/c", '/'), "/c");
	assert_int_equal(k_strlcpy(buf, "truncate me please", 9), 18);
	assert_string_equal(buf, "truncate");
	strcpy(buf, "0123456789");
	k_memmove(buf + 2, buf, 8); /* overlapping, upward */
	assert_string_equal(buf, "0101234567");
	k_memmove(buf, buf + 2, 8); /* overlapping, downward */
	assert_string_equal(buf, "0123456767");
	k_memset(buf, 'z', 3);
	assert_int_equal(k_memcmp(buf, "zzz3", 4), 0);
}

static void test_strtoull(void **state)
{
	char *end;
	assert_int_equal(k_strtoull("12345xyz", &end, 10), 12345);
	assert_string_equal(end, "xyz");
	assert_int_equal(k_strtoull("0x1F", &end, 0), 31);
	assert_int_equal(k_strtoull("017", &end, 0), 15);
	assert_int_equal(k_strtoull("  42", &end, 0), 42);
	assert_int_equal(k_strtol("-12", &end, 10), -12);
	k_strtoull("nothing", &end, 10);
	assert_string_equal(end, "nothing");
	assert_true(k_strtoull("99999999999999999999999", &end, 10) == ~0ULL); /* saturates */
}

static void test_cmdline_parse(void **state)
{
	assert_int_equal(cmdline_parse("app=client server=10.0.2.2  port=3490\tquiet"), 4);
	assert_string_equal(cmdline_get("app"), "client");
	assert_string_equal(cmdline_get("server"), "10.0.2.2");
	assert_int_equal(cmdline_get_u64("port", 0), 3490);
	assert_string_equal(cmdline_get("quiet"), "");
	assert_null(cmdline_get("ip"));
	assert_string_equal(cmdline_get_or("ip", "dhcp"), "dhcp");
	assert_true(cmdline_flag("app", "client"));
	assert_false(cmdline_flag("app", "server"));
	assert_string_equal(cmdline_text(), "app=client server=10.0.2.2  port=3490\tquiet");
}

static void test_cmdline_file_form_comments_and_override(void **state)
{
	cmdline_parse("# seqos command line\napp=echo   # the echo server\nloglevel=4\napp=http\n");
	assert_string_equal(cmdline_get("app"), "http"); /* the later word wins */
	assert_int_equal(cmdline_get_u64("loglevel", 7), 4);
	assert_null(cmdline_get("#"));
	assert_null(cmdline_get("the"));
}

static int unknown_count;
static char unknown_seen[64];
static void report(const char *k)
{
	unknown_count++;
	strcat(unknown_seen, k);
	strcat(unknown_seen, ";");
}

static void test_cmdline_unknown_and_limits(void **state)
{
	char big[2000] = "";
	cmdline_parse("app=none bogus=1 other port=x");
	unknown_count = 0;
	unknown_seen[0] = 0;
	assert_int_equal(cmdline_unknown(report), 2);
	assert_string_equal(unknown_seen, "bogus;other;");
	assert_int_equal(cmdline_get_u64("port", 77), 77); /* not a number: the default */
	for (int i = 0; i < 60; i++)
		sprintf(big + strlen(big), "k%d=%d ", i, i);
	assert_int_equal(cmdline_parse(big), CMDLINE_MAX_ARGS);
	assert_int_equal(cmdline_dropped(), 60 - CMDLINE_MAX_ARGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_matches_glibc),
		cmocka_unit_test(test_printf_truncates_and_returns_full_length),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_strtoull),
		cmocka_unit_test(test_cmdline_parse),
		cmocka_unit_test(test_cmdline_file_form_comments_and_override),
		cmocka_unit_test(test_cmdline_unknown_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
