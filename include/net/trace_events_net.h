/* Trace events of the network stack; see include/seqos/trace_events.h for the format.
 * Order follows the send and receive paths of DESIGN.md. The packet id (skb->id) is the
 * record's pkt field, so it is not repeated in the arguments. Addresses are shown as
 * host-order hex (0a00020f = 10.0.2.15). */
#ifndef NET_TRACE_EVENTS_NET_H
#define NET_TRACE_EVENTS_NET_H

#define TRACE_EVENTS_NET(E)                                                                  \
	E(napi_schedule, NET, HANDOFF, "to=%#lx napi=%lu")                                    \
	/* buffers (net/core/skbuff.c) */                                                     \
	E(skb_alloc, NET, INSTANT, "size=%lu pool=%lu")                                      \
	E(skb_clone, NET, INSTANT, "parent=%lu copy=%lu")                                    \
	E(kfree_skb, NET, INSTANT, "reason=%lu len=%lu")                                     \
	E(consume_skb, NET, INSTANT, "len=%lu -=%lu")                                        \
	/* receive: NAPI and the device layer (net/core/dev.c) */                             \
	E(net_rx_action, NET, STEP, "budget=%lu usecs=%lu")                                  \
	E(napi_poll, NET, STEP, "napi=%lu weight=%lu")                                       \
	E(napi_complete_done, NET, INSTANT, "napi=%lu work=%lu")                             \
	E(time_squeeze, NET, INSTANT, "processed=%lu elapsed_us=%lu")                        \
	E(netif_rx, NET, HANDOFF, "to=%#lx qlen=%lu")                                         \
	E(netif_receive_skb, NET, STEP, "proto=%lx len=%lu")                                 \
	/* transmit: the device layer */                                                      \
	E(dev_queue_xmit, NET, STEP, "ifindex=%lu len=%lu")                                  \
	E(dev_hard_start_xmit, NET, STEP, "ifindex=%lu len=%lu")                             \
	E(netif_stop_queue, NET, INSTANT, "ifindex=%lu qlen=%lu")                            \
	E(netif_wake_queue, NET, HANDOFF, "to=%#lx ifindex=%lu")                              \
	E(net_tx_action, NET, STEP, "freed=%lu -=%lu")                                       \
	/* ARP and the neighbour cache (net/ipv4/arp.c) */                                    \
	E(arp_rcv, NET, STEP, "op=%lu sip=%lx")                                              \
	E(arp_send, NET, INSTANT, "op=%lu tip=%lx")                                          \
	E(neigh_resolve_output, NET, STEP, "ip=%lx state=%lx")                               \
	E(neigh_update, NET, INSTANT, "ip=%lx state=%lx")                                    \
	E(neigh_timer_handler, NET, STEP, "ip=%lx state=%lx")                                \
	/* IPv4 input (net/ipv4/ip_input.c, ip_fragment.c) */                                 \
	E(ip_rcv, NET, STEP, "len=%lu proto=%lu")                                            \
	E(ip_rcv_finish, NET, STEP, "daddr=%lx saddr=%lx")                                   \
	E(ip_local_deliver, NET, STEP, "proto=%lu len=%lu")                                  \
	E(ip_defrag, NET, STEP, "ipid=%lu offset=%lu")                                       \
	E(ip_expire, NET, STEP, "ipid=%lu frags=%lu")                                        \
	/* IPv4 output (net/ipv4/ip_output.c) */                                              \
	E(ip_queue_xmit, NET, STEP, "daddr=%lx proto=%lu")                                   \
	E(ip_local_out, NET, STEP, "len=%lu ipid=%lu")                                       \
	E(ip_output, NET, STEP, "ifindex=%lu len=%lu")                                       \
	E(ip_finish_output, NET, STEP, "len=%lu mtu=%lu")                                    \
	E(ip_fragment, NET, STEP, "len=%lu mtu=%lu")                                         \
	E(ip_finish_output2, NET, STEP, "nexthop=%lx ifindex=%lu")                           \
	/* ICMP (net/ipv4/icmp.c, ping.c) */                                                  \
	E(icmp_rcv, NET, STEP, "type=%lu code=%lu")                                          \
	E(icmp_send, NET, STEP, "type=%lu code=%lu")                                         \
	E(icmp_reply, NET, STEP, "type=%lu len=%lu")                                         \
	E(icmp_ratelimited, NET, INSTANT, "type=%lu code=%lu")                               \
	E(ping_rcv, NET, INSTANT, "ident=%lu seq=%lu")                                       \
	/* UDP (net/ipv4/udp.c) */                                                            \
	E(udp_rcv, NET, STEP, "sport=%lu dport=%lu")                                         \
	E(udp_queue_rcv_skb, NET, STEP, "sock=%lu qlen=%lu")                                 \
	E(sk_data_ready, NET, INSTANT, "sock=%lu qlen=%lu")                                  \
	E(udp_err, NET, INSTANT, "sock=%lu err=%lu")                                         \
	E(udp_sendmsg, NET, STEP, "len=%lu dport=%lu")                                       \
	E(udp_recvmsg, NET, STEP, "sock=%lu len=%lu")                                        \
	/* DHCP client and DNS resolver (net/ipv4/dhcp.c, net/dns.c) */                       \
	E(dhcp_send, NET, INSTANT, "type=%lu xid=%lx")                                       \
	E(dhcp_rcv, NET, INSTANT, "type=%lu xid=%lx")                                        \
	E(dhcp_state, NET, INSTANT, "from=%lu to=%lu")                                       \
	E(dns_query, NET, INSTANT, "qid=%lu tries=%lu")                                      \
	E(dns_reply, NET, INSTANT, "qid=%lu rcode=%lu")                                      \
	/* socket ownership (net/core/sock.c) */                                             \
	E(sk_add_backlog, SOCK, INSTANT, "sock=%lu qlen=%lu")                                \
	E(release_sock, SOCK, STEP, "sock=%lu backlog=%lu")                                  \
	E(sk_write_space, SOCK, INSTANT, "sock=%lu wmem=%lu")                                \
	E(sk_state_change, SOCK, INSTANT, "sock=%lu state=%lu")                              \
	/* TCP, send path (net/ipv4/tcp.c, tcp_output.c) */                                  \
	E(tcp_sendmsg, TCP, STEP, "sock=%lu len=%lu")                                        \
	E(tcp_push, TCP, STEP, "sock=%lu nonagle=%lu")                                       \
	E(tcp_write_xmit, TCP, STEP, "sock=%lu cwnd=%lu")                                    \
	E(tcp_transmit_skb, TCP, STEP, "seq=%lx flags=%lx")                                  \
	E(tcp_xmit_wait, TCP, INSTANT, "why=%lu val=%lu") /* 1 cwnd 2 rwnd 3 nagle 4 cork */ \
	E(tcp_retransmit_skb, TCP, STEP, "seq=%lx len=%lu")                                  \
	E(tcp_send_ack, TCP, STEP, "rcv_nxt=%lx wnd=%lu")                                    \
	E(tcp_send_delayed_ack, TCP, INSTANT, "sock=%lu ato_ms=%lu")                         \
	E(tcp_send_fin, TCP, STEP, "sock=%lu seq=%lx")                                       \
	E(tcp_send_synack, TCP, STEP, "iss=%lx cookie=%lu")                                  \
	E(tcp_connect, TCP, STEP, "sock=%lu iss=%lx")                                        \
	E(tcp_v4_send_reset, TCP, INSTANT, "seq=%lx ack=%lx")                                \
	E(tcp_send_active_reset, TCP, INSTANT, "sock=%lu state=%lu")                         \
	E(tcp_send_probe0, TCP, INSTANT, "sock=%lu backoff=%lu")                             \
	/* TCP, receive path (net/ipv4/tcp_ipv4.c, tcp_input.c) */                           \
	E(tcp_v4_rcv, TCP, STEP, "sport=%lu dport=%lu")                                      \
	E(tcp_v4_do_rcv, TCP, STEP, "sock=%lu state=%lu")                                    \
	E(tcp_rcv_established, TCP, STEP, "sock=%lu fast=%lu")                               \
	E(tcp_rcv_state_process, TCP, STEP, "sock=%lu state=%lu")                            \
	E(tcp_ack, TCP, STEP, "ack=%lx flag=%lx")                                            \
	E(tcp_data_queue, TCP, STEP, "seq=%lx len=%lu")                                      \
	E(tcp_data_queue_ofo, TCP, STEP, "seq=%lx len=%lu")                                  \
	E(tcp_ofo_queue, TCP, STEP, "sock=%lu moved=%lu")                                    \
	E(tcp_recvmsg, TCP, STEP, "sock=%lu len=%lu")                                        \
	E(tcp_conn_request, TCP, STEP, "sock=%lu qlen=%lu")                                  \
	E(tcp_check_req, TCP, STEP, "sock=%lu cookie=%lu")                                   \
	E(tcp_v4_syn_recv_sock, TCP, STEP, "listener=%lu child=%lu")                         \
	E(tcp_v4_err, TCP, INSTANT, "sock=%lu err=%lu")                                      \
	E(tcp_drop, TCP, INSTANT, "sock=%lu why=%lu")                                        \
	E(tcp_challenge_ack, TCP, INSTANT, "sock=%lu limited=%lu")                           \
	/* TCP, state, recovery and timers (tcp_input.c, tcp_timer.c, tcp_cong.c) */         \
	E(tcp_set_state, TCP, INSTANT, "sock=%lu from_to=%lx")                               \
	E(tcp_rtt_estimator, TCP, INSTANT, "rtt_us=%lu srtt_us=%lu")                         \
	E(tcp_enter_recovery, TCP, INSTANT, "cwnd=%lu ssthresh=%lu")                         \
	E(tcp_enter_loss, TCP, INSTANT, "cwnd=%lu ssthresh=%lu")                             \
	E(tcp_cwnd, TCP, COUNTER, "cwnd=%lu ssthresh=%lu")                                   \
	E(tcp_write_timer, TCP, STEP, "sock=%lu event=%lu")                                  \
	E(tcp_retransmit_timer, TCP, STEP, "sock=%lu backoff=%lu")                           \
	E(tcp_probe_timer, TCP, STEP, "sock=%lu probes=%lu")                                 \
	E(tcp_delack_timer, TCP, STEP, "sock=%lu pending=%lu")                               \
	E(tcp_keepalive_timer, TCP, STEP, "sock=%lu state=%lu")                              \
	E(tcp_synack_timer, TCP, STEP, "sock=%lu qlen=%lu")                                  \
	E(tcp_timer_deferred, TCP, INSTANT, "sock=%lu which=%lu")                            \
	E(tcp_time_wait, TCP, INSTANT, "sock=%lu timeo_ms=%lu")                              \
	E(tcp_done, TCP, INSTANT, "sock=%lu err=%lu")                                        \
	/* the frame on the wire (net/core/dev.c), for tools/seqtrace: docs/trace-tools.md */ \
	E(skb_wire, NET, INSTANT, "ip=%#lx l4=%#lx")                                       \
	TRACE_EVENTS_SOCK(E)                                                                 \
	TRACE_EVENTS_DRV(E)

