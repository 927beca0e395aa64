#ifndef BOOTLET_CHILD_H
#define BOOTLET_CHILD_H
/* Internal helpers of the container child (not for Swift). Everything here is async-signal-safe and does not
 * allocate: it runs in the process cloned by the monitor, between clone and exec. */
#include "bootlet_runtime.h"
#include <stdarg.h>
#include <sys/stat.h>

/* Report a fatal error (step, path, errno) to the monitor over the sync socket and _exit(1). */
void bl_die(const char *step, const char *path, int err) __attribute__((noreturn));
/* Report a non-fatal warning. */
void bl_warn(const char *what, const char *detail);
/* Set the sync socket used by bl_die/bl_warn. */
void bl_report_init(int sync_fd);

/* Join NULL-terminated string pieces into buf (always NUL-terminated, truncates). Returns buf. */
char *bl_join(char *buf, size_t n, ...);
/* Decimal formatting without stdio. */
char *bl_utoa(char *buf, size_t n, unsigned long long v);

/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): resolve `path` inside the directory `rootfd` (symlinks cannot
 * escape it). Returns an fd or -errno. */
int bl_open_in_root(int rootfd, const char *path, int flags);
/* mkdir -p of `path` inside root; returns an O_PATH|O_DIRECTORY fd of the final directory or -errno. */
int bl_mkdirall_in_root(int rootfd, const char *path, mode_t mode);
/* Make sure `path` exists inside root as a regular file (creating parents); returns an O_PATH fd or -errno. */
int bl_mkfile_in_root(int rootfd, const char *path, mode_t mode);
/* "/proc/self/fd/<fd>" into buf. */
char *bl_fd_path(char *buf, size_t n, int fd);

/* Filesystem setup steps (child_fs.c). Each dies with a precise message on failure. */
/* Waits (once) until the monitor has put the child into its cgroups, then creates the cgroup namespace if asked
 * (BL_O_CGROUP_LATE); a no-op otherwise. Called before every step that needs the child in its cgroups. */
void bl_cgroup_barrier(void);
void bl_setup_mounts(const struct bl_plan *p);
void bl_setup_devices(const struct bl_plan *p, int in_userns);
void bl_pivot_root(const struct bl_plan *p);
void bl_apply_sysctls(const struct bl_plan *p);
void bl_readonly_paths(const struct bl_plan *p);
void bl_masked_paths(const struct bl_plan *p);
void bl_finish_rootfs(const struct bl_plan *p);

/* Credentials and process attributes (child_creds.c). */
void bl_apply_rlimits(const struct bl_plan *p);
void bl_apply_creds(const struct bl_plan *p, int in_userns);
const char *bl_lookup_exec(const struct bl_plan *p, char *buf, size_t n);

#endif
