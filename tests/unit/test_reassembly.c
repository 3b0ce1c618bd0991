/* Reassembly of ring-buffer records into messages: order, loss, hostile records. */
#include <stdlib.h>
#include <string.h>

#include "capture/live/reassembly.h"
#include "unit.h"

#define MAXGOT 16

static struct got {
	struct uc_message msg;
	uint8_t data[4096];
} got[MAXGOT];
static int n_got;

static int collect(const struct uc_message *m, void *ctx)
{
	(void)ctx;
	if (n_got < MAXGOT) {
		got[n_got].msg = *m;
		memcpy(got[n_got].data, m->data, m->caplen < 4096 ? m->caplen : 4096);
		n_got++;
	}
	return 0;
}

static uint8_t buf[8192];

static size_t msg_rec(uint64_t id, uint32_t tid, uint32_t len, uint32_t caplen, const void *data,
		      uint32_t n, int last, uint64_t ts)
{
	struct uc_msg_rec *r = (void *)buf;
	memset(buf, 0, sizeof(buf));
	r->h.kind = UC_REC_MSG;
	r->h.rflags = last ? UC_RF_LAST : 0;
	r->h.data_len = n;
	r->h.msg_id = id;
	r->h.tid = tid;
	r->m.tid = tid;
	r->m.pid = tid;
	r->m.len = len;
	r->m.caplen = caplen;
	r->m.ts_ns = ts;
	memcpy(r->data, data, n);
	return sizeof(*r) + n;
}

static size_t data_rec(uint64_t id, uint32_t tid, uint32_t off, const void *data, uint32_t n,
		       int last)
{
	struct uc_data_rec *r = (void *)buf;
	memset(buf, 0, sizeof(buf));
	r->h.kind = UC_REC_DATA;
	r->h.rflags = last ? UC_RF_LAST : 0;
	r->h.data_len = n;
	r->h.msg_id = id;
	r->h.offset = off;
	r->h.tid = tid;
	memcpy(r->data, data, n);
	return sizeof(*r) + n;
}

static struct uc_reasm *fresh(void)
{
	n_got = 0;
	memset(got, 0, sizeof(got));
	return uc_reasm_new(262144, collect, NULL);
}

static void test_single_record(void)
{
	struct uc_reasm *r = fresh();
	uc_reasm_set_clock_offset(r, 1000);
	size_t sz = msg_rec(1, 10, 5, 5, "hello", 5, 1, 50);
	uc_reasm_feed(r, buf, sz);
	CHECK_INT(n_got, 1);
	CHECK_INT(got[0].msg.caplen, 5);
	CHECK(memcmp(got[0].data, "hello", 5) == 0);
	CHECK_INT(got[0].msg.flags, 0);
	CHECK_INT(got[0].msg.ts_wall_ns, 1050);
	CHECK_INT(got[0].msg.id, 1);
	uc_reasm_free(r);
}

static void test_interleaved_chunks(void)
{
	struct uc_reasm *r = fresh();
	uc_reasm_feed(r, buf, msg_rec(1, 10, 10, 10, "abcd", 4, 0, 1));
	uc_reasm_feed(r, buf, msg_rec(2, 20, 3, 3, "xyz", 3, 1, 2)); /* another task */
	uc_reasm_feed(r, buf, data_rec(1, 10, 4, "efg", 3, 0));
	CHECK_INT(n_got, 1);
	uc_reasm_feed(r, buf, data_rec(1, 10, 7, "hij", 3, 1));
	CHECK_INT(n_got, 2);
	CHECK_INT(got[1].msg.id, 1);
	CHECK_INT(got[1].msg.caplen, 10);
	CHECK(memcmp(got[1].data, "abcdefghij", 10) == 0);
	CHECK_INT(got[1].msg.flags & (UC_UF_GAP | UC_UF_TRUNCATED), 0);
	CHECK_INT(uc_reasm_stats(r)->gaps, 0);
	uc_reasm_free(r);
}

static void test_lost_tail_closed_by_next_message(void)
{
	struct uc_reasm *r = fresh();
	uc_reasm_feed(r, buf, msg_rec(1, 10, 10, 10, "abcd", 4, 0, 1));
	uc_reasm_feed(r, buf, data_rec(1, 10, 4, "ef", 2, 0));
	/* The tail was lost; the same task's next message closes the first one. */
	uc_reasm_feed(r, buf, msg_rec(2, 10, 2, 2, "zz", 2, 1, 2));
	CHECK_INT(n_got, 2);
	CHECK_INT(got[0].msg.id, 1);
	CHECK_INT(got[0].msg.caplen, 6);
	CHECK(got[0].msg.flags & UC_UF_GAP);
	CHECK(got[0].msg.flags & UC_UF_TRUNCATED);
	CHECK_INT(got[1].msg.id, 2);
	CHECK_INT(uc_reasm_stats(r)->gaps, 1);
	uc_reasm_free(r);
}

static void test_lost_middle_is_marked(void)
{
	struct uc_reasm *r = fresh();
	uc_reasm_feed(r, buf, msg_rec(1, 10, 9, 9, "abc", 3, 0, 1));
	uc_reasm_feed(r, buf, data_rec(1, 10, 6, "ghi", 3, 1)); /* 3..6 lost */
	CHECK_INT(n_got, 1);
	CHECK_INT(got[0].msg.caplen, 9);
	CHECK(got[0].msg.flags & UC_UF_GAP);
	CHECK(memcmp(got[0].data, "abc\0\0\0ghi", 9) == 0);
	uc_reasm_free(r);
}

