/* Launch-plan parser (monitor side, before clone). The plan is produced by BootletRuntime's LaunchPlan encoder. */
#include "bootlet_runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
    const uint8_t *p, *end;
};

static int fail(char *why, size_t whylen, const char *msg, unsigned tag)
{
    if (why && whylen)
        snprintf(why, whylen, "%s (record tag %u)", msg, tag);
    return -EINVAL;
}

/* Fixed-size field readers over a record payload. */
static int take(struct cursor *c, void *dst, size_t n)
{
    if ((size_t)(c->end - c->p) < n)
        return -1;
    memcpy(dst, c->p, n);
    c->p += n;
    return 0;
}

static const char *take_str(struct cursor *c)
{
    const uint8_t *nul = memchr(c->p, 0, (size_t)(c->end - c->p));
    if (!nul)
        return NULL;
    const char *s = (const char *)c->p;
    c->p = nul + 1;
    return s;
}

/* Count records per tag first so every array is allocated exactly once. */
static int count_records(const uint8_t *p, const uint8_t *end, unsigned counts[BL_T_MAX], char *why, size_t whylen)
{
    while (p < end) {
        if ((size_t)(end - p) < 8)
            return fail(why, whylen, "truncated record header", 0);
        uint16_t tag;
        uint32_t len;
        memcpy(&tag, p, 2);
        memcpy(&len, p + 4, 4);
        if ((size_t)(end - p - 8) < len)
            return fail(why, whylen, "record longer than plan", tag);
        if (tag > 0 && tag < BL_T_MAX)
            counts[tag]++;
        size_t adv = 8 + (((size_t)len + 7) & ~(size_t)7);
        if ((size_t)(end - p) < adv)
            adv = (size_t)(end - p);
        p += adv;
    }
    return 0;
}

#define ALLOC(field, n)                                                                                              \
    do {                                                                                                             \
        if ((n) > 0) {                                                                                               \
            out->field = calloc((n) + 1, sizeof(*out->field));                                                       \
            if (!out->field)                                                                                         \
                return -ENOMEM;                                                                                      \
        }                                                                                                            \
    } while (0)

