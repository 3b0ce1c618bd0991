/* zstd compressor for the capture writer and decompressing FILE* for the reader. */
#include "writers/capfile/zstd_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

struct uc_zw {
	ZSTD_CCtx *cctx;
};

struct uc_zw *uc_zw_new(int level)
{
	struct uc_zw *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->cctx = ZSTD_createCCtx();
	if (!z->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel,
							     level))) {
		uc_zw_free(z);
		return NULL;
	}
	/* A checksum lets zstd -d and our reader tell a damaged file from a good one. */
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
	return z;
}

void uc_zw_free(struct uc_zw *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z);
}

int uc_zw_compress(struct uc_zw *z, const void *in, size_t n, enum uc_zw_mode mode,
		   struct uc_buf *out)
{
	ZSTD_EndDirective dir = mode == UC_ZW_END	? ZSTD_e_end
				: mode == UC_ZW_FLUSH ? ZSTD_e_flush
						      : ZSTD_e_continue;
	ZSTD_inBuffer ib = { in, n, 0 };
	size_t chunk = ZSTD_CStreamOutSize();

	for (;;) {
		if (uc_buf_reserve(out, chunk))
			return out->err;
		ZSTD_outBuffer ob = { out->data + out->len, out->cap - out->len, 0 };
		size_t left = ZSTD_compressStream2(z->cctx, &ob, &ib, dir);
		out->len += ob.pos;
		if (ZSTD_isError(left))
			return -EIO;
		/* continue: done once the input is consumed; flush/end: once zstd holds nothing. */
		if (dir == ZSTD_e_continue ? ib.pos == ib.size : left == 0)
			return 0;
	}
}

bool uc_zstd_is_magic(const void *p, size_t n)
{
	return n >= 4 && memcmp(p, UC_ZSTD_MAGIC, 4) == 0;
}

struct uc_zr {
	FILE *src;
	FILE *fp;
	uint8_t prefix[16];
	size_t prefix_len, prefix_pos;
	bool zstd;
	ZSTD_DCtx *dctx;
	uint8_t *in;
	size_t in_cap, in_len, in_pos;
	bool src_eof;
	bool mid_frame; /* the last frame has not ended yet */
	const char *error;
};

/* Next raw bytes of the underlying stream: the sniffed prefix first. */
static size_t raw_read(struct uc_zr *r, void *buf, size_t size)
{
	if (r->prefix_pos < r->prefix_len) {
		size_t n = r->prefix_len - r->prefix_pos;
		if (n > size)
			n = size;
		memcpy(buf, r->prefix + r->prefix_pos, n);
		r->prefix_pos += n;
		return n;
	}
	size_t n = fread(buf, 1, size, r->src);
	if (n == 0 && ferror(r->src))
		r->error = strerror(errno ? errno : EIO);
	return n;
}

static ssize_t zr_read(void *cookie, char *buf, size_t size)
{
	struct uc_zr *r = cookie;

	if (r->error)
		goto fail;
	if (!r->zstd) {
		size_t n = raw_read(r, buf, size);
		if (r->error)
			goto fail;
		return (ssize_t)n;
	}
	for (;;) {
		if (r->in_pos == r->in_len && !r->src_eof) {
			r->in_len = raw_read(r, r->in, r->in_cap);
			r->in_pos = 0;
			if (r->error)
				goto fail;
			if (r->in_len == 0)
				r->src_eof = true;
		}
		ZSTD_inBuffer ib = { r->in, r->in_len, r->in_pos };
		ZSTD_outBuffer ob = { buf, size, 0 };
		size_t ret = ZSTD_decompressStream(r->dctx, &ob, &ib);
		bool progress = ib.pos != r->in_pos || ob.pos > 0;
		r->in_pos = ib.pos;
		if (ZSTD_isError(ret)) {
			r->error = ZSTD_getErrorName(ret);
			goto fail;
		}
		/* With nothing to eat zstd returns a size hint, not "inside a frame". */
		if (progress)
			r->mid_frame = ret != 0;
		if (ob.pos > 0)
			return (ssize_t)ob.pos;
		if (r->src_eof && r->in_pos == r->in_len) {
			/* Flushed data before a missing frame end is still good; say what happened. */
			if (r->mid_frame)
				r->error = "zstd stream ends inside a frame (writer stopped mid-capture?)";
			return 0;
		}
	}
fail:
	errno = EIO;
	return -1;
}

static int zr_close(void *cookie)
{
	(void)cookie; /* uc_zr_free owns everything */
	return 0;
}

struct uc_zr *uc_zr_open(FILE *src, const void *prefix, size_t prefix_len, bool zstd)
{
	struct uc_zr *r = calloc(1, sizeof(*r));
	if (!r || prefix_len > sizeof(r->prefix))
		goto fail;
	r->src = src;
	memcpy(r->prefix, prefix, prefix_len);
	r->prefix_len = prefix_len;
	r->zstd = zstd;
	if (zstd) {
		r->dctx = ZSTD_createDCtx();
		r->in_cap = ZSTD_DStreamInSize();
		r->in = malloc(r->in_cap);
		if (!r->dctx || !r->in)
			goto fail;
	}
	cookie_io_functions_t io = { .read = zr_read, .close = zr_close };
	r->fp = fopencookie(r, "r", io);
	if (!r->fp)
		goto fail;
	return r;
fail:
	if (r) {
		r->src = NULL; /* the caller still owns src on failure */
		uc_zr_free(r);
	}
	return NULL;
}

FILE *uc_zr_file(struct uc_zr *r)
{
	return r->fp;
}

const char *uc_zr_error(const struct uc_zr *r)
{
	return r->error;
}

void uc_zr_free(struct uc_zr *r)
{
	if (!r)
		return;
	if (r->src && r->src != stdin)
		fclose(r->src);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r);
}
