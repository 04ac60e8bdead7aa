/* Unit tests of the tasklet state machine (kernel/tasklet.c): scheduled once, never
 * concurrent with itself, disable/enable, kill, HI before normal. Softirqs run when the
 * test says so (shim_run_softirqs), like irq_exit would. */
#include "kunit.h"

#include <seqos/interrupt.h>
#include <shim.h>

void tasklet_init_softirqs(void);

static struct tasklet_struct a, b, self_resched;
static int runs_a, runs_b, order[8], norder, resched_left;

static void fn_a(unsigned long d) { runs_a++; order[norder++] = (int)d; }
static void fn_b(unsigned long d) { runs_b++; order[norder++] = (int)d; }

static void fn_self(unsigned long d)
{
	/* Scheduling itself while running queues exactly one more run. */
	if (resched_left-- > 0) {
		tasklet_schedule(&self_resched);
		tasklet_schedule(&self_resched);
	}
}

static int setup(void **state)
{
	static bool once;
	if (!once)
		tasklet_init_softirqs();
	once = true;
	shim_run_softirqs();
	tasklet_init(&a, fn_a, 1);
	tasklet_init(&b, fn_b, 2);
	runs_a = runs_b = norder = 0;
	return 0;
}

static void test_scheduled_twice_runs_once(void **state)
{
	tasklet_schedule(&a);
	tasklet_schedule(&a);
	assert_true(shim_softirq_pending(TASKLET_SOFTIRQ));
	assert_true(a.state & (1UL << TASKLET_STATE_SCHED));
	shim_run_softirqs();
	assert_int_equal(runs_a, 1);
	assert_int_equal(a.state, 0);
	shim_run_softirqs();
	assert_int_equal(runs_a, 1);
}

static void test_rescheduled_from_itself_runs_again(void **state)
{
	tasklet_init(&self_resched, fn_self, 0);
	resched_left = 3;
	tasklet_schedule(&self_resched);
	for (int i = 0; i < 10; i++)
		shim_run_softirqs();
	assert_int_equal(self_resched.runs, 4);
}

static void test_disabled_stays_queued_until_enabled(void **state)
{
	tasklet_disable(&a);
	tasklet_schedule(&a);
	shim_run_softirqs();
	shim_run_softirqs();
	assert_int_equal(runs_a, 0);
	assert_true(a.state & (1UL << TASKLET_STATE_SCHED)); /* still queued */
	tasklet_enable(&a);
	shim_run_softirqs();
	assert_int_equal(runs_a, 1);
}

static void test_fifo_order_and_hi_first(void **state)
{
	tasklet_schedule(&a);
	tasklet_hi_schedule(&b);
	shim_run_softirqs();
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], 2); /* HI_SOFTIRQ runs before TASKLET_SOFTIRQ */
	assert_int_equal(order[1], 1);
}

static void test_kill_waits_for_a_scheduled_run(void **state)
{
	tasklet_schedule(&a);
	tasklet_kill(&a); /* the shim's yield runs the pending softirq */
	assert_int_equal(runs_a, 1);
	assert_int_equal(a.state, 0);
	tasklet_kill(&a); /* idle: returns at once */
	assert_int_equal(runs_a, 1);
}

static void test_running_tasklet_is_not_run_again_concurrently(void **state)
{
	/* Pretend another CPU is running it: the RUN bit is its lock. */
	a.state |= 1UL << TASKLET_STATE_RUN;
	tasklet_schedule(&a);
	shim_run_softirqs();
	assert_int_equal(runs_a, 0);
	assert_true(shim_softirq_pending(TASKLET_SOFTIRQ)); /* requeued, softirq raised again */
	a.state &= ~(1UL << TASKLET_STATE_RUN);
	shim_run_softirqs();
	assert_int_equal(runs_a, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_scheduled_twice_runs_once, setup),
		cmocka_unit_test_setup(test_rescheduled_from_itself_runs_again, setup),
		cmocka_unit_test_setup(test_disabled_stays_queued_until_enabled, setup),
		cmocka_unit_test_setup(test_fifo_order_and_hi_first, setup),
		cmocka_unit_test_setup(test_kill_waits_for_a_scheduled_run, setup),
		cmocka_unit_test_setup(test_running_tasklet_is_not_run_again_concurrently, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
