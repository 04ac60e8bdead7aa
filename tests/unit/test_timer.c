/* Unit tests of the timer wheel (kernel/timer.c) with the shim's jiffies. */
#include "kunit.h"

#include <seqos/softirq.h>
#include <seqos/time.h>
#include <seqos/timer.h>
#include <shim.h>

static int fired[16];
static u64 fired_at[16];
static struct timer_list timers[16];

static void on_fire(struct timer_list *t)
{
	int i = (int)(t - timers);
	fired[i]++;
	fired_at[i] = jiffies;
}

static int setup(void **state)
{
	jiffies = 100000;
	timers_init();
	for (int i = 0; i < 16; i++) {
		timer_setup(&timers[i], on_fire, 0);
		fired[i] = 0;
		fired_at[i] = 0;
	}
	return 0;
}

/* Moves jiffies forward one at a time, running the wheel as the tick would. */
static void tick_to(u64 j)
{
	while (jiffies < j) {
		jiffies++;
		run_timers();
	}
}

static void test_fires_at_expiry_not_before(void **state)
{
	mod_timer(&timers[0], jiffies + 10);
	tick_to(jiffies + 9);
	assert_int_equal(fired[0], 0);
	assert_true(timer_pending(&timers[0]));
	tick_to(jiffies + 1);
	assert_int_equal(fired[0], 1);
	assert_false(timer_pending(&timers[0]));
	tick_to(jiffies + 1000);
	assert_int_equal(fired[0], 1);
}

static void test_mod_and_del_return_values(void **state)
{
	assert_int_equal(mod_timer(&timers[1], jiffies + 5), 0);
	assert_int_equal(mod_timer(&timers[1], jiffies + 50), 1);
	tick_to(jiffies + 10);
	assert_int_equal(fired[1], 0); /* re-armed later: the first expiry is gone */
	assert_int_equal(del_timer(&timers[1]), 1);
	assert_int_equal(del_timer(&timers[1]), 0);
	tick_to(jiffies + 100);
	assert_int_equal(fired[1], 0);
}

static void test_long_timer_survives_wheel_turns(void **state)
{
	u64 start = jiffies, when = start + 256 * 3 + 17;
	mod_timer(&timers[2], when);
	tick_to(when - 1);
	assert_int_equal(fired[2], 0);
	tick_to(when);
	assert_int_equal(fired[2], 1);
	assert_int_equal(fired_at[2], when);
}

static void test_gap_runs_everything_due_once(void **state)
{
	/* A long gap (softirqs starved, or a host test jumping hours) runs all due
	 * timers exactly once and leaves later ones alone. */
	for (int i = 0; i < 8; i++)
		mod_timer(&timers[i], jiffies + 1 + i * 97);
	mod_timer(&timers[8], jiffies + 100000);
	jiffies += 5000;
	run_timers();
	for (int i = 0; i < 8; i++)
		assert_int_equal(fired[i], 1);
	assert_int_equal(fired[8], 0);
	assert_true(timer_pending(&timers[8]));
	del_timer(&timers[8]);
}

static void rearm_now(struct timer_list *t)
{
	fired[3]++;
	if (fired[3] < 3)
		mod_timer(t, jiffies); /* due at once: must not loop inside run_timers */
}

static void test_rearm_for_now_runs_next_tick(void **state)
{
	timer_setup(&timers[3], rearm_now, 0);
	mod_timer(&timers[3], jiffies + 1);
	tick_to(jiffies + 1);
	assert_int_equal(fired[3], 1);
	tick_to(jiffies + 1);
	assert_int_equal(fired[3], 2);
	tick_to(jiffies + 1);
	assert_int_equal(fired[3], 3);
	tick_to(jiffies + 10);
	assert_int_equal(fired[3], 3);
}

static void delete_other(struct timer_list *t)
{
	fired[4]++;
	del_timer(&timers[5]);
}

static void test_handler_deletes_another_due_timer(void **state)
{
	timer_setup(&timers[4], delete_other, 0);
	mod_timer(&timers[4], jiffies + 3);
	mod_timer(&timers[5], jiffies + 3);
	tick_to(jiffies + 3);
	assert_int_equal(fired[4], 1);
	assert_int_equal(fired[5], 0);
	assert_false(timer_pending(&timers[5]));
}

static void test_next_expiry_and_tick_raise(void **state)
{
	assert_true(timer_next_expiry() == ~0ULL);
	mod_timer(&timers[6], jiffies + 40);
	mod_timer(&timers[7], jiffies + 7);
	assert_int_equal(timer_next_expiry(), jiffies + 7);
	shim_run_softirqs(); /* clear whatever was pending */
	jiffies += 1;
	timer_tick();
	assert_false(shim_softirq_pending(TIMER_SOFTIRQ));
	jiffies += 6;
	timer_tick();
	assert_true(shim_softirq_pending(TIMER_SOFTIRQ));
	run_timers();
	assert_int_equal(fired[7], 1);
	del_timer(&timers[6]);
}

static void test_timer_in_the_past_fires_next_run(void **state)
{
	mod_timer(&timers[9], jiffies - 50);
	run_timers();
	assert_int_equal(fired[9], 1);
}

static void for_each_count(const struct timer_list *t, void *arg) { (*(int *)arg)++; }

static void test_for_each_visits_pending(void **state)
{
	int n = 0;
	mod_timer(&timers[10], jiffies + 3);
	mod_timer(&timers[11], jiffies + 300);
	timer_for_each(for_each_count, &n);
	assert_int_equal(n, 2);
	del_timer(&timers[10]);
	del_timer(&timers[11]);
	n = 0;
	timer_for_each(for_each_count, &n);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fires_at_expiry_not_before, setup),
		cmocka_unit_test_setup(test_mod_and_del_return_values, setup),
		cmocka_unit_test_setup(test_long_timer_survives_wheel_turns, setup),
		cmocka_unit_test_setup(test_gap_runs_everything_due_once, setup),
		cmocka_unit_test_setup(test_rearm_for_now_runs_next_tick, setup),
		cmocka_unit_test_setup(test_handler_deletes_another_due_timer, setup),
		cmocka_unit_test_setup(test_next_expiry_and_tick_raise, setup),
		cmocka_unit_test_setup(test_timer_in_the_past_fires_next_run, setup),
		cmocka_unit_test_setup(test_for_each_visits_pending, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
