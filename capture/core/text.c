/* Small text conversions: paths, names of types/calls/errnos/flags. */
#include "capture/core/text.h"
#include "capture/core/strbuf.h"

#include <errno.h>
#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

size_t uc_format_bytes(char *buf, size_t size, const void *data, size_t len)
{
	return uc_format_bytes_escaping(buf, size, data, len, "");
}

size_t uc_format_bytes_escaping(char *buf, size_t size, const void *data, size_t len,
				const char *extra)
{
	const unsigned char *p = data;
	size_t o = 0;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		char esc[4];
		size_t n;

		if (c == '\\') {
			esc[0] = esc[1] = '\\';
			n = 2;
		} else if (c >= 0x20 && c <= 0x7e && (!*extra || !strchr(extra, c))) {
			esc[0] = (char)c;
			n = 1;
		} else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hexdigits[c >> 4];
			esc[3] = hexdigits[c & 15];
			n = 4;
		}
		/* Stop before a unit that would not fit whole, so output never ends in "\x4". */
		if (o + n >= size)
			break;
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o] = '\0';
	return o;
}

size_t uc_format_path(char *buf, size_t size, const char *path, unsigned len)
{
	if (size == 0)
		return 0;
	if (len > UC_PATH_MAX)
		len = UC_PATH_MAX;
	if (len == 0) {
		buf[0] = '\0';
		return 0;
	}
	if (path[0] == '\0') {
		if (size < 2) {
			buf[0] = '\0';
			return 0;
		}
		buf[0] = '@';
		return 1 + uc_format_bytes(buf + 1, size - 1, path + 1, len - 1);
	}
	return uc_format_bytes(buf, size, path, strnlen(path, len));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uc_parse_path(const char *text, char *out, unsigned *out_len)
{
	bool abstract = text[0] == '@';
	const char *s = text;
	unsigned n = 0;

	if (abstract) {
		out[n++] = '\0';
		s++;
	}
	while (*s) {
		unsigned char c;

		if (*s != '\\') {
			c = (unsigned char)*s++;
		} else if (s[1] == '\\') {
			c = '\\';
			s += 2;
		} else if (s[1] == 'x' && hexval(s[2]) >= 0 && hexval(s[3]) >= 0) {
			c = (unsigned char)(hexval(s[2]) << 4 | hexval(s[3]));
			s += 4;
		} else {
			return -EINVAL;
		}
		/* The kernel would cut a filesystem path at the NUL, so such a filter never matches. */
		if (c == '\0' && !abstract)
			return -EINVAL;
		if (n >= UC_PATH_MAX)
			return -EINVAL;
		out[n++] = (char)c;
	}
	if (n < UC_PATH_MAX)
		out[n] = '\0';
	*out_len = n;
	return 0;
}

const char *uc_type_name(unsigned type)
{
	static char other[24];

	switch (type) {
	case 1:
		return "stream";
	case 2:
		return "dgram";
	case 5:
		return "seqpacket";
	}
	snprintf(other, sizeof(other), "type%u", type);
	return other;
}

const char *uc_call_name(unsigned call)
{
	static const char *const names[] = {
		[UC_CALL_UNKNOWN] = "unknown",
		[UC_CALL_WRITE] = "write",
		[UC_CALL_WRITEV] = "writev",
		[UC_CALL_SENDTO] = "sendto",
		[UC_CALL_SENDMSG] = "sendmsg",
		[UC_CALL_SENDMMSG] = "sendmmsg",
		[UC_CALL_STREAM_SENDMSG] = "unix_stream_sendmsg",
		[UC_CALL_DGRAM_SENDMSG] = "unix_dgram_sendmsg",
		[UC_CALL_RECVMSG] = "recvmsg",
	};

	if (call >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[call];
}

const char *uc_errno_name(int err)
{
#define E(x) { x, #x }
	static const struct {
		int err;
		const char *name;
	} names[] = {
		E(EAGAIN), E(EPIPE), E(ECONNREFUSED), E(ENOENT), E(EMSGSIZE), E(ENOBUFS),
		E(ECONNRESET), E(ENOTCONN), E(EINTR), E(EINVAL), E(EFAULT), E(EPERM),
		E(EACCES), E(ENOMEM), E(EDESTADDRREQ), E(EISCONN), E(EOPNOTSUPP),
	};
#undef E

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return NULL;
}

size_t uc_format_errno(char *buf, size_t size, int32_t err)
{
	long long e = -(long long)err;
	const char *name = e <= INT32_MAX ? uc_errno_name((int)e) : NULL;

	if (name)
		return uc_strbuf_format(buf, size, "%s", name);
	return uc_strbuf_format(buf, size, "%lld", e);
}

size_t uc_format_sock(char *buf, size_t size, uint64_t sock, bool padded)
{
	return uc_strbuf_format(buf, size, padded ? "0x%016llx" : "0x%llx",
				(unsigned long long)sock);
}

size_t uc_format_flags(char *buf, size_t size, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ UC_MF_ERROR, "error" },
		{ UC_MF_PAGES, "pages" },
		{ UC_MF_UNREADABLE, "unreadable" },
		{ UC_MF_SEG_LIMIT, "seg-limit" },
		{ UC_MF_KERNEL_MEM, "kernel-mem" },
		{ UC_MF_DEST_ADDR, "dest-addr" },
		{ UC_MF_RECEIVE, "recv" },
		{ UC_MF_CREDS, "creds" },
		{ UC_MF_FDS_LOST, "fds-lost" },
		{ UC_MF_PIDFD, "pidfd" },
		{ UC_MF_CTL_SKIPPED, "ctl-skipped" },
		{ UC_MF_PEER_UNKNOWN, "peer-unknown" },
		{ UC_UF_TRUNCATED, "truncated" },
		{ UC_UF_GAP, "gap" },
	};
	size_t o = 0;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		size_t len = strlen(names[i].name);
		if (o + len + (o ? 1 : 0) >= size)
			break;
		if (o)
			buf[o++] = ' ';
		memcpy(buf + o, names[i].name, len + 1);
		o += len;
	}
	return o;
}
