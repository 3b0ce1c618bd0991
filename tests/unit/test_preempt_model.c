/* capture/live/preempt_model: the kernel's preemption model from each of its sources, as the
 * kernels of the matrix and the host write them. */
#include "capture/live/preempt_model.h"
#include "unit.h"

int main(void)
{
	/* /sys/kernel/debug/sched/preempt: 7.2 offers lazy and full only; 6.12 all four */
	CHECK_INT(uc_preempt_from_debugfs("full (lazy) \n"), 1);
	CHECK_INT(uc_preempt_from_debugfs("none (voluntary) full lazy\n"), 0);
	CHECK_INT(uc_preempt_from_debugfs("(none) voluntary full\n"), 0);
	CHECK_INT(uc_preempt_from_debugfs("none voluntary (full)\n"), 1);
	CHECK_INT(uc_preempt_from_debugfs("none voluntary full\n"), -1);
	CHECK_INT(uc_preempt_from_debugfs("(fancy)\n"), -1);

	CHECK_INT(uc_preempt_from_cmdline("BOOT_IMAGE=/vmlinuz root=/dev/sda1 preempt=full quiet\n"), 1);
	CHECK_INT(uc_preempt_from_cmdline("preempt=voluntary\n"), 0);
	CHECK_INT(uc_preempt_from_cmdline("console=ttyS0 preempt=none"), 0);
	CHECK_INT(uc_preempt_from_cmdline("console=ttyS0 quiet\n"), -1);
	CHECK_INT(uc_preempt_from_cmdline("nopreempt=full\n"), -1);

	/* Debian 6.12's config: dynamic, voluntary by default */
	CHECK_INT(uc_preempt_from_config("CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_VOLUNTARY=y\n"
					 "# CONFIG_PREEMPT is not set\nCONFIG_PREEMPTION=y\n"
					 "CONFIG_PREEMPT_DYNAMIC=y\n"), 0);
	CHECK_INT(uc_preempt_from_config("CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_LAZY=y\n"), 1);
	CHECK_INT(uc_preempt_from_config("CONFIG_PREEMPT=y\nCONFIG_PREEMPT_COUNT=y\n"), 1);
	CHECK_INT(uc_preempt_from_config("CONFIG_PREEMPT_COUNT=y\n"), -1);

	CHECK_INT(uc_preempt_from_version("#1 SMP PREEMPT_DYNAMIC Debian 7.2.13-1 (2026-10-28)"), -1);
	CHECK_INT(uc_preempt_from_version("#1 SMP PREEMPT_RT Debian 6.12.5-1"), 1);
	CHECK_INT(uc_preempt_from_version("#1 SMP PREEMPT Tue Mar 1"), 1);
	CHECK_INT(uc_preempt_from_version("#1 SMP Debian 5.10.223-1 (2024-08-10)"), 0);
	UNIT_DONE();
}
