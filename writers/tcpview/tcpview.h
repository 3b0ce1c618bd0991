/*
 * --view tcp: every conversation (writers/conv/conversation.h) written as a TCP connection
 * (datagrams as UDP) between made-up loopback addresses, so that Wireshark's own TCP
 * reassembly and protocol dissectors (HTTP, HTTP/2 and gRPC, PostgreSQL, Redis, MySQL,
 * D-Bus...) apply. LINKTYPE_RAW (IPv4) in pcapng; docs/wireshark.md has the scheme:
 *
 *   conversation N, k = N + 1 (mod 2^23):  client 127.0.0.0 + k   port 49152 + N mod 7000
 *                                          server 127.128.0.0 + k port by the path rules
 *
 * SYN, SYN-ACK, ACK at a stream's first message; sequence numbers count the bytes each end
 * sent; bytes the capture lacks are a jump in the sequence (Wireshark: "previous segment not
 * captured"), never glued; a send failing with EPIPE/ECONNRESET (--errors) is the peer's
 * FIN/RST. Each packet's comment is unixcap's summary line; a Name Resolution Block names
 * each address by the socket's path and process.
 */
#ifndef UNIXCAP_TCPVIEW_H
#define UNIXCAP_TCPVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/core/message.h"
#include "capture/core/options.h"
#include "writers/capfile/writer.h"

#define UC_TCPVIEW_LINKTYPE 101 /* LINKTYPE_RAW: an IPv4 or IPv6 header first */
#define UC_TCPVIEW_SNAPLEN 65535
/* TCP payload per segment: an IPv4 packet is at most 65535 bytes, headers included. */
#define UC_TCPVIEW_MSS (65535 - 20 - 20)

/* Server ports the path rules choose. */
enum {
	UC_PORT_HTTP = 80,      /* http: Docker's API, HTTP/1.x; HTTP/2 prefaces go on too */
	UC_PORT_MYSQL = 3306,   /* mysql */
	UC_PORT_PGSQL = 5432,   /* pgsql */
	UC_PORT_REDIS = 6379,   /* resp */
	UC_PORT_DBUS = 40001,   /* no default in Wireshark: -d tcp.port==40001,dbus */
	UC_PORT_OTHER = 40000,  /* nothing registered: Wireshark's heuristics have a go */
	UC_PORT_CLIENT_BASE = 49152,
	UC_PORT_CLIENT_SPAN = 7000, /* 49152..56151: no port Wireshark 4.0 registers */
};

struct uc_tcpview;

/* The encoder a -w writer takes (writers/capfile/writer.h): NULL for --view unix. */
struct uc_encoder *uc_tcpview_encoder(const struct uc_options *o);

/* --view NAME: 0 and *view set, or -1. */
int uc_tcpview_parse_view(const char *name, enum uc_view *view);
/* --tcp-port PATTERN=PORT (PORT a number or http, http2, grpc, pgsql, redis, mysql, dbus,
 * other). 0, or -1 with one line in err. */
int uc_tcpview_parse_port_rule(const char *text, struct uc_port_rule *r, char *err,
			       size_t errlen);

/*
 * The server port for a conversation between sockets with these display paths (server
 * end first), whose first bytes (if any) are p[0..n): --tcp-port rules, then --decode
 * rules (dbus, http), then the built-in path rules, then the bytes themselves.
 */
uint16_t uc_tcpview_server_port(const struct uc_options *o, const char *const *paths,
				size_t npaths, const uint8_t *p, size_t n);

/* The made-up addresses and client port of conversation id (host byte order). */
void uc_tcpview_addresses(uint64_t id, uint32_t *client, uint32_t *server, uint16_t *client_port);

#endif
