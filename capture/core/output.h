/*
 * One output interface: what the console (writers/console/console.h), the capture-file
 * writer (writers/capfile/writer.h) and the conversation sink (writers/conv/sink.h) offer
 * the capture loop, as ptcpdump's PacketWriter or bpftool's json_writer do. main.c hands
 * each message that passed the filters to every active output in turn.
 *
 * One return convention for all of them: 0 when all went well, -errno when the output
 * failed, and error() then says so in one line (without the "unixcap: " prefix, "" when
 * there is nothing to add, the failure having been said already or being a quiet one).
 * write() may also return 1: the output has ended the capture (-G with -W wrote its last
 * file); the message was not written.
 */
#ifndef UNIXCAP_CORE_OUTPUT_H
#define UNIXCAP_CORE_OUTPUT_H

#include <stdbool.h>
#include "capture/core/message.h"

struct uc_output_ops {
	const char *name;
	int (*write)(void *self, const struct uc_message *m);
	/* What the output holds back goes out (called after each batch of messages). */
	int (*flush)(void *self);
	/* The end: trailers, summaries, last bytes. */
	int (*finish)(void *self);
	const char *(*error)(void *self);
	/*
	 * The output sums up its input (the conversation list, the follow trailer, the --split
	 * files' counters): it is finished whenever the input was read to its end, even after
	 * another output failed. The others are finished only while every output is fine.
	 */
	bool sums_up_input;
};

struct uc_output {
	const struct uc_output_ops *ops;
	void *self;
};

#endif
