/* Starting apps: `app=` on the command line names which to run, comma-separated
 * (default: the seed's server). Each app is an ordinary POSIX program whose main() the
 * build renames app_<file>_main; it runs as its own process (kernel/proc.c) with argv
 * built here. A client run powers the machine off with its exit status when it ends. */
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <seqos/cmdline.h>
#include <seqos/time.h>
#include <seqos/printk.h>
#include <seqos/proc.h>
#include <seqos/sched.h>
#include <seqos/string.h>

int app_server_main(int argc, char **argv);
int app_client_main(int argc, char **argv);
int app_echo_main(int argc, char **argv);
int app_discard_main(int argc, char **argv);
int app_chargen_main(int argc, char **argv);
int app_bulk_main(int argc, char **argv);
int app_http_main(int argc, char **argv);
int app_errtest_main(int argc, char **argv);

struct app {
	const char *name;
	int (*main_fn)(int, char **);
	bool client; /* powers off with its exit status */
};

static const struct app apps[] = {
	{ "server", app_server_main, false },   /* the seed article's server, port 3490 */
	{ "client", app_client_main, true },    /* the seed's client: server=HOST [port=N] */
	{ "echo", app_echo_main, false },       /* RFC 862 echo, TCP and UDP port 7 */
	{ "discard", app_discard_main, false }, /* RFC 863, port 9 */
	{ "chargen", app_chargen_main, false }, /* RFC 864, port 19 */
	{ "bulk", app_bulk_main, false },       /* bulk transfer, port 5001 */
	{ "http", app_http_main, false },       /* HTTP/1.1, port 80 */
	{ "errtest", app_errtest_main, true },  /* socket misuse vs POSIX errno: server=HOST port=P */
};

int seqos_app_port(int dflt) { return (int)cmdline_get_u64("port", (u64)dflt); }

static void start(const struct app *a)
{
	static char *server_argv[3];
	char **argv;
	int argc = 1;
	struct proc *p;

	if (a->client) {
		server_argv[0] = (char *)a->name;
		server_argv[1] = (char *)cmdline_get("server");
		argc = server_argv[1] ? 2 : 1;
		argv = server_argv;
	} else {
		static char *names[ARRAY_SIZE(apps)][2];
		int i = (int)(a - apps);
		names[i][0] = (char *)a->name;
		argv = names[i];
	}
	p = proc_spawn(a->name, a->main_fn, argc, argv, PRIO_DEFAULT);
	if (!p) {
		pr_err("apps: cannot start %s\n", a->name);
		return;
	}
	p->power_off_on_exit = a->client;
	pr_info("apps: started %s (pid %d)\n", a->name, p->pid);
}

/* Clients need an address before they can connect: with ip=dhcp that comes a little
 * after boot. A device with an IPv4 address other than loopback counts as "up". */
#define NET_WAIT_MS 10000

static bool network_configured(void)
{
	for (int i = 1; i < 32; i++) {
		struct net_device *dev = dev_get_by_index(&init_net, i);
		if (dev && !(dev->flags & IFF_LOOPBACK) && inet_dev_has_addr(dev))
			return true;
	}
	return false;
}

static int start_clients(void *arg)
{
	const struct app *a = arg;
	u64 t0 = ktime_get_ns();

	while (!network_configured() && ktime_get_ns() - t0 < NET_WAIT_MS * NSEC_PER_MSEC)
		msleep(2);
	if (!network_configured())
		pr_warn("apps: no network address after %d ms; starting %s anyway\n", NET_WAIT_MS, a->name);
	start(a);
	return 0;
}

void apps_start(void)
{
	const char *list = cmdline_get_or("app", "server");
	char name[24];

	while (*list) {
		size_t n = strcspn(list, ",");
		const struct app *a = NULL;
		strlcpy(name, list, MIN(n + 1, sizeof(name)));
		for (size_t i = 0; i < ARRAY_SIZE(apps); i++)
			if (!strcmp(apps[i].name, name))
				a = &apps[i];
		if (a && a->client) {
			struct thread *t = kthread_create(start_clients, (void *)a, "appstart", PRIO_DEFAULT);
			if (t)
				thread_detach(t);
		} else if (a) {
			start(a);
		}
		else if (strcmp(name, "none"))
			pr_warn("apps: no app named '%s'\n", name);
		list += n;
		if (*list)
			list++;
	}
}
