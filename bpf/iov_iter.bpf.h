/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reads a struct iov_iter on any kernel from 5.8 to 6.18. The struct changed shape
 * several times, so every difference is resolved by CO-RE at load time, never by a
 * kernel version number (distributions backport these changes):
 *   <= 5.13  `unsigned int type` bit flags (ITER_IOVEC = 4, ITER_KVEC = 8, ...; bit 0 = dir)
 *   5.14     `u8 iter_type` enum
 *   6.0      ITER_UBUF and `void __user *ubuf`
 *   6.4      `iov` renamed `__iov`
 *   6.7      enum renumbered (UBUF = 0, IOVEC = 1, ...)
 */
#ifndef UNIXCAP_IOV_ITER_BPF_H
#define UNIXCAP_IOV_ITER_BPF_H

#include "bpf/capture.bpf.h"

struct iov_iter___pre514 {
	unsigned int type;
	const struct iovec *iov;
} __attribute__((preserve_access_index));

struct iov_iter___pre64 {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

enum iter_type___pre514 {
	ITER_IOVEC___pre514 = 4,
	ITER_KVEC___pre514 = 8,
};

/* The segment array of an ITER_IOVEC, whatever the field is called. */
static __always_inline __u64 iter_iovec_array(struct iov_iter *it)
{
	if (bpf_core_field_exists(it->__iov))
		return (__u64)BPF_CORE_READ(it, __iov);
	return (__u64)BPF_CORE_READ((struct iov_iter___pre64 *)it, iov);
}

/*
 * Fills the source fields of a pending send from the iterator at sendmsg entry.
 * Returns 0, or -1 for iterators whose bytes are not addressable (pages, folios):
 * such messages are reported with UC_MF_PAGES and no payload.
 */
static __always_inline int pending_from_iter(struct uc_pending *p, struct iov_iter *it)
{
	p->skip = BPF_CORE_READ(it, iov_offset);
	p->nr_segs = BPF_CORE_READ(it, nr_segs);

	if (!bpf_core_field_exists(it->iter_type)) {
		unsigned int t = BPF_CORE_READ((struct iov_iter___pre514 *)it, type) & ~1u;
		if (t & ITER_IOVEC___pre514) {
			p->src_kind = UC_SRC_KERN_IOV;
			p->base = (__u64)BPF_CORE_READ((struct iov_iter___pre514 *)it, iov);
			return 0;
		}
		if (t & ITER_KVEC___pre514) {
			p->src_kind = UC_SRC_KVEC;
			p->base = (__u64)BPF_CORE_READ((struct iov_iter___pre514 *)it, iov);
			return 0;
		}
		p->src_kind = UC_SRC_NONE;
		return -1;
	}

	__u8 t = BPF_CORE_READ(it, iter_type);
	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) &&
	    t == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		p->src_kind = UC_SRC_USER_BUF;
		/* The buffer is at ubuf + iov_offset: fold the offset in now. */
		p->base = (__u64)BPF_CORE_READ(it, ubuf) + p->skip;
		p->skip = 0;
		p->nr_segs = 1;
		return 0;
	}
	if (t == bpf_core_enum_value(enum iter_type, ITER_IOVEC)) {
		p->src_kind = UC_SRC_KERN_IOV;
		p->base = iter_iovec_array(it);
		return 0;
	}
	if (t == bpf_core_enum_value(enum iter_type, ITER_KVEC)) {
		p->src_kind = UC_SRC_KVEC;
		p->base = (__u64)BPF_CORE_READ(it, kvec);
		return 0;
	}
	p->src_kind = UC_SRC_NONE;
	return -1;
}

#endif
