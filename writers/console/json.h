/* --json: one JSON object per message and line. Write errors stay in ferror(out). */
#ifndef UNIXCAP_CONSOLE_JSON_H
#define UNIXCAP_CONSOLE_JSON_H

#include <stdio.h>
#include "capture/core/message.h"

void uc_print_json(FILE *out, const struct uc_message *m);

#endif
