#ifndef BOOTLET_ARCHIVE_INTERNAL_H
#define BOOTLET_ARCHIVE_INTERNAL_H
/* Helpers shared by the archive shims; not exported to Swift. */
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>

/* Format a message into err (if not NULL) and return -e (e > 0). */
int bl_fail(char *err, size_t errlen, int e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Split a tar member name into clean components: drops leading "./", empty and "." components.
 * Refuses absolute names (-EINVAL, "absolute path") and any ".." component (-EINVAL, "contains '..'").
 * On success writes the cleaned relative path (no leading/trailing '/') into out (size outlen), which is ""
 * for the root itself. `what` names the field for the message ("path", "hardlink target").
 */
int bl_clean_path(const char *name, char *out, size_t outlen, const char *what, char *err, size_t errlen);

/*
 * Open the directory that is the parent of the cleaned relative path `rel` beneath `rootfd` as an O_PATH fd,
 * creating missing intermediate directories (mode 0755, owner root) when `create` is set. The kernel resolves
 * every component with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV, so a
 * symlink anywhere in the parent chain fails with ELOOP. `*leaf` is set to the last component inside `rel`.
 * Returns the fd or -errno (message in err).
 */
int bl_open_parent(int rootfd, const char *rel, int create, const char **leaf, char *err, size_t errlen);

/* openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV. */
int bl_openat_beneath(int dirfd, const char *path, int flags, mode_t mode);

/* Remove the entry `name` in `dirfd` (a file or a whole tree, never crossing mounts). Missing is success. */
int bl_remove_at(int dirfd, const char *name, char *err, size_t errlen);

/* Set an xattr on `name` in directory `dirfd` without following a final symlink (through /proc/self/fd). */
int bl_lsetxattr_at(int dirfd, const char *name, const char *key, const void *value, size_t size);

#endif
