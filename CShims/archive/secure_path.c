/*
 * Kernel-enforced path containment for everything the image store writes: parents are opened with openat2()
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV and entries are created with
 * *at() calls relative to those fds. String checks (bl_clean_path) only decide which names are refused with a
 * clear message; the kernel flags are what keep writes inside the tree even if a check were wrong.
 */
#include "internal.h"
#include "bootlet_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

int bl_fail(char *err, size_t errlen, int e, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -e;
}

int bl_clean_path(const char *name, char *out, size_t outlen, const char *what, char *err, size_t errlen) {
    if (name == NULL) return bl_fail(err, errlen, EINVAL, "entry without a %s", what);
    if (name[0] == '/') return bl_fail(err, errlen, EINVAL, "entry \"%s\": %s is absolute", name, what);
    size_t o = 0;
    const char *p = name;
    while (*p) {
        const char *s = strchr(p, '/');
        size_t n = s ? (size_t)(s - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return bl_fail(err, errlen, EINVAL, "entry \"%s\": %s contains '..'", name, what);
        if (n > 255) return bl_fail(err, errlen, ENAMETOOLONG, "entry \"%.64s...\": %s component too long", name, what);
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (o + n + 2 > outlen) return bl_fail(err, errlen, ENAMETOOLONG, "entry \"%.64s...\": %s too long", name, what);
            if (o) out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
        if (*p == '/') p++;
    }
    out[o] = 0;
    return 0;
}

int bl_openat_beneath(int dirfd, const char *path, int flags, mode_t mode) {
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    long fd;
    do fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how); while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : (int)fd;
}

int bl_archive_open_in_root(int rootfd, const char *path, int flags) {
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    long fd;
    do fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how); while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : (int)fd;
}

int bl_open_parent(int rootfd, const char *rel, int create, const char **leaf, char *err, size_t errlen) {
    const char *slash = strrchr(rel, '/');
    *leaf = slash ? slash + 1 : rel;
    if (!slash) {
        int fd = bl_openat_beneath(rootfd, ".", O_PATH | O_DIRECTORY, 0);
        return fd < 0 ? bl_fail(err, errlen, -fd, "opening the extraction root") : fd;
    }
    char parent[4096];
    size_t plen = (size_t)(slash - rel);
    if (plen >= sizeof parent) return bl_fail(err, errlen, ENAMETOOLONG, "entry \"%s\": path too long", rel);
    memcpy(parent, rel, plen);
    parent[plen] = 0;

    int fd = bl_openat_beneath(rootfd, parent, O_PATH | O_DIRECTORY, 0);
    if (fd >= 0) return fd;
    if (fd == -ELOOP)
        return bl_fail(err, errlen, ELOOP, "entry \"%s\": a parent directory is a symlink (writing through symlinks is refused)", rel);
    if (fd != -ENOENT || !create)
        return bl_fail(err, errlen, -fd, "entry \"%s\": opening parent directory \"%s\"", rel, parent);

    /* Walk component by component, creating what is missing (like tar does for members without dir entries). */
    int cur = bl_openat_beneath(rootfd, ".", O_PATH | O_DIRECTORY, 0);
    if (cur < 0) return bl_fail(err, errlen, -cur, "opening the extraction root");
    char *p = parent;
    while (*p) {
        char *s = strchr(p, '/');
        if (s) *s = 0;
        int next = bl_openat_beneath(cur, p, O_PATH | O_DIRECTORY, 0);
        if (next == -ENOENT) {
            if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST) {
                int e = errno;
                close(cur);
                return bl_fail(err, errlen, e, "entry \"%s\": creating parent directory \"%s\"", rel, p);
            }
            next = bl_openat_beneath(cur, p, O_PATH | O_DIRECTORY, 0);
        }
        close(cur);
        if (next < 0) {
            if (next == -ELOOP)
                return bl_fail(err, errlen, ELOOP, "entry \"%s\": parent \"%s\" is a symlink (writing through symlinks is refused)", rel, p);
            return bl_fail(err, errlen, -next, "entry \"%s\": opening parent directory \"%s\"", rel, p);
        }
        cur = next;
        if (!s) break;
        p = s + 1;
    }
    return cur;
}

int bl_lsetxattr_at(int dirfd, const char *name, const char *key, const void *value, size_t size) {
    char path[64 + 256];
    if (snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dirfd, name) >= (int)sizeof path) return -ENAMETOOLONG;
    return lsetxattr(path, key, value, size, 0) < 0 ? -errno : 0;
}
