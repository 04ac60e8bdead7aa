/* DHCP client (RFC 2131, options RFC 2132; net/ipv4/dhcp.c) and the boot-time network
 * configuration (net/ipv4/ipconfig.c).
 *
 *   worker: dhcp_start -> DISCOVER ... (UDP 68) udp_rcv -> sk_data_ready -> queue_work
 *           -> dhcp_rx_work: OFFER -> REQUEST; ACK -> configure address, route, DNS;
 *           T1 (renew, unicast) and T2 (rebind, broadcast) on delayed work items. */
#ifndef NET_DHCP_H
#define NET_DHCP_H

#include <seqos/types.h>

struct net_device;
struct net;

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

enum { DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK, DHCPRELEASE,
       DHCPINFORM };

/* A parsed (or to-be-built) message: the fixed fields and the options we use. */
struct dhcp_msg {
	u8 op;                 /* 1 request, 2 reply */
	u8 type;               /* option 53, DHCP* */
	u32 xid;
	u16 secs, flags;       /* flags bit 15: broadcast */
	be32 ciaddr, yiaddr, siaddr, giaddr;
	u8 chaddr[6];
	be32 server_id;        /* option 54 */
	be32 requested_ip;     /* option 50 */
	be32 subnet_mask;      /* option 1 */
	be32 router;           /* option 3, first */
	be32 dns[3];           /* option 6 */
	u8 ndns;
	u32 lease, t1, t2;     /* options 51, 58, 59 (seconds, 0 = absent) */
};
#define DHCP_FLAG_BROADCAST 0x8000
#define DHCP_MIN_LEN 240       /* fixed part + magic cookie */

/* Parses a BOOTP/DHCP message: length, op, htype 1/hlen 6, the magic cookie, and every
 * option's length against the data (a missing END is tolerated at the end of data).
 * Returns 0, or -1. */
int dhcp_parse(const u8 *buf, size_t len, struct dhcp_msg *out);
/* Builds a message with the options for its type; returns the length, or 0. */
size_t dhcp_build(const struct dhcp_msg *m, u8 *buf, size_t cap);

enum dhcp_state { DHCP_OFF, DHCP_INIT, DHCP_SELECTING, DHCP_REQUESTING, DHCP_BOUND,
		  DHCP_RENEWING, DHCP_REBINDING, DHCP_REBOOTING };

/* Starts the client on dev (opened, carrier may come later). Thread/work context. */
int dhcp_start(struct net_device *dev);
void dhcp_stop(struct net_device *dev);
enum dhcp_state dhcp_get_state(const struct net_device *dev);
void dhcp_init(void);

/* Boot configuration from the kernel command line, applied to the first Ethernet
 * device when it registers (or at once): ip NULL or "dhcp" starts DHCP; otherwise
 * "A.B.C.D/N" with optional gw and dns (NULL when absent). 0 or -EINVAL. */
int net_config_from_cmdline(const char *ip, const char *gw, const char *dns);

#endif
