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
#define UC_PCAPNG_NRB 0x00000004u
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
	size_t comment_len;  /* strlen(comment) when known, else 0 to have it counted */
	uint32_t flags;      /* epb_flags, 0 = omitted */
	uint64_t packet_id;  /* epb_packetid */
	int has_packet_id;
	/* epb_processid_threadid: the process (tgid) and thread that made the call. */
	uint32_t pid, tid;
	int has_pid;
};

struct uc_pcapng_isb {
	uint32_t if_id;
	uint64_t ts;
	uint64_t start_ts, end_ts; /* isb_starttime, isb_endtime */
	uint64_t ifrecv, ifdrop;   /* isb_ifrecv, isb_ifdrop */
};

/* One IPv4 name record of a Name Resolution Block (nrb_record_ipv4). */
struct uc_pcapng_name {
	uint32_t ipv4; /* host order: 0x7f000001 is 127.0.0.1 */
	const char *name;
};

/* Each returns the size of the appended block, or 0 on allocation failure (b->err set). */
size_t uc_pcapng_shb(struct uc_buf *b, const struct uc_pcapng_shb *s);
size_t uc_pcapng_idb(struct uc_buf *b, const struct uc_pcapng_idb *i);
size_t uc_pcapng_epb(struct uc_buf *b, const struct uc_pcapng_epb *e);

/*
 * An EPB's packet and comment built where the block will hold them, so that uc_pcapng_epb
 * copies neither: reserve room for up to packet_max packet bytes and a comment of up to
 * comment_max bytes (its NUL included), build the packet at _packet_at and the comment at
 * _comment_at (after caplen packet bytes), then pass those pointers to uc_pcapng_epb,
 * with nothing appended to b in between. A piece that is already in place is not copied.
 */
int uc_pcapng_epb_reserve(struct uc_buf *b, size_t packet_max, size_t comment_max);
uint8_t *uc_pcapng_epb_packet_at(const struct uc_buf *b);
char *uc_pcapng_epb_comment_at(const struct uc_buf *b, size_t caplen);
size_t uc_pcapng_nrb(struct uc_buf *b, const struct uc_pcapng_name *names, size_t n);
size_t uc_pcapng_isb(struct uc_buf *b, const struct uc_pcapng_isb *s);

#endif