/* The BSD socket layer (kernel/sys_socket.c, net/socket.c, net/ipv4/inet_socket.c).
 * sock= is the struct socket id; the copy events carry the bytes moved to or from the
 * application's buffer. */
#define TRACE_EVENTS_SOCK(E)                                                                 \
	E(__sys_socket, SOCK, STEP, "type=%lu proto=%lu")                                     \
	E(__sys_bind, SOCK, STEP, "fd=%lu port=%lu")                                          \
	E(__sys_listen, SOCK, STEP, "fd=%lu backlog=%lu")                                     \
	E(__sys_accept, SOCK, STEP, "fd=%lu flags=%lu")                                       \
	E(__sys_connect, SOCK, STEP, "fd=%lu port=%lu")                                       \
	E(__sys_sendto, SOCK, STEP, "fd=%lu len=%lu")                                         \
	E(__sys_recvfrom, SOCK, STEP, "fd=%lu len=%lu")                                       \
	E(__sys_shutdown, SOCK, STEP, "fd=%lu how=%lu")                                       \
	E(sock_close, SOCK, STEP, "sock=%lu -=%lu")                                           \
	E(sock_sendmsg, SOCK, STEP, "sock=%lu len=%lu")                                       \
	E(sock_recvmsg, SOCK, STEP, "sock=%lu len=%lu")                                       \
	E(inet_sendmsg, SOCK, STEP, "sock=%lu len=%lu")                                       \
	E(inet_recvmsg, SOCK, STEP, "sock=%lu len=%lu")                                       \
	E(copy_from_user, SOCK, INSTANT, "bytes=%lu -=%lu")                                   \
	E(copy_to_user, SOCK, INSTANT, "bytes=%lu -=%lu")                                     \
	/* tcp_recvmsg copying from one received skb (pkt): the data's last step */         \
	E(skb_copy_datagram_iter, SOCK, INSTANT, "bytes=%lu off=%lu")                         \
	E(sock_poll_wait, SOCK, STEP, "nfds=%lu timeout_ms=%ld")

