/* 16550 UART driver. Output polls the transmitter (printk must work from any context,
 * also in a panic), a FIFO's worth of bytes per poll when the UART has a working FIFO
 * (each port access is a trip into the emulator under QEMU: one status read per 16
 * bytes instead of one per byte makes printk cheaper); input on COM1 is interrupt
 * driven: the hard IRQ moves bytes into a ring and wakes the thread waiting in
 * console_getc(). Register offsets and bits from
 * the National Semiconductor PC16550D datasheet. */
#include <asm/io.h>
#include <drivers/serial.h>
#include <seqos/interrupt.h>
#include <seqos/sched.h>
#include <seqos/spinlock.h>

#define UART_DATA 0 /* RBR (read) / THR (write); DLL when DLAB=1 */
#define UART_IER 1  /* interrupt enable; DLM when DLAB=1 */
#define   IER_RDA 0x01 /* received data available */
#define UART_FCR 2  /* FIFO control (write); IIR (read) */
#define   IIR_FIFO 0xc0 /* both set: the FIFOs are on (16550A and later) */
#define   FCR_ENABLE 0x01
#define   FCR_CLEAR 0x06
#define   FCR_TRIG14 0xc0
#define UART_LCR 3  /* line control */
#define   LCR_8N1 0x03
#define   LCR_DLAB 0x80
#define UART_MCR 4  /* modem control */
#define   MCR_DTR 0x01
#define   MCR_RTS 0x02
#define   MCR_OUT2 0x08 /* gates the UART's interrupt line on PCs */
#define   MCR_LOOP 0x10
#define UART_LSR 5  /* line status */
#define   LSR_DR 0x01   /* data ready */
#define   LSR_THRE 0x20 /* transmit holding register empty */
#define UART_SCR 7  /* scratch */

#define COM1_IRQ 4
#define UART_FIFO 16

/* Bytes that may be written once THRE says the transmitter is empty: the FIFO's depth,
 * or 1 for a UART without a working FIFO (8250, 16450, the 16550's broken FIFO). */
static struct {
	u16 port;
	u8 burst;
} uarts[4];

static unsigned burst_of(u16 port)
{
	for (int i = 0; i < 4; i++)
		if (uarts[i].port == port)
			return uarts[i].burst;
	return 1;
}

void serial_init(u16 port, u32 baud)
{
	u16 div = (u16)(115200 / baud);

	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, div & 0xff);
	outb(port + UART_IER, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE | FCR_CLEAR | FCR_TRIG14);
	outb(port + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	for (int i = 0; i < 4; i++)
		if (uarts[i].port == port || !uarts[i].port) {
			uarts[i].port = port;
			uarts[i].burst = (inb(port + UART_FCR) & IIR_FIFO) == IIR_FIFO ? UART_FIFO : 1;
			break;
		}
}

/* A UART is there when its scratch register keeps what is written to it. */
bool serial_present(u16 port)
{
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	return inb(port + UART_SCR) == 0xa5;
}

/* Bounded wait: a missing or stuck UART must not hang printk. */
static void wait_thre(u16 port)
{
	for (int i = 0; i < 100000 && !(inb(port + UART_LSR) & LSR_THRE); i++)
		__asm__ __volatile__("pause");
}

void serial_putc(u16 port, char c)
{
	wait_thre(port);
	outb(port + UART_DATA, (u8)c);
}

size_t serial_write_burst(u16 port, const void *buf, size_t len)
{
	const u8 *p = buf;
	size_t n = MIN(len, (size_t)burst_of(port));

	wait_thre(port); /* with FIFOs on, THRE means the transmit FIFO is empty */
	for (size_t k = 0; k < n; k++)
		outb(port + UART_DATA, p[k]);
	return n;
}

void serial_write(u16 port, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		size_t n = serial_write_burst(port, p, len);
		p += n;
		len -= n;
	}
}

int serial_getc_nowait(u16 port)
{
	if (inb(port + UART_LSR) & LSR_DR)
		return inb(port + UART_DATA);
	return -1;
}

/* Console input ring: written by the hard IRQ, read by the shell thread. */
#define RX_RING 256
static u8 rx_ring[RX_RING];
static volatile u32 rx_head, rx_tail;
static u64 rx_dropped;
static DECLARE_WAIT_QUEUE_HEAD(rx_wait);
static bool rx_irq_on;

static irqreturn_t serial_irq(int irq __unused, void *dev __unused)
{
	int c, n = 0;

	while ((c = serial_getc_nowait(COM1)) >= 0) {
		if (rx_head - rx_tail < RX_RING)
			rx_ring[rx_head++ % RX_RING] = (u8)c;
		else
			rx_dropped++;
		n++;
	}
	if (n)
		wake_up(&rx_wait);
	return n ? IRQ_HANDLED : IRQ_NONE;
}

void serial_enable_rx_irq(void)
{
	if (request_irq(COM1_IRQ, serial_irq, 0, "serial", NULL) == 0) {
		rx_irq_on = true;
		outb(COM1 + UART_IER, IER_RDA);
	}
}

int console_getc_nowait(void)
{
	unsigned long flags;
	int c = -1;

	if (!rx_irq_on)
		return serial_getc_nowait(COM1);
	local_irq_save(flags);
	if (rx_tail != rx_head)
		c = rx_ring[rx_tail++ % RX_RING];
	local_irq_restore(flags);
	return c;
}

int console_getc(void)
{
	int c;

	while ((c = console_getc_nowait()) < 0) {
		if (rx_irq_on)
			wait_event(&rx_wait, rx_head != rx_tail);
		else
			__asm__ __volatile__("pause");
	}
	return c;
}
