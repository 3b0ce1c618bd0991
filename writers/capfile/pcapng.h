/*
 * pcapng block encoder: appends whole, little-endian SHB/IDB/EPB/ISB blocks to a buffer.
 * It knows nothing about files; the caller writes each finished buffer out.
 */
#ifndef UNIXCAP_PCAPNG_H
#define UNIXCAP_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. err sticks at -ENOMEM once an append failed. */
struct uc_buf {
	uint8_t *data;
	size_t len, cap;
	int err;
};

void uc_buf_free(struct uc_buf *b);
/* Room for n more bytes at data + len (capacity doubles): 0, or the sticky err. */
int uc_buf_reserve(struct uc_buf *b, size_t n);

#define UC_PCAPNG_SHB 0x0A0D0D0Au
#define UC_PCAPNG_IDB 0x00000001u
#define UC_PCAPNG_ISB 0x00000005u
#define UC_PCAPNG_EPB 0x00000006u

/* epb_flags bits 0-1: direction. */
#define UC_PCAPNG_DIR_INBOUND 1u
#define UC_PCAPNG_DIR_OUTBOUND 2u

struct uc_pcapng_shb {
	const char *hardware; /* shb_hardware, NULL = omitted */
	const char *os;       /* shb_os */
	const char *userappl; /* shb_userappl */
};

struct uc_pcapng_idb {
	uint16_t linktype;
	uint32_t snaplen;
	const char *name;        /* if_name */
	const char *description; /* if_description */
	uint8_t tsresol;         /* if_tsresol; 9 = nanoseconds */
};

struct uc_pcapng_epb {
	uint32_t if_id;
	uint64_t ts; /* in the interface's resolution */
	/* Packet bytes in two pieces, written back to back: header, then payload. */
	const void *head;
	uint32_t head_len;
	const void *data;
	uint32_t data_len;
	uint32_t orig_len;
	const char *comment; /* opt_comment, NULL = omitted */
	uint32_t flags;      /* epb_flags, 0 = omitted */
	uint64_t packet_id;  /* epb_packetid */
	int has_packet_id;
};

struct uc_pcapng_isb {
	uint32_t if_id;
	uint64_t ts;
	uint64_t start_ts, end_ts; /* isb_starttime, isb_endtime */
	uint64_t ifrecv, ifdrop;   /* isb_ifrecv, isb_ifdrop */
};

/* Each returns the size of the appended block, or 0 on allocation failure (b->err set). */
size_t uc_pcapng_shb(struct uc_buf *b, const struct uc_pcapng_shb *s);
size_t uc_pcapng_idb(struct uc_buf *b, const struct uc_pcapng_idb *i);
size_t uc_pcapng_epb(struct uc_buf *b, const struct uc_pcapng_epb *e);
size_t uc_pcapng_isb(struct uc_buf *b, const struct uc_pcapng_isb *s);

#endif
