/*
 * D-Bus over a stream socket, as one write carries it: the client's credentials byte, SASL
 * authentication lines, then binary messages (several per write, the last one possibly
 * continuing in a later write).
 */
#ifndef UNIXCAP_DISSECT_DBUS_H
#define UNIXCAP_DISSECT_DBUS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes n bytes at p into lines in out ('\n' between lines, NUL-terminated when
 * outlen > 0), one per authentication line or message: "dbus method_call serial 2 path /o
 * interface i member M signature "s" dest d body 12". Returns the number of lines, or 0
 * when the bytes do not start like D-Bus (out then holds the reason). Reads nothing
 * outside p[0..n), keeps no state.
 */
int uc_decode_dbus(const uint8_t *p, size_t n, char *out, size_t outlen);

#endif
