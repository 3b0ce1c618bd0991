/* capture/core/numbers: the socket address --sock takes (capture and -L alike). */
#include <errno.h>
#include <stdint.h>

#include "capture/core/numbers.h"
#include "unit.h"

int main(void)
{
	uint64_t v = 7;

	CHECK_INT(uc_parse_sock_addr("0xffff888102249e88", &v), 0);
	CHECK(v == 0xffff888102249e88ull);
	CHECK_INT(uc_parse_sock_addr("FFFF888102249E80", &v), 0);
	CHECK(v == 0xffff888102249e80ull);
	CHECK_INT(uc_parse_sock_addr("0X1", &v), 0);
	CHECK(v == 1);
	v = 7;
	CHECK_INT(uc_parse_sock_addr("0x0", &v), -ERANGE);
	CHECK_INT(uc_parse_sock_addr("0000", &v), -ERANGE);
	CHECK_INT(uc_parse_sock_addr("", &v), -EINVAL);
	CHECK_INT(uc_parse_sock_addr("0x", &v), -EINVAL);
	CHECK_INT(uc_parse_sock_addr("0x10000000000000000", &v), -EINVAL); /* 17 digits */
	CHECK_INT(uc_parse_sock_addr("12g4", &v), -EINVAL);
	CHECK_INT(uc_parse_sock_addr(" 1", &v), -EINVAL);
	CHECK_INT(uc_parse_sock_addr("-1", &v), -EINVAL);
	CHECK_INT(uc_parse_sock_addr("0x0x1", &v), -EINVAL);
	CHECK(v == 7); /* untouched on error */
	UNIT_DONE();
}
