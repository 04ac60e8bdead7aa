/* Unit tests of the tracer's ring (kernel/trace.c): order, wraparound, loss marking,
 * whole records, names, categories, text format. */
#include "kunit.h"

#include <seqos/trace.h>
#include <shim.h>
#include <string.h>

static int setup_small(void **state)
{
	assert_int_equal(trace_init(8), 0);
	trace_set_mask(TRC_ALL);
	return 0;
}

static size_t drain(struct trace_rec *out, size_t max) { return trace_consume(0, out, max); }

static void test_records_in_order_with_fields(void **state)
{
	struct trace_rec r[8];
	trace_event(test_event, 42, 7, 9);
	trace_begin(softirq, 0, 3, 0);
	trace_end(softirq, 0, 3, 0);
	assert_int_equal(drain(r, 8), 3);
	assert_int_equal(r[0].event, TR_test_event);
	assert_int_equal(r[0].phase, TRACE_INSTANT);
	assert_int_equal(r[0].pkt, 42);
	assert_int_equal(r[0].a0, 7);
	assert_int_equal(r[0].a1, 9);
	assert_int_equal(r[1].phase, TRACE_BEGIN);
	assert_int_equal(r[2].phase, TRACE_END);
	assert_true(r[0].seq + 1 == r[1].seq && r[1].seq + 1 == r[2].seq);
	assert_int_equal(drain(r, 8), 0);
}

static void test_wraparound_keeps_order(void **state)
{
	struct trace_rec r[8];
	u64 next = 0;
	/* Several laps around an 8-slot ring, in uneven chunks. */
	for (int lap = 0; lap < 10; lap++) {
		int n = 1 + lap % 7;
		for (int i = 0; i < n; i++)
			trace_event(test_event, 0, next + i, 0);
		size_t got = drain(r, 8);
		assert_int_equal(got, (size_t)n);
		for (size_t i = 0; i < got; i++)
			assert_int_equal(r[i].a0, next + i);
		next += n;
	}
}

static void test_full_ring_counts_and_marks_losses(void **state)
{
	struct trace_rec r[8];
	struct trace_stats st;

	for (int i = 0; i < 11; i++)
		trace_event(test_event, 0, i, 0);
	trace_get_stats(&st);
	assert_int_equal(st.lost, 3);
	assert_int_equal(st.used, 8);
	assert_int_equal(drain(r, 4), 4);
	trace_event(test_event, 0, 100, 0);
	assert_int_equal(drain(r, 8), 6);
	/* the 4 oldest survivors, then the loss marker, then the new record */
	assert_int_equal(r[0].a0, 4);
	assert_int_equal(r[3].a0, 7);
	assert_int_equal(r[4].event, TR_trace_lost);
	assert_int_equal(r[4].a0, 3);
	assert_int_equal(r[5].event, TR_test_event);
	assert_int_equal(r[5].a0, 100);
	/* a marker once: later records flow normally */
	trace_event(test_event, 0, 101, 0);
	assert_int_equal(drain(r, 8), 1);
	assert_int_equal(r[0].a0, 101);
}

static void test_loss_marker_needs_room_for_itself_and_the_record(void **state)
{
	struct trace_rec r[8];
	struct trace_stats st;

	for (int i = 0; i < 9; i++) /* one lost */
		trace_event(test_event, 0, i, 0);
	assert_int_equal(drain(r, 1), 1); /* one free slot: not enough for marker + record */
	assert_int_equal(drain(r, 0), 0);
	trace_event(test_event, 0, 50, 0);
	trace_get_stats(&st);
	assert_int_equal(st.lost, 2);
	/* The reader meets the gap and marks it: both losses in one marker. */
	assert_int_equal(drain(r, 8), 8);
	assert_int_equal(r[7].event, TR_trace_lost);
	assert_int_equal(r[7].a0, 2);
	trace_event(test_event, 0, 51, 0);
	assert_int_equal(drain(r, 8), 1);
	assert_int_equal(r[0].a0, 51);
}

static void test_reader_marks_losses_at_the_gap(void **state)
{
	struct trace_rec r[16];
	for (int i = 0; i < 20; i++) /* 12 lost, and nobody writes afterwards */
		trace_event(test_event, 0, i, 0);
	assert_int_equal(drain(r, 16), 9);
	for (int i = 0; i < 8; i++)
		assert_int_equal(r[i].a0, i);
	assert_int_equal(r[8].event, TR_trace_lost);
	assert_int_equal(r[8].a0, 12);
	assert_int_equal(drain(r, 16), 0); /* reported once */
}

