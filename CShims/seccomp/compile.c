/* Compiling a flattened seccomp profile to classic BPF with libseccomp (see bootlet_seccomp.h). */
#include "bootlet_seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BL_X32_SYSCALL_BIT 0x40000000u

static int map_action(uint32_t action, uint32_t arg, uint32_t *out)
{
    if (arg > 0xffffu)
        return -EINVAL;
    switch (action) {
    case BL_SECCOMP_ACT_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
    case BL_SECCOMP_ACT_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
    case BL_SECCOMP_ACT_TRAP: *out = SCMP_ACT_TRAP; return 0;
    case BL_SECCOMP_ACT_ERRNO: *out = SCMP_ACT_ERRNO(arg); return 0;
    case BL_SECCOMP_ACT_TRACE: *out = SCMP_ACT_TRACE(arg); return 0;
    case BL_SECCOMP_ACT_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
    case BL_SECCOMP_ACT_LOG: *out = SCMP_ACT_LOG; return 0;
    default: return -EINVAL;
    }
}

static int map_op(uint32_t op, enum scmp_compare *out)
{
    switch (op) {
    case BL_SECCOMP_CMP_NE: *out = SCMP_CMP_NE; return 0;
    case BL_SECCOMP_CMP_LT: *out = SCMP_CMP_LT; return 0;
    case BL_SECCOMP_CMP_LE: *out = SCMP_CMP_LE; return 0;
    case BL_SECCOMP_CMP_EQ: *out = SCMP_CMP_EQ; return 0;
    case BL_SECCOMP_CMP_GE: *out = SCMP_CMP_GE; return 0;
    case BL_SECCOMP_CMP_GT: *out = SCMP_CMP_GT; return 0;
    case BL_SECCOMP_CMP_MASKED_EQ: *out = SCMP_CMP_MASKED_EQ; return 0;
    default: return -EINVAL;
    }
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64" -> token; 0 if unknown. */
static uint32_t resolve_oci_arch(const char *oci)
{
    static const char prefix[] = "SCMP_ARCH_";
    char buf[32];
    size_t n;

    if (oci == NULL)
        return seccomp_arch_native();
    if (strncmp(oci, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    oci += sizeof(prefix) - 1;
    n = strlen(oci);
    if (n == 0 || n >= sizeof(buf))
        return 0;
    for (size_t i = 0; i <= n; i++) {
        char c = oci[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    /* "native" is a libseccomp alias, not an OCI architecture. */
    if (strcmp(buf, "native") == 0)
        return 0;
    return seccomp_arch_resolve_name(buf);
}

static int name_at(const struct bl_seccomp_desc *d, uint32_t offset, const char **out)
{
    if (offset >= d->strings_len || memchr(d->strings + offset, '\0', d->strings_len - offset) == NULL)
        return -EINVAL;
    *out = d->strings + offset;
    return 0;
}

static void add_arch_info(struct bl_seccomp_result *r, uint32_t token)
{
    for (uint32_t i = 0; i < r->arch_count; i++)
        if (r->arches[i].token == token)
            return;
    struct bl_seccomp_arch_info *a = &r->arches[r->arch_count++];
    a->token = token;
    a->is_x32 = token == SCMP_ARCH_X32;
    /* libseccomp's tokens are the kernel's AUDIT_ARCH_* values except x32, which the kernel reports as x86_64
     * with bit 30 set in the syscall number. */
    a->audit_arch = a->is_x32 ? SCMP_ARCH_X86_64 : token;
    a->max_syscall = -1;
}

static int export_program(scmp_filter_ctx ctx, struct bl_seccomp_result *r)
{
    struct stat st;
    int fd, rc = 0;
    size_t done = 0;
    unsigned char *buf;

    /* libseccomp 2.5.4 can only export to a file descriptor (seccomp_export_bpf_mem came in 2.6). */
    fd = memfd_create("bootlet-seccomp-bpf", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0)
        goto out;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto out;
    }
    if (st.st_size <= 0 || st.st_size % 8 != 0 || st.st_size / 8 > 0xffff) {
        rc = -EOVERFLOW;
        goto out;
    }
    buf = malloc((size_t)st.st_size);
    if (buf == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    while (done < (size_t)st.st_size) {
        ssize_t n = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : -EIO;
            free(buf);
            goto out;
        }
        done += (size_t)n;
    }
    r->program = buf;
    r->count = (uint32_t)(st.st_size / 8);
out:
    close(fd);
    return rc;
}

static int fail(struct bl_seccomp_result *r, uint32_t step, int32_t index, int rc)
{
    r->failed_step = step;
    r->failed_index = index;
    return rc;
}

int bl_seccomp_compile(const struct bl_seccomp_desc *d, struct bl_seccomp_result *r, uint8_t *rule_status)
{
    uint32_t def_action, arch_tokens[BL_SECCOMP_MAX_ARCHES];
    scmp_filter_ctx ctx;
    int rc;

    memset(r, 0, sizeof(*r));
    r->failed_index = -1;
    if (d->arch_count >= BL_SECCOMP_MAX_ARCHES)
        return fail(r, BL_SECCOMP_STEP_INPUT, -1, -E2BIG);
    if (rule_status != NULL)
        memset(rule_status, 0, d->rule_count);

    /* Validate everything that does not need libseccomp first, so a bad description fails before any work. */
    for (uint32_t i = 0; i < d->rule_count; i++) {
        const struct bl_seccomp_rule *rule = &d->rules[i];
        const char *name;
        uint32_t act;
        if (name_at(d, rule->name_offset, &name) < 0 || name[0] == '\0' ||
            map_action(rule->action, rule->action_arg, &act) < 0 || rule->cond_count > 6 ||
            rule->cond_first > d->cond_count || rule->cond_count > d->cond_count - rule->cond_first)
            return fail(r, BL_SECCOMP_STEP_INPUT, (int32_t)i, -EINVAL);
        for (uint32_t c = 0; c < rule->cond_count; c++) {
            const struct bl_seccomp_cond *cond = &d->conds[rule->cond_first + c];
            enum scmp_compare op;
            if (cond->index > 5 || map_op(cond->op, &op) < 0)
                return fail(r, BL_SECCOMP_STEP_INPUT, (int32_t)i, -EINVAL);
        }
    }
    for (uint32_t i = 0; i < d->arch_count; i++) {
        const char *name;
        if (name_at(d, d->arch_offsets[i], &name) < 0)
            return fail(r, BL_SECCOMP_STEP_INPUT, (int32_t)i, -EINVAL);
        arch_tokens[i] = resolve_oci_arch(name);
        if (arch_tokens[i] == 0)
            return fail(r, BL_SECCOMP_STEP_ARCH, (int32_t)i, -EINVAL);
    }
    if (map_action(d->default_action, d->default_action_arg, &def_action) < 0)
        return fail(r, BL_SECCOMP_STEP_INPUT, -1, -EINVAL);

    ctx = seccomp_init(def_action);
    if (ctx == NULL)
        return fail(r, BL_SECCOMP_STEP_INIT, -1, -EINVAL);

    /* The runtime sets no_new_privs itself (or not: CRI leaves it off unless allowPrivilegeEscalation=false), and
     * passes TSYNC as a seccomp(2) flag; libseccomp's own defaults (NNP on) only apply to seccomp_load, which is
     * never called, but keep the context honest in case it ever is. */
    if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
        (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0)) < 0) {
        seccomp_release(ctx);
        return fail(r, BL_SECCOMP_STEP_ATTR, -1, rc);
    }
    /* Binary-tree layout for long rule sets, as runc does; older libseccomp may refuse it, which is harmless. */
    if (d->optimize_tree)
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

    add_arch_info(r, seccomp_arch_native());
    for (uint32_t i = 0; i < d->arch_count; i++) {
        if (arch_tokens[i] != seccomp_arch_native()) {
            rc = seccomp_arch_add(ctx, arch_tokens[i]);
            if (rc < 0 && rc != -EEXIST) {
                seccomp_release(ctx);
                return fail(r, BL_SECCOMP_STEP_ARCH, (int32_t)i, rc);
            }
        }
        add_arch_info(r, arch_tokens[i]);
    }

    for (uint32_t i = 0; i < d->rule_count; i++) {
        const struct bl_seccomp_rule *rule = &d->rules[i];
        const char *name = d->strings + rule->name_offset;
        struct scmp_arg_cmp args[6];
        uint32_t act;
        int nr = seccomp_syscall_resolve_name(name);

        if (nr == __NR_SCMP_ERROR) {
            /* runc: a name libseccomp does not know is skipped (with a warning), never an error. */
            if (rule_status != NULL)
                rule_status[i] |= BL_SECCOMP_RULE_UNKNOWN_NAME;
            continue;
        }
        for (uint32_t a = 0; a < r->arch_count; a++) {
            int n = seccomp_syscall_resolve_name_arch(r->arches[a].token, name);
            if (n >= 0 && n > r->arches[a].max_syscall)
                r->arches[a].max_syscall = n;
        }
        if (rule->flags & BL_SECCOMP_RULE_COUNT_ONLY)
            continue;

        (void)map_action(rule->action, rule->action_arg, &act);
        for (uint32_t c = 0; c < rule->cond_count; c++) {
            const struct bl_seccomp_cond *cond = &d->conds[rule->cond_first + c];
            enum scmp_compare op = SCMP_CMP_EQ;
            (void)map_op(cond->op, &op);
            args[c].arg = cond->index;
            args[c].op = op;
            args[c].datum_a = cond->value;
            args[c].datum_b = cond->value_two;
        }
        /* Not the _exact variant: libseccomp may rewrite multiplexed calls (socketcall/ipc on x86) as runc's
         * libseccomp-golang does. */
        rc = seccomp_rule_add_array(ctx, act, nr, rule->cond_count, args);
        if (rc < 0) {
            seccomp_release(ctx);
            return fail(r, BL_SECCOMP_STEP_RULE, (int32_t)i, rc);
        }
    }

    rc = export_program(ctx, r);
    seccomp_release(ctx);
    if (rc < 0)
        return fail(r, BL_SECCOMP_STEP_EXPORT, -1, rc);
    return 0;
}

void bl_seccomp_result_free(struct bl_seccomp_result *r)
{
    free(r->program);
    r->program = NULL;
    r->count = 0;
}

uint32_t bl_seccomp_library_version(void)
{
    const struct scmp_version *v = seccomp_version();
    if (v == NULL)
        return 0;
    return (v->major & 0xff) << 16 | (v->minor & 0xff) << 8 | (v->micro & 0xff);
}

uint32_t bl_seccomp_native_arch(void)
{
    return seccomp_arch_native();
}

int bl_seccomp_syscall_number(const char *oci_arch, const char *name)
{
    uint32_t token = resolve_oci_arch(oci_arch);
    int nr;
    if (token == 0)
        return -EINVAL;
    nr = seccomp_syscall_resolve_name_arch(token, name);
    if (nr == __NR_SCMP_ERROR)
        return -ENOENT;
    return nr;
}
