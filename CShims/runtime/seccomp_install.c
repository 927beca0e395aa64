/* Loading a seccomp filter: seccomp(2) has no glibc wrapper, so this is a raw syscall. */
#include "bootlet_runtime.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

int bl_seccomp_install(const void *filter, unsigned short count, unsigned int flags)
{
    struct sock_fprog prog = { .len = count, .filter = (struct sock_filter *)filter };
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (r < 0)
        return -errno;
    /* With SECCOMP_FILTER_FLAG_TSYNC a positive result is the id of a thread that could not be synchronised:
     * the filter was not installed anywhere. */
    if (r > 0)
        return -ESRCH;
    return 0;
}
