/* Path resolution confined to the container rootfs with openat2(RESOLVE_IN_ROOT): a symlink in the image can never
 * make a mount target, device node or created directory land outside the rootfs. */
#include "bootlet_child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int bl_open_in_root(int rootfd, const char *path, int flags)
{
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    while (*path == '/')
        path++;
    if (!*path)
        path = ".";
    long fd;
    do
        fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
    while (fd < 0 && (errno == EAGAIN || errno == EINTR));
    return fd < 0 ? -errno : (int)fd;
}

int bl_mkdirall_in_root(int rootfd, const char *path, mode_t mode)
{
    char prefix[4096];
    size_t len = 0;
    int parent = bl_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
    if (parent < 0)
        return parent;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        size_t clen = (size_t)(end - p);
        if (len + clen + 2 >= sizeof(prefix) || clen >= 256) {
            close(parent);
            return -ENAMETOOLONG;
        }
        prefix[len++] = '/';
        memcpy(prefix + len, p, clen);
        len += clen;
        prefix[len] = 0;
        int fd = bl_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
        if (fd == -ENOENT) {
            char comp[256];
            memcpy(comp, p, clen);
            comp[clen] = 0;
            if (mkdirat(parent, comp, mode) < 0 && errno != EEXIST) {
                int e = -errno;
                close(parent);
                return e;
            }
            fd = bl_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
        }
        close(parent);
        if (fd < 0)
            return fd;
        parent = fd;
        p = end;
    }
    return parent;
}

int bl_mkfile_in_root(int rootfd, const char *path, mode_t mode)
{
    int fd = bl_open_in_root(rootfd, path, O_PATH);
    if (fd >= 0 || fd != -ENOENT)
        return fd;
    /* Split into parent and base name. */
    const char *slash = strrchr(path, '/');
    char parent_path[4096];
    const char *base = path;
    if (slash) {
        size_t plen = (size_t)(slash - path);
        if (plen >= sizeof(parent_path))
            return -ENAMETOOLONG;
        memcpy(parent_path, path, plen);
        parent_path[plen] = 0;
        base = slash + 1;
    } else {
        parent_path[0] = 0;
    }
    int dir = bl_mkdirall_in_root(rootfd, parent_path, 0755);
    if (dir < 0)
        return dir;
    /* An O_PATH directory fd is a valid dirfd for openat(); O_NOFOLLOW keeps a dangling symlink from being
     * followed out of the rootfs. */
    int f = openat(dir, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
    int e = f < 0 ? -errno : 0;
    if (f >= 0)
        close(f);
    close(dir);
    if (e < 0 && e != -EEXIST)
        return e;
    return bl_open_in_root(rootfd, path, O_PATH);
}
