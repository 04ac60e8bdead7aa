/* Intel 8254x (82540EM, 82545EM) and 82574L registers and descriptors, as the driver
 * (drivers/e1000.c) uses them. Section numbers are those of the "PCI/PCI-X Family of
 * Gigabit Ethernet Controllers Software Developer's Manual" (Intel 317453, rev 4.0,
 * "8254x SDM"); the 82574L keeps these legacy registers and descriptors (82574 GbE
 * Controller Datasheet, "82574 DS", chapter 10) except where noted. */
#ifndef DRIVERS_E1000_H
#define DRIVERS_E1000_H

#include <seqos/types.h>

/* PCI device IDs (8254x SDM §5.2 table 5-1; 82574 DS §1.0) */
#define E1000_DEV_ID_82540EM 0x100e     /* QEMU -device e1000 */
#define E1000_DEV_ID_82540EM_LOM 0x1015
#define E1000_DEV_ID_82545EM_COPPER 0x100f /* QEMU -device e1000-82545em */
#define E1000_DEV_ID_82574L 0x10d3      /* QEMU -device e1000e */

/* ---- general registers (8254x SDM §13.4) ---- */
#define E1000_CTRL 0x00000        /* Device Control, §13.4.1 */
#define   E1000_CTRL_FD (1u << 0)       /* full duplex */
#define   E1000_CTRL_LRST (1u << 3)     /* link reset */
#define   E1000_CTRL_ASDE (1u << 5)     /* auto-speed detection enable */
#define   E1000_CTRL_SLU (1u << 6)      /* set link up */
#define   E1000_CTRL_ILOS (1u << 7)     /* invert loss-of-signal */
#define   E1000_CTRL_RST (1u << 26)     /* device reset, self-clearing */
#define   E1000_CTRL_VME (1u << 30)     /* VLAN mode enable */
#define   E1000_CTRL_PHY_RST (1u << 31)
#define E1000_STATUS 0x00008      /* Device Status, §13.4.2 */
#define   E1000_STATUS_FD (1u << 0)
#define   E1000_STATUS_LU (1u << 1)     /* link up */
#define   E1000_STATUS_SPEED_SHIFT 6    /* 00 10, 01 100, 1x 1000 Mb/s */
#define E1000_EECD 0x00010        /* EEPROM/Flash Control, §13.4.3 */
#define   E1000_EECD_AUTO_RD_82574 (1u << 9) /* 82574 DS §10.2.2.4: NVM auto-read done */
#define E1000_EERD 0x00014        /* EEPROM Read, §13.4.4 */
#define   E1000_EERD_START (1u << 0)
#define   E1000_EERD_DONE (1u << 4)     /* 82540/82545: done bit 4, address bits 15:8 */
#define   E1000_EERD_ADDR_SHIFT 8
#define   E1000_EERD_DONE_82574 (1u << 1) /* 82574 DS §10.2.2.6: done bit 1, address 15:2 */
#define   E1000_EERD_ADDR_SHIFT_82574 2
#define   E1000_EERD_DATA_SHIFT 16
#define E1000_CTRL_EXT 0x00018    /* Extended Device Control, §13.4.6 */
#define E1000_FCAL 0x00028        /* flow control address/type, §13.4.12-14 */
#define E1000_FCAH 0x0002c
#define E1000_FCT 0x00030
#define E1000_FCTTV 0x00170

/* ---- interrupts (8254x SDM §13.4.17-21) ---- */
#define E1000_ICR 0x000c0         /* Interrupt Cause Read, clear on read, §13.4.17 */
#define E1000_ITR 0x000c4         /* Interrupt Throttling, 256 ns units, §13.4.18 */
#define E1000_ICS 0x000c8         /* Interrupt Cause Set, §13.4.19 */
#define E1000_IMS 0x000d0         /* Interrupt Mask Set/Read, §13.4.20 */
#define E1000_IMC 0x000d8         /* Interrupt Mask Clear, §13.4.21 */
/* cause bits, the same in ICR, ICS, IMS and IMC */
#define   E1000_ICR_TXDW (1u << 0)      /* transmit descriptor written back */
#define   E1000_ICR_TXQE (1u << 1)      /* transmit queue empty */
#define   E1000_ICR_LSC (1u << 2)       /* link status change */
#define   E1000_ICR_RXSEQ (1u << 3)     /* receive sequence error */
#define   E1000_ICR_RXDMT0 (1u << 4)    /* receive descriptors below minimum threshold */
#define   E1000_ICR_RXO (1u << 6)       /* receiver overrun */
#define   E1000_ICR_RXT0 (1u << 7)      /* receiver timer: a frame was stored */
#define   E1000_ICR_INT_ASSERTED (1u << 31) /* 82574 DS §10.2.4.1 only */

