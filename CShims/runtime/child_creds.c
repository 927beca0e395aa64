/* Credentials, capabilities, rlimits and executable lookup in the container child. The order follows runc's
 * finalizeNamespace: bounding set, groups, gid, uid (with KEEPCAPS), then the capability sets, then ambient. */
#include "bootlet_child.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const rlimit_names[] = {
    "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
    "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

void bl_apply_rlimits(const struct bl_plan *p)
{
    for (unsigned i = 0; i < p->nrlimits; i++) {
        const struct bl_rlimit *r = &p->rlimits[i];
        struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
        if (prlimit(0, (int)r->resource, &rl, NULL) < 0) {
            char what[96];
            const char *name = r->resource < sizeof(rlimit_names) / sizeof(rlimit_names[0]) ? rlimit_names[r->resource] : "rlimit";
            bl_die(bl_join(what, sizeof(what), "setrlimit ", name, (char *)0), name, errno);
        }
    }
}

static void set_caps(const struct bl_plan *p)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)p->cap_effective;
    data[1].effective = (uint32_t)(p->cap_effective >> 32);
    data[0].permitted = (uint32_t)p->cap_permitted;
    data[1].permitted = (uint32_t)(p->cap_permitted >> 32);
    data[0].inheritable = (uint32_t)p->cap_inheritable;
    data[1].inheritable = (uint32_t)(p->cap_inheritable >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0)
        bl_die("capset (effective, permitted, inheritable)", "process.capabilities", errno);
}

void bl_apply_creds(const struct bl_plan *p, int in_userns)
{
    if (p->has_caps) {
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
            bl_die("prctl(PR_SET_KEEPCAPS)", "", errno);
        for (int cap = 0; cap < 64; cap++) {
            if (p->cap_bounding & (1ULL << cap))
                continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                if (errno == EINVAL)
                    break; /* past the kernel's last capability */
                char num[8], what[64];
                bl_die(bl_join(what, sizeof(what), "drop capability ", bl_utoa(num, sizeof(num), (unsigned)cap),
                               " from the bounding set", (char *)0),
                       "process.capabilities.bounding", errno);
            }
        }
    }
    if (setgroups(p->ngroups, p->ngroups ? p->groups : NULL) < 0)
        bl_die("setgroups", "process.user.additionalGids", errno);
    if (setresgid(p->gid, p->gid, p->gid) < 0)
        bl_die("setgid", "process.user.gid", errno);
    if (setresuid(p->uid, p->uid, p->uid) < 0)
        bl_die("setuid", "process.user.uid", errno);
    if (!p->has_caps)
        return;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        bl_die("prctl(PR_SET_KEEPCAPS, 0)", "", errno);
    set_caps(p);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        bl_die("clear ambient capabilities", "process.capabilities.ambient", errno);
    for (int cap = 0; cap < 64; cap++) {
        if (!(p->cap_ambient & (1ULL << cap)))
            continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
            /* The kernel only allows ambient caps that are also permitted and inheritable; runc and crun skip
             * the others (crun's default spec lists ambient caps with an empty inheritable set). */
            char num[8];
            bl_warn("ambient capability not raised (not in both permitted and inheritable sets)",
                    bl_utoa(num, sizeof(num), (unsigned)cap));
        }
    }
}

static int is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

const char *bl_lookup_exec(const struct bl_plan *p, char *buf, size_t n)
{
    const char *name = p->argv[0];
    if (strchr(name, '/'))
        return name;
    const char *path = p->path_env ? p->path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        if (len == 0) {
            bl_join(buf, n, name, (char *)0); /* empty entry means the current directory */
        } else if (len + strlen(name) + 2 < n) {
            memcpy(buf, path, len);
            buf[len] = '/';
            bl_join(buf + len + 1, n - len - 1, name, (char *)0);
        } else {
            buf[0] = 0;
        }
        if (buf[0] && is_executable(buf))
            return buf;
        path += len;
        if (*path == ':')
            path++;
    }
    return NULL;
}