/* A chunk whose copy faulted in the kernel: its bytes are stale ring memory, never shown. */
static void test_unreadable_chunk_is_marked(void)
{
	struct uc_reasm *r = fresh();
	uc_reasm_feed(r, buf, msg_rec(1, 10, 9, 9, "abc", 3, 0, 1));
	size_t sz = data_rec(1, 10, 3, "XYZ", 3, 0);
	((struct uc_data_rec *)buf)->h.rflags |= UC_RF_UNREADABLE;
	uc_reasm_feed(r, buf, sz);
	uc_reasm_feed(r, buf, data_rec(1, 10, 6, "ghi", 3, 1));
	CHECK_INT(n_got, 1);
	CHECK(got[0].msg.flags & UC_MF_UNREADABLE);
	CHECK(!(got[0].msg.flags & UC_UF_GAP));
	CHECK(memcmp(got[0].data, "abc\0\0\0ghi", 9) == 0);
	uc_reasm_free(r);
}

static void test_snaplen_truncation_is_not_a_gap(void)
{
	struct uc_reasm *r = fresh();
	uc_reasm_feed(r, buf, msg_rec(1, 10, 100, 4, "abcd", 4, 1, 1));
	CHECK_INT(n_got, 1);
	CHECK(got[0].msg.flags & UC_UF_TRUNCATED);
	CHECK(!(got[0].msg.flags & UC_UF_GAP));
	uc_reasm_free(r);
}

static void test_flush_by_age(void)
{
	struct uc_reasm *r = fresh();
	uc_reasm_feed(r, buf, msg_rec(1, 10, 8, 8, "ab", 2, 0, 100));
	uc_reasm_feed(r, buf, msg_rec(2, 20, 8, 8, "cd", 2, 0, 300));
	uc_reasm_flush(r, 200);
	CHECK_INT(n_got, 1);
	CHECK_INT(got[0].msg.id, 1);
	CHECK(got[0].msg.flags & UC_UF_GAP);
	uc_reasm_flush(r, UINT64_MAX);
	CHECK_INT(n_got, 2);
	CHECK_INT(got[1].msg.id, 2);
	uc_reasm_free(r);
}

static void test_hostile_records(void)
{
	struct uc_reasm *r = fresh();
	size_t sz;

	uc_reasm_feed(r, buf, 3); /* shorter than a header */
	sz = msg_rec(1, 10, 5, 5, "hello", 5, 1, 1);
	uc_reasm_feed(r, buf, sz - 1); /* data_len beyond the record */
	msg_rec(1, 10, 5, UC_SNAPLEN_MAX_ANY + 1, "hello", 5, 1, 1);
	uc_reasm_feed(r, buf, sz); /* absurd caplen */
	msg_rec(1, 10, 5, 3, "hello", 5, 1, 1);
	uc_reasm_feed(r, buf, sz); /* more bytes than caplen */
	((struct uc_rec_hdr *)buf)->kind = 99;
	uc_reasm_feed(r, buf, sz); /* unknown kind */
	CHECK_INT(n_got, 0);
	CHECK_INT(uc_reasm_stats(r)->malformed, 5);

	uc_reasm_feed(r, buf, data_rec(77, 10, 0, "x", 1, 1));
	CHECK_INT(uc_reasm_stats(r)->orphans, 1);

	/* A DATA record pointing past the message, or backwards, closes it marked. */
	uc_reasm_feed(r, buf, msg_rec(2, 10, 8, 8, "ab", 2, 0, 1));
	uc_reasm_feed(r, buf, data_rec(2, 10, 7, "xyz", 3, 1));
	CHECK_INT(n_got, 1);
	CHECK(got[0].msg.flags & UC_UF_GAP);
	uc_reasm_feed(r, buf, msg_rec(3, 10, 8, 8, "ab", 2, 0, 1));
	uc_reasm_feed(r, buf, data_rec(3, 10, 1, "x", 1, 0));
	CHECK_INT(n_got, 2);
	CHECK_INT(uc_reasm_stats(r)->malformed, 7);
	uc_reasm_free(r);
}

static void test_many_open_messages(void)
{
	struct uc_reasm *r = fresh();
	for (uint32_t t = 1; t <= 100; t++)
		uc_reasm_feed(r, buf, msg_rec(t, t, 4, 4, "ab", 2, 0, t));
	for (uint32_t t = 100; t >= 1; t--)
		uc_reasm_feed(r, buf, data_rec(t, t, 2, "cd", 2, 1));
	CHECK_INT(uc_reasm_stats(r)->messages, 100);
	CHECK_INT(uc_reasm_stats(r)->gaps, 0);
	uc_reasm_free(r);
}

int main(void)
{
	test_single_record();
	test_interleaved_chunks();
	test_lost_tail_closed_by_next_message();
	test_lost_middle_is_marked();
	test_unreadable_chunk_is_marked();
	test_snaplen_truncation_is_not_a_gap();
	test_flush_by_age();
	test_hostile_records();
	test_many_open_messages();
	UNIT_DONE();
}