/* ---- receive (8254x SDM §13.4.22-31) ---- */
#define E1000_RCTL 0x00100        /* Receive Control, §13.4.22 */
#define   E1000_RCTL_EN (1u << 1)
#define   E1000_RCTL_SBP (1u << 2)      /* store bad packets */
#define   E1000_RCTL_UPE (1u << 3)      /* unicast promiscuous */
#define   E1000_RCTL_MPE (1u << 4)      /* multicast promiscuous */
#define   E1000_RCTL_LPE (1u << 5)      /* long packet enable: off = at most 1522 bytes */
#define   E1000_RCTL_LBM_NONE (0u << 6)
#define   E1000_RCTL_RDMTS_HALF (0u << 8) /* RXDMT0 when half the ring is free */
#define   E1000_RCTL_MO_36 (0u << 12)   /* multicast offset: bits 47:36 */
#define   E1000_RCTL_BAM (1u << 15)     /* accept broadcast */
#define   E1000_RCTL_BSIZE_2048 (0u << 16) /* with BSEX = 0 */
#define   E1000_RCTL_BSEX (1u << 25)
#define   E1000_RCTL_SECRC (1u << 26)   /* strip Ethernet CRC */
#define E1000_RDTR 0x02820        /* Receive Delay Timer, §13.4.30 */
#define E1000_RDBAL 0x02800       /* Receive Descriptor Base Low, §13.4.25 */
#define E1000_RDBAH 0x02804
#define E1000_RDLEN 0x02808       /* bytes, a multiple of 128, §13.4.27 */
#define E1000_RDH 0x02810         /* head: the device's next descriptor */
#define E1000_RDT 0x02818         /* tail: one past the last descriptor software gave */
#define E1000_RADV 0x0282c        /* Receive Absolute Delay, §13.4.31 */
#define E1000_RXCSUM 0x05000      /* Receive Checksum Control, §13.4.32 */

/* ---- transmit (8254x SDM §13.4.33-44) ---- */
#define E1000_TCTL 0x00400        /* Transmit Control, §13.4.33 */
#define   E1000_TCTL_EN (1u << 1)
#define   E1000_TCTL_PSP (1u << 3)      /* pad short packets to 64 bytes */
#define   E1000_TCTL_CT_SHIFT 4         /* collision threshold: 0x0f */
#define   E1000_TCTL_COLD_SHIFT 12      /* collision distance: 0x40 full duplex */
#define   E1000_TCTL_RTLC (1u << 24)    /* retransmit on late collision */
#define E1000_TIPG 0x00410        /* Transmit IPG, §13.4.34, table 13-77 */
#define   E1000_TIPG_IPGT 10            /* copper, 82540/82545/82574 */
#define   E1000_TIPG_IPGR1 8
#define   E1000_TIPG_IPGR2 6
#define E1000_TDBAL 0x03800       /* Transmit Descriptor Base Low, §13.4.36 */
#define E1000_TDBAH 0x03804       /* §13.4.37 */
#define E1000_TDLEN 0x03808       /* §13.4.38 */
#define E1000_TDH 0x03810         /* §13.4.39 */
#define E1000_TDT 0x03818         /* §13.4.40 */
#define E1000_TIDV 0x03820        /* Transmit Interrupt Delay, §13.4.41 */
#define E1000_TADV 0x0382c        /* Transmit Absolute Delay, §13.4.44 */

/* ---- filters (8254x SDM §13.5) ---- */
#define E1000_MTA 0x05200         /* Multicast Table Array, 128 words, §13.5.1 */
#define E1000_RAL0 0x05400        /* Receive Address Low, §13.5.2 */
#define E1000_RAH0 0x05404        /* Receive Address High, §13.5.3 */
#define   E1000_RAH_AV (1u << 31)       /* address valid */

/* ---- statistics, clear on read (8254x SDM §13.7) ---- */
#define E1000_CRCERRS 0x04000     /* CRC errors, §13.7.1 */
#define E1000_MPC 0x04010         /* missed packets: no room in the FIFO, §13.7.4 */
#define E1000_RNBC 0x040a0        /* receive no buffers: ring empty, §13.7.33 */
#define E1000_ROC 0x040ac         /* receive oversize, §13.7.36 */

/* ---- descriptors ---- */
/* Legacy receive descriptor, 8254x SDM §3.2.3 */
struct e1000_rx_desc {
	u64 addr;       /* buffer, physical */
	u16 length;     /* bytes stored in the buffer */
	u16 csum;       /* packet checksum */
	u8 status;
	u8 errors;
	u16 special;
} __attribute__((packed));
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "8254x SDM figure 3-1");
#define   E1000_RXD_STAT_DD (1u << 0)   /* descriptor done, §3.2.3.1 */
#define   E1000_RXD_STAT_EOP (1u << 1)  /* end of packet */
#define   E1000_RXD_STAT_IXSM (1u << 2) /* ignore checksum indication */
#define   E1000_RXD_ERR_CE (1u << 0)    /* CRC or alignment error, §3.2.3.2 */
#define   E1000_RXD_ERR_SE (1u << 1)    /* symbol error */
#define   E1000_RXD_ERR_SEQ (1u << 2)   /* sequence error */
#define   E1000_RXD_ERR_CXE (1u << 4)   /* carrier extension error */
#define   E1000_RXD_ERR_RXE (1u << 7)   /* RX data error */
#define   E1000_RXD_ERR_FRAME (E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | \
			       E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)

/* Legacy transmit descriptor, 8254x SDM §3.3.3 */
struct e1000_tx_desc {
	u64 addr;
	u16 length;
	u8 cso;         /* checksum offset */
	u8 cmd;
	u8 status;
	u8 css;         /* checksum start */
	u16 special;
} __attribute__((packed));
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "8254x SDM figure 3-3");
#define   E1000_TXD_CMD_EOP (1u << 0)   /* end of packet, §3.3.3.1 */
#define   E1000_TXD_CMD_IFCS (1u << 1)  /* insert FCS */
#define   E1000_TXD_CMD_RS (1u << 3)    /* report status: write DD back */
#define   E1000_TXD_STAT_DD (1u << 0)   /* descriptor done, §3.3.3.2 */

#endif