/* NIC drivers (drivers/e1000.c, drivers/virtio_net.c), with Linux's function names: the
 * hard IRQ handler's work, the NAPI poll, start_xmit, TX completion and RX refill.
 * Per-frame INSTANT records carry the packet id (pkt) and the ring slot. */
#define TRACE_EVENTS_DRV(E)                                                                  \
	E(e1000_intr, NET, STEP, "icr=%#lx napi=%lu")                                        \
	E(e1000_clean, NET, STEP, "budget=%lu -=%lu")                                        \
	E(e1000_clean_rx_irq, NET, STEP, "next=%lu budget=%lu")                              \
	E(e1000_receive_skb, NET, INSTANT, "len=%lu slot=%lu")                               \
	E(e1000_alloc_rx_buffers, NET, STEP, "next=%lu want=%lu")                            \
	E(e1000_xmit_frame, NET, STEP, "len=%lu slot=%lu")                                   \
	E(e1000_clean_tx_irq, NET, STEP, "next=%lu pending=%lu")                             \
	E(e1000_watchdog, NET, STEP, "status=%#lx -=%lu")                                    \
	E(vring_interrupt, NET, STEP, "vq=%lu isr=%lu")                                      \
	E(virtnet_poll, NET, STEP, "budget=%lu -=%lu")                                       \
	E(receive_buf, NET, INSTANT, "len=%lu id=%lu")                                       \
	E(try_fill_recv, NET, STEP, "free=%lu -=%lu")                                        \
	E(virtnet_poll_tx, NET, STEP, "budget=%lu -=%lu")                                    \
	E(start_xmit, NET, STEP, "len=%lu free=%lu")                                         \
	E(free_old_xmit_skbs, NET, STEP, "pending=%lu -=%lu")                                \
	E(virtnet_config_changed_work, NET, STEP, "status=%#lx -=%lu")

#endif
