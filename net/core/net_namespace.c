/* Namespaces (include/net/net_namespace.h): set up and tear down one host's worth of
 * network state. The kernel has init_net only; tests make more. */
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <seqos/errno.h>
#include <seqos/printk.h>
#include <seqos/string.h>

struct net init_net;
static LIST_HEAD(net_namespace_list);
static LIST_HEAD(pernet_list);

void register_pernet_subsys(struct pernet_operations *ops)
{
	struct net *net;

	list_add_tail(&ops->list, &pernet_list);
	list_for_each_entry(net, &net_namespace_list, list)
		if (ops->init)
			ops->init(net);
}

int net_ns_init(struct net *net, const char *name)
{
	struct pernet_operations *ops;

	memset(net, 0, sizeof(*net));
	net->name = name;
	INIT_LIST_HEAD(&net->dev_list);
	list_for_each_entry(ops, &pernet_list, list) {
		int err = ops->init ? ops->init(net) : 0;
		if (err)
			return err;
	}
	list_add_tail(&net->list, &net_namespace_list);
	net->loopback_dev = loopback_dev_create(net);
	return net->loopback_dev ? 0 : -ENOMEM;
}

void net_ns_exit(struct net *net)
{
	struct pernet_operations *ops;
	struct net_device *dev, *tmp;

	/* devices first (their notifiers flush ARP, routes, addresses), loopback last */
	list_for_each_entry_safe(dev, tmp, &net->dev_list, dev_list)
		if (dev != net->loopback_dev)
			unregister_netdev(dev);
	if (net->loopback_dev) {
		unregister_netdev(net->loopback_dev);
		free_netdev(net->loopback_dev);
		net->loopback_dev = NULL;
	}
	for (ops = list_entry(pernet_list.prev, struct pernet_operations, list);
	     &ops->list != &pernet_list;
	     ops = list_entry(ops->list.prev, struct pernet_operations, list))
		if (ops->exit)
			ops->exit(net);
	list_del(&net->list);
}
