#ifndef BOOTLET_SECCOMP_H
#define BOOTLET_SECCOMP_H
/*
 * bootlet libseccomp glue.
 *
 * C because libseccomp is a C library with macro-built action values (DEVELOPERS.md rule 1). The Swift side
 * (BootletRuntime/Seccomp) validates the OCI profile, flattens it into the arrays below (one rule per syscall
 * name, conditions AND-ed, runc's same-index split already applied) and turns failures into messages.
 * This file only drives libseccomp: it builds the filter, exports it as classic BPF into memory and reports, per
 * architecture of the filter, the highest syscall number the profile names (for the -ENOSYS stub that Swift
 * prepends). Functions return 0 / a value >= 0 on success and -errno on failure; they never print.
 */
#include <stddef.h>
#include <stdint.h>

/* Rule and default actions (mapped to SCMP_ACT_* in C, where the macros are). */
enum bl_seccomp_action {
    BL_SECCOMP_ACT_KILL_THREAD = 1, /* SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD */
    BL_SECCOMP_ACT_KILL_PROCESS = 2,
    BL_SECCOMP_ACT_TRAP = 3,
    BL_SECCOMP_ACT_ERRNO = 4, /* with `action_arg` = errno */
    BL_SECCOMP_ACT_TRACE = 5, /* with `action_arg` = tracer message */
    BL_SECCOMP_ACT_ALLOW = 6,
    BL_SECCOMP_ACT_LOG = 7,
};

/* Comparison operators of argument conditions (mapped to SCMP_CMP_*). */
enum bl_seccomp_op {
    BL_SECCOMP_CMP_NE = 1,
    BL_SECCOMP_CMP_LT = 2,
    BL_SECCOMP_CMP_LE = 3,
    BL_SECCOMP_CMP_EQ = 4,
    BL_SECCOMP_CMP_GE = 5,
    BL_SECCOMP_CMP_GT = 6,
    BL_SECCOMP_CMP_MASKED_EQ = 7, /* (arg & value) == value_two */
};

/* One argument condition. */
struct bl_seccomp_cond {
    uint32_t index; /* 0...5 */
    uint32_t op;    /* enum bl_seccomp_op */
    uint64_t value;
    uint64_t value_two;
};

/* Rule flag: the name only counts for the -ENOSYS stub's "highest syscall"; no rule is added (runc skips rules
 * whose action equals the default action, but still counts their names). */
#define BL_SECCOMP_RULE_COUNT_ONLY 1u

/* One rule: one syscall name, one action, `cond_count` conditions AND-ed together. */
struct bl_seccomp_rule {
    uint32_t name_offset; /* offset of a NUL-terminated name in `bl_seccomp_desc.strings` */
    uint32_t action;      /* enum bl_seccomp_action */
    uint32_t action_arg;  /* errno for ERRNO, message for TRACE; 0...0xffff */
    uint32_t flags;       /* BL_SECCOMP_RULE_* */
    uint32_t cond_first;  /* index of the first condition in `bl_seccomp_desc.conds` */
    uint32_t cond_count;  /* 0...6 */
};

/* The flattened profile. */
struct bl_seccomp_desc {
    uint32_t default_action;     /* enum bl_seccomp_action */
    uint32_t default_action_arg;
    const char *strings;         /* NUL-terminated names, concatenated */
    size_t strings_len;
    const uint32_t *arch_offsets; /* OCI names ("SCMP_ARCH_X86") in `strings`; the native arch is always added */
    uint32_t arch_count;
    const struct bl_seccomp_rule *rules;
    uint32_t rule_count;
    const struct bl_seccomp_cond *conds;
    uint32_t cond_count;
    uint32_t optimize_tree; /* 1: libseccomp binary-tree layout (runc does this above 32 rules) */
};

#define BL_SECCOMP_MAX_ARCHES 24

/* Per architecture of the filter: what the -ENOSYS stub needs. */
struct bl_seccomp_arch_info {
    uint32_t token;       /* libseccomp SCMP_ARCH_* token */
    uint32_t audit_arch;  /* AUDIT_ARCH_* the kernel puts in seccomp_data.arch (x32 reports AUDIT_ARCH_X86_64) */
    uint32_t is_x32;      /* syscall numbers carry __X32_SYSCALL_BIT (1 << 30) */
    int32_t max_syscall;  /* highest number the profile names on this arch, -1 if none */
};

/* Which step failed (bl_seccomp_result.failed_step); `failed_index` names the rule/arch/condition. */
enum bl_seccomp_step {
    BL_SECCOMP_STEP_NONE = 0,
    BL_SECCOMP_STEP_INIT = 1,          /* seccomp_init with the default action */
    BL_SECCOMP_STEP_ATTR = 2,          /* seccomp_attr_set */
    BL_SECCOMP_STEP_ARCH = 3,          /* resolving/adding an architecture (failed_index = arch) */
    BL_SECCOMP_STEP_RULE = 4,          /* seccomp_rule_add_array (failed_index = rule) */
    BL_SECCOMP_STEP_EXPORT = 5,        /* seccomp_export_bpf into a memfd and reading it back */
    BL_SECCOMP_STEP_INPUT = 6,         /* malformed description (failed_index = rule/condition) */
};

#define BL_SECCOMP_RULE_UNKNOWN_NAME 1u /* rule_status: libseccomp does not know the name: rule skipped */

struct bl_seccomp_result {
    void *program;       /* malloc'd struct sock_filter[count]; free with bl_seccomp_result_free */
    uint32_t count;
    struct bl_seccomp_arch_info arches[BL_SECCOMP_MAX_ARCHES];
    uint32_t arch_count;
    uint32_t failed_step;  /* enum bl_seccomp_step */
    int32_t failed_index;
};

/*
 * Compile `desc` to classic BPF with libseccomp.
 * `rule_status` (desc->rule_count entries, may be NULL) receives BL_SECCOMP_RULE_* bits per rule.
 * Returns 0 or -errno; on failure `result->failed_step`/`failed_index` say where and nothing needs freeing.
 */
int bl_seccomp_compile(const struct bl_seccomp_desc *desc, struct bl_seccomp_result *result, uint8_t *rule_status);

void bl_seccomp_result_free(struct bl_seccomp_result *result);

/* The libseccomp version this process runs with, as major << 16 | minor << 8 | micro. */
uint32_t bl_seccomp_library_version(void);

/* libseccomp's token for the native architecture (SCMP_ARCH_*). */
uint32_t bl_seccomp_native_arch(void);

/*
 * libseccomp's number for `name` on the arch of OCI name `oci_arch` (NULL: native). Returns the number (>= 0),
 * a negative pseudo number if the syscall exists only on other arches, -ENOENT if libseccomp does not know the name
 * and -EINVAL if it does not know the arch. Used by tests and diagnostics.
 */
int bl_seccomp_syscall_number(const char *oci_arch, const char *name);

/* ---- testing.c: calls Swift cannot make (variadic prctl/syscall) for enforcement tests ------------------- */

/* prctl(PR_SET_NO_NEW_PRIVS, 1): required before an unprivileged seccomp filter. Returns 0 or -errno. */
int bl_seccomp_set_no_new_privs(void);

/* syscall(nr, a0..a5) raw: returns the result (>= 0) or -errno. */
long bl_seccomp_raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

#endif