int bl_plan_parse(const void *buf, size_t len, struct bl_plan *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof(*out));
    out->umask = BL_NO_UMASK;
    if (len < 16)
        return fail(why, whylen, "plan shorter than its header", 0);
    const uint8_t *base = buf;
    uint32_t magic, version, total;
    memcpy(&magic, base, 4);
    memcpy(&version, base + 4, 4);
    memcpy(&total, base + 8, 4);
    if (magic != BL_PLAN_MAGIC)
        return fail(why, whylen, "bad plan magic", 0);
    if (version != BL_PLAN_VERSION)
        return fail(why, whylen, "unsupported plan version", version);
    if (total > len)
        return fail(why, whylen, "plan length exceeds buffer", 0);
    const uint8_t *p = base + 16, *end = base + total;

    unsigned counts[BL_T_MAX] = { 0 };
    int rc = count_records(p, end, counts, why, whylen);
    if (rc)
        return rc;
    ALLOC(joins, counts[BL_T_NSJOIN]);
    ALLOC(mounts, counts[BL_T_MOUNT]);
    ALLOC(cgmounts, counts[BL_T_CGMOUNT]);
    ALLOC(devices, counts[BL_T_DEVICE]);
    ALLOC(masked, counts[BL_T_MASKED]);
    ALLOC(readonly, counts[BL_T_READONLY]);
    ALLOC(sysctls, counts[BL_T_SYSCTL]);
    ALLOC(rlimits, counts[BL_T_RLIMIT]);
    ALLOC(cgprocs, counts[BL_T_CGPROCS]);
    ALLOC(cgtasks, counts[BL_T_CGTASKS]);
    ALLOC(groups, counts[BL_T_GROUP]);
    out->argv = calloc(counts[BL_T_ARG] + 1, sizeof(char *));
    out->envp = calloc(counts[BL_T_ENV] + 1, sizeof(char *));
    if (!out->argv || !out->envp)
        return -ENOMEM;

    while (p < end) {
        uint16_t tag, flags;
        uint32_t rlen;
        memcpy(&tag, p, 2);
        memcpy(&flags, p + 2, 2);
        memcpy(&rlen, p + 4, 4);
        struct cursor c = { p + 8, p + 8 + rlen };
        size_t adv = 8 + (((size_t)rlen + 7) & ~(size_t)7);
        p = ((size_t)(end - p) < adv) ? end : p + adv;
        uint32_t u32, pad;
        switch (tag) {
        case BL_T_ID:
            if (!(out->id = take_str(&c)))
                return fail(why, whylen, "bad id record", tag);
            break;
        case BL_T_ROOTFS:
            if (take(&c, &out->root_propagation, 8) || !(out->rootfs = take_str(&c)))
                return fail(why, whylen, "bad rootfs record", tag);
            out->rootfs_readonly = (flags & BL_F_READONLY) != 0;
            break;
        case BL_T_CLONE:
            if (take(&c, &out->clone_flags, 8))
                return fail(why, whylen, "bad clone record", tag);
            break;
        case BL_T_NSJOIN: {
            struct bl_nsjoin *j = &out->joins[out->njoins];
            if (out->njoins >= 8 || take(&c, &j->type, 4) || take(&c, &pad, 4) || !(j->path = take_str(&c)))
                return fail(why, whylen, "bad namespace join record (at most 8)", tag);
            out->njoins++;
            break;
        }
        case BL_T_UIDMAP:
            if (!(out->uid_map = take_str(&c)))
                return fail(why, whylen, "bad uid map", tag);
            break;
        case BL_T_GIDMAP:
            if (!(out->gid_map = take_str(&c)))
                return fail(why, whylen, "bad gid map", tag);
            break;
        case BL_T_HOSTNAME:
            if (!(out->hostname = take_str(&c)))
                return fail(why, whylen, "bad hostname", tag);
            break;
        case BL_T_DOMAINNAME:
            if (!(out->domainname = take_str(&c)))
                return fail(why, whylen, "bad domainname", tag);
            break;
        case BL_T_MOUNT: {
            struct bl_mount *m = &out->mounts[out->nmounts];
            if (take(&c, &m->flags, 8) || take(&c, &m->propagation, 8) || take(&c, &m->kind, 4) ||
                take(&c, &m->mflags, 4) || !(m->source = take_str(&c)) || !(m->dest = take_str(&c)) ||
                !(m->fstype = take_str(&c)) || !(m->data = take_str(&c)))
                return fail(why, whylen, "bad mount record", tag);
            m->cg_first = out->ncgmounts;
            out->nmounts++;
            break;
        }
        case BL_T_CGMOUNT: {
            if (out->nmounts == 0 || out->mounts[out->nmounts - 1].kind != BL_K_CGROUP)
                return fail(why, whylen, "cgroup mount source without a cgroup mount", tag);
            struct bl_cgmount *g = &out->cgmounts[out->ncgmounts];
            if (!(g->name = take_str(&c)) || !(g->source = take_str(&c)))
                return fail(why, whylen, "bad cgroup mount source", tag);
            out->ncgmounts++;
            out->mounts[out->nmounts - 1].cg_count++;
            break;
        }
        case BL_T_DEVICE: {
            struct bl_device *d = &out->devices[out->ndevices];
            if (take(&c, &d->type, 4) || take(&c, &d->mode, 4) || take(&c, &d->major, 4) || take(&c, &d->minor, 4) ||
                take(&c, &d->uid, 4) || take(&c, &d->gid, 4) || !(d->path = take_str(&c)))
                return fail(why, whylen, "bad device record", tag);
            out->ndevices++;
            break;
        }
        case BL_T_MASKED:
            if (!(out->masked[out->nmasked++] = take_str(&c)))
                return fail(why, whylen, "bad masked path", tag);
            break;
        case BL_T_READONLY:
            if (!(out->readonly[out->nreadonly++] = take_str(&c)))
                return fail(why, whylen, "bad readonly path", tag);
            break;
        case BL_T_SYSCTL: {
            struct bl_sysctl *s = &out->sysctls[out->nsysctls];
            if (!(s->key = take_str(&c)) || !(s->value = take_str(&c)))
                return fail(why, whylen, "bad sysctl", tag);
            out->nsysctls++;
            break;
        }
        case BL_T_RLIMIT: {
            struct bl_rlimit *r = &out->rlimits[out->nrlimits];
            if (take(&c, &r->resource, 4) || take(&c, &pad, 4) || take(&c, &r->soft, 8) || take(&c, &r->hard, 8))
                return fail(why, whylen, "bad rlimit", tag);
            out->nrlimits++;
            break;
        }
        case BL_T_OOMSCORE:
            if (take(&c, &out->oom_score, 4))
                return fail(why, whylen, "bad oom score", tag);
            out->has_oom_score = 1;
            break;
        case BL_T_CWD:
            if (!(out->cwd = take_str(&c)))
                return fail(why, whylen, "bad cwd", tag);
            break;
        case BL_T_ARG: {
            const char *s = take_str(&c);
            if (!s)
                return fail(why, whylen, "bad arg", tag);
            out->argv[out->nargv++] = (char *)s;
            break;
        }
        case BL_T_ENV: {
            const char *s = take_str(&c);
            if (!s)
                return fail(why, whylen, "bad env", tag);
            out->envp[out->nenvp++] = (char *)s;
            if (strncmp(s, "PATH=", 5) == 0)
                out->path_env = s + 5;
            break;
        }
        case BL_T_USER:
            if (take(&c, &out->uid, 4) || take(&c, &out->gid, 4) || take(&c, &out->umask, 4))
                return fail(why, whylen, "bad user", tag);
            break;
        case BL_T_GROUP:
            if (take(&c, &out->groups[out->ngroups++], 4))
                return fail(why, whylen, "bad group", tag);
            break;
        case BL_T_CAPS:
            if (take(&c, &out->cap_bounding, 8) || take(&c, &out->cap_effective, 8) ||
                take(&c, &out->cap_permitted, 8) || take(&c, &out->cap_inheritable, 8) ||
                take(&c, &out->cap_ambient, 8))
                return fail(why, whylen, "bad capabilities", tag);
            out->has_caps = 1;
            break;
        case BL_T_SECCOMP:
            if (take(&c, &out->seccomp_flags, 4) || take(&c, &out->seccomp_count, 4) ||
                (size_t)(c.end - c.p) < (size_t)out->seccomp_count * 8 || out->seccomp_count == 0 ||
                out->seccomp_count > 0xffff)
                return fail(why, whylen, "bad seccomp filter", tag);
            out->seccomp_filter = c.p;
            break;
        case BL_T_CGPROCS:
            if (!(out->cgprocs[out->ncgprocs++] = take_str(&c)))
                return fail(why, whylen, "bad cgroup.procs path", tag);
            break;
        case BL_T_CGTASKS:
            if (!(out->cgtasks[out->ncgtasks++] = take_str(&c)))
                return fail(why, whylen, "bad cgroup tasks path", tag);
            break;
        case BL_T_FIFO:
            if (!(out->fifo = take_str(&c)))
                return fail(why, whylen, "bad fifo path", tag);
            break;
        case BL_T_PERSONALITY:
            if (take(&c, &out->personality, 4))
                return fail(why, whylen, "bad personality", tag);
            out->has_personality = 1;
            break;
        case BL_T_STATEDIR:
            if (!(out->state_dir = take_str(&c)))
                return fail(why, whylen, "bad state dir", tag);
            break;
        case BL_T_LOG:
            if (take(&c, &out->log_max_line, 4) || take(&c, &pad, 4) || !(out->log_path = take_str(&c)))
                return fail(why, whylen, "bad log record", tag);
            break;
        case BL_T_OOMFILE:
            if (!(out->oom_file = take_str(&c)))
                return fail(why, whylen, "bad oom file record", tag);
            break;
        case BL_T_OPTS:
            if (take(&c, &u32, 4))
                return fail(why, whylen, "bad options", tag);
            out->opts = u32;
            break;
        default:
            /* bootlet and its monitor ship together: an unknown record means a mismatched pair, and silently
             * skipping it could drop a security setting. */
            return fail(why, whylen, "unknown plan record (bootlet and bootlet-monitor versions differ?)", tag);
        }
    }
    if (!out->rootfs && !(out->opts & BL_O_NO_PIVOT) && out->njoins == 0)
        return fail(why, whylen, "plan has no rootfs", 0);
    if (out->nargv == 0)
        return fail(why, whylen, "plan has no process args", 0);
    return 0;
}
