/* HTTP/1.x as it crosses a unix socket (docker.sock, containerd, local APIs). */
#ifndef UNIXCAP_DISSECT_HTTP_H
#define UNIXCAP_DISSECT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One line per request or response that starts in these bytes: "http GET /path HTTP/1.1
 * headers 3 body 0" or "http HTTP/1.1 200 OK headers 4 content-length 24 body 24";
 * pipelined messages follow when the previous one's length is known. Returns the number of
 * lines, 0 when the bytes do not start with a request or status line (out holds the
 * reason). Pure: no state, nothing read outside p[0..n).
 */
int uc_decode_http(const uint8_t *p, size_t n, char *out, size_t outlen);

/* Whether the bytes start like a request or status line (method or "HTTP/1."). */
bool uc_http_start(const uint8_t *p, size_t n);

#endif
