/* Calls Swift cannot make (variadic prctl(2)/syscall(2)), for the seccomp enforcement tests. */
#include "bootlet_seccomp.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int bl_seccomp_set_no_new_privs(void)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -errno;
    return 0;
}

long bl_seccomp_raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    long rc = syscall(nr, a0, a1, a2, a3, a4, a5);
    if (rc == -1)
        return -errno;
    return rc;
}
