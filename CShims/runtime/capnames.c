/* libcap glue: capability names and the kernel's capability range. */
#include "bootlet_runtime.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

int bl_cap_from_name(const char *name)
{
    cap_value_t v;
    if (cap_from_name(name, &v) != 0)
        return -EINVAL;
    return (int)v;
}

int bl_cap_last(void)
{
    /* cap_max_bits() reads /proc/sys/kernel/cap_last_cap (or probes) and returns the number of caps. */
    return (int)cap_max_bits() - 1;
}

int bl_cap_effective(int cap)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (cap < 0 || cap > 63)
        return -EINVAL;
    if (syscall(SYS_capget, &hdr, data) < 0)
        return -errno;
    return (data[cap / 32].effective >> (cap % 32)) & 1;
}
