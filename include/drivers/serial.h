/* 16550 UART: COM1 carries the console (printk and the shell), COM2 the binary trace. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <seqos/types.h>

#define COM1 0x3f8
#define COM2 0x2f8

void serial_init(u16 port, u32 baud);
bool serial_present(u16 port);
void serial_putc(u16 port, char c);
void serial_write(u16 port, const void *buf, size_t len);
/* One transmitter-empty wait, then up to a FIFO's worth (16, or 1): how many went. */
size_t serial_write_burst(u16 port, const void *buf, size_t len);
int serial_getc_nowait(u16 port); /* -1 when nothing is waiting */
void serial_enable_rx_irq(void);  /* COM1 receive interrupts feed the console input */
int console_getc(void);           /* sleeps until a byte arrives on the console */
int console_getc_nowait(void);

#endif