static void test_mask_filters_categories(void **state)
{
	struct trace_rec r[8];
	trace_set_mask(TRC_NET);
	trace_event(test_event, 0, 1, 0); /* CORE: off */
	trace_begin(softirq, 0, 1, 0);   /* IRQ: off */
	assert_int_equal(drain(r, 8), 0);
	trace_set_mask(TRC_CORE);
	trace_event(test_event, 0, 1, 0);
	assert_int_equal(drain(r, 8), 1);
	trace_set_mask(0);
	trace_event(test_event, 0, 1, 0);
	assert_int_equal(drain(r, 8), 0);
}

static void scoped(void)
{
	TRACE_STEP(softirq, 5, 1, 2);
	trace_event(test_event, 5, 0, 0);
}

static void test_trace_step_records_begin_and_end(void **state)
{
	struct trace_rec r[8];
	scoped();
	assert_int_equal(drain(r, 8), 3);
	assert_int_equal(r[0].phase, TRACE_BEGIN);
	assert_int_equal(r[0].event, TR_softirq);
	assert_int_equal(r[1].event, TR_test_event);
	assert_int_equal(r[2].phase, TRACE_END);
	assert_int_equal(r[2].event, TR_softirq);
	assert_int_equal(r[2].pkt, 5);
}

static void test_parse_mask(void **state)
{
	bool ok;
	assert_int_equal(trace_parse_mask("irq,net", &ok), TRC_IRQ | TRC_NET);
	assert_true(ok);
	assert_int_equal(trace_parse_mask("all", &ok), TRC_ALL);
	assert_int_equal(trace_parse_mask("off", &ok), 0);
	assert_true(ok);
	trace_parse_mask("irq,bogus", &ok);
	assert_false(ok);
}

static void test_names_and_format(void **state)
{
	struct trace_rec r[8];
	char line[200];

	trace_name(CTX_WORK, 77, "a_rather_long_work_function_name");
	assert_string_equal(trace_lookup_name(CTX_WORK, 77), "a_rather_long_work_function_nam");
	trace_name(CTX_WORK, 77, "renamed");
	assert_string_equal(trace_lookup_name(CTX_WORK, 77), "renamed");
	assert_null(trace_lookup_name(CTX_WORK, 78));
	drain(r, 8); /* meta records */
	trace_event(test_event, 9, 123, 456);
	assert_int_equal(drain(r, 8), 1);
	trace_format(&r[0], 1000000000, line, sizeof(line));
	assert_non_null(strstr(line, "test_event"));
	assert_non_null(strstr(line, "a=123 b=456"));
	assert_non_null(strstr(line, "pkt=9"));
}

static void test_meta_records_carry_names_in_chunks(void **state)
{
	struct trace_rec r[8];
	char name[33] = { 0 };
	trace_name(CTX_THREAD, 5, "abcdefghijklmnopqrstu"); /* 21 chars: two chunks */
	assert_int_equal(drain(r, 8), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(r[i].event, TR_trace_meta);
		assert_int_equal(r[i].pkt, TRACE_CTX(CTX_THREAD, 5));
		assert_int_equal(r[i].flags, i);
		memcpy(name + 16 * i, &r[i].a0, 8);
		memcpy(name + 16 * i + 8, &r[i].a1, 8);
	}
	assert_string_equal(name, "abcdefghijklmnopqrstu");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_records_in_order_with_fields, setup_small),
		cmocka_unit_test_setup(test_wraparound_keeps_order, setup_small),
		cmocka_unit_test_setup(test_full_ring_counts_and_marks_losses, setup_small),
		cmocka_unit_test_setup(test_loss_marker_needs_room_for_itself_and_the_record, setup_small),
		cmocka_unit_test_setup(test_reader_marks_losses_at_the_gap, setup_small),
		cmocka_unit_test_setup(test_mask_filters_categories, setup_small),
		cmocka_unit_test_setup(test_trace_step_records_begin_and_end, setup_small),
		cmocka_unit_test_setup(test_parse_mask, setup_small),
		cmocka_unit_test_setup(test_names_and_format, setup_small),
		cmocka_unit_test_setup(test_meta_records_carry_names_in_chunks, setup_small),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	trace_init(1); /* frees the last ring before the leak check */
	return rc;
}
