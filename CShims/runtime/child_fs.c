/* Container filesystem setup in the child: rootfs bind, spec mounts, /sys/fs/cgroup view, device nodes,
 * pivot_root, sysctls, read-only and masked paths. Mount targets are always resolved inside the rootfs
 * (resolve.c) and mounted through their /proc/self/fd magic link, so image symlinks cannot redirect a mount. */
#include "bootlet_child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* Per-mount flags the kernel keeps locked for a mount that came from a less privileged namespace; a bind
 * remount must repeat them (runc does the same via statfs). */
static unsigned long locked_flags(int fd)
{
    struct statfs st;
    if (fstatfs(fd, &st) < 0)
        return 0;
    unsigned long f = 0;
    if (st.f_flags & ST_NOSUID) f |= MS_NOSUID;
    if (st.f_flags & ST_NODEV) f |= MS_NODEV;
    if (st.f_flags & ST_NOEXEC) f |= MS_NOEXEC;
    if (st.f_flags & ST_NOATIME) f |= MS_NOATIME;
    if (st.f_flags & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (st.f_flags & ST_RELATIME) f |= MS_RELATIME;
    if (st.f_flags & ST_RDONLY) f |= MS_RDONLY;
    return f;
}

static void describe(char *buf, size_t n, const char *what, const struct bl_mount *m)
{
    bl_join(buf, n, what, " ", m->fstype[0] ? m->fstype : "bind", " on ", m->dest, (char *)0);
}

/* Remount a bind mount at `dest` (inside root) with `flags`, retrying with the locked flags. */
static void bind_remount(int rootfd, const char *dest, unsigned long flags, const char *what)
{
    char fdp[64];
    int fd = bl_open_in_root(rootfd, dest, O_PATH);
    if (fd < 0)
        bl_die(what, dest, -fd);
    bl_fd_path(fdp, sizeof(fdp), fd);
    if (mount(NULL, fdp, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0) {
        int e = errno;
        unsigned long keep = locked_flags(fd) & ~MS_RDONLY;
        if (e != EPERM || mount(NULL, fdp, NULL, MS_BIND | MS_REMOUNT | flags | keep, NULL) < 0)
            bl_die(what, dest, e);
    }
    close(fd);
}

static int set_recursive_ro(int rootfd, const char *dest)
{
    struct mount_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.attr_set = MOUNT_ATTR_RDONLY;
    int fd = bl_open_in_root(rootfd, dest, O_PATH);
    if (fd < 0)
        return fd;
    long r = syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr));
    int e = r < 0 ? -errno : 0;
    close(fd);
    return e;
}

static void mount_cgroup_view(const struct bl_plan *p, const struct bl_mount *m, int rootfd, const char *target)
{
    bl_cgroup_barrier(); /* a cgroup2 mount shows the cgroup namespace's root */
    char what[160];
    unsigned long base = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (m->mflags & BL_M_CGROUP2) {
        if (mount("cgroup2", target, "cgroup2", m->flags & ~PROPAGATION, NULL) < 0)
            bl_die("mount cgroup2 on /sys/fs/cgroup", m->dest, errno);
        return;
    }
    /* A single "." entry: bind that directory itself (cgroup v2 without a cgroup namespace). */
    if (m->cg_count == 1 && strcmp(p->cgmounts[m->cg_first].name, ".") == 0) {
        if (mount(p->cgmounts[m->cg_first].source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
            bl_die("bind cgroup directory", p->cgmounts[m->cg_first].source, errno);
        bind_remount(rootfd, m->dest, m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC), "remount cgroup view");
        return;
    }
    if (mount("tmpfs", target, "tmpfs", base, "mode=755") < 0)
        bl_die("mount tmpfs for cgroup hierarchies on", m->dest, errno);
    int dir = bl_open_in_root(rootfd, m->dest, O_PATH | O_DIRECTORY);
    if (dir < 0)
        bl_die("open cgroup tmpfs", m->dest, -dir);
    for (unsigned i = 0; i < m->cg_count; i++) {
        const struct bl_cgmount *g = &p->cgmounts[m->cg_first + i];
        if (g->source[0] == '=') {
            if (symlinkat(g->source + 1, dir, g->name) < 0 && errno != EEXIST)
                bl_die(bl_join(what, sizeof(what), "symlink cgroup hierarchy ", g->name, (char *)0), g->source + 1, errno);
            continue;
        }
        if (mkdirat(dir, g->name, 0755) < 0 && errno != EEXIST)
            bl_die(bl_join(what, sizeof(what), "create cgroup mount point ", g->name, (char *)0), m->dest, errno);
        int sub = openat(dir, g->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            bl_die("open cgroup mount point", g->name, errno);
        char fdp[64];
        bl_fd_path(fdp, sizeof(fdp), sub);
        if (mount(g->source, fdp, NULL, MS_BIND | MS_REC, NULL) < 0)
            bl_die(bl_join(what, sizeof(what), "bind cgroup hierarchy ", g->name, (char *)0), g->source, errno);
        close(sub);
        sub = openat(dir, g->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        bl_fd_path(fdp, sizeof(fdp), sub);
        unsigned long rf = m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        if (rf && mount(NULL, fdp, NULL, MS_BIND | MS_REMOUNT | rf, NULL) < 0 &&
            mount(NULL, fdp, NULL, MS_BIND | MS_REMOUNT | rf | (locked_flags(sub) & ~MS_RDONLY), NULL) < 0)
            bl_die(bl_join(what, sizeof(what), "remount cgroup hierarchy ", g->name, (char *)0), g->source, errno);
        close(sub);
    }
    close(dir);
    if (m->flags & MS_RDONLY)
        bind_remount(rootfd, m->dest, MS_RDONLY | base, "remount cgroup tmpfs read-only");
}

static void mount_one(const struct bl_plan *p, const struct bl_mount *m, int rootfd)
{
    char what[200], target[64];
    int tfd = (m->mflags & BL_M_FILE) ? bl_mkfile_in_root(rootfd, m->dest, 0644)
                                      : bl_mkdirall_in_root(rootfd, m->dest, 0755);
    if (tfd < 0)
        bl_die(bl_join(what, sizeof(what), "create mount point for ", m->source, (char *)0), m->dest, -tfd);
    bl_fd_path(target, sizeof(target), tfd);
    unsigned long flags = m->flags & ~PROPAGATION;

    switch (m->kind) {
    case BL_K_BIND: {
        if (mount(m->source, target, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
            bl_die(bl_join(what, sizeof(what), "bind mount ", m->source, " on ", m->dest, (char *)0), m->source, errno);
        unsigned long rf = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (rf)
            bind_remount(rootfd, m->dest, rf, bl_join(what, sizeof(what), "remount bind mount ", m->dest, (char *)0));
        if (m->mflags & BL_M_RRO) {
            int e = set_recursive_ro(rootfd, m->dest);
            if (e < 0)
                bl_die("make mount recursively read-only (rro)", m->dest, -e);
        }
        break;
    }
    case BL_K_CGROUP:
        mount_cgroup_view(p, m, rootfd, target);
        break;
    default: {
        const char *data = m->data[0] ? m->data : NULL;
        if (mount(m->source, target, m->fstype, flags, data) < 0) {
            int e = errno;
            /* Without its own net (sysfs) or ipc (mqueue) namespace the kernel refuses a fresh instance;
             * runc falls back to binding the host's, read-only as configured. */
            if ((e == EPERM || e == EBUSY) && (m->mflags & (BL_M_SYSFS_FALLBACK | BL_M_MQUEUE_FALLBACK))) {
                const char *src = (m->mflags & BL_M_SYSFS_FALLBACK) ? "/sys" : "/dev/mqueue";
                if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                    bl_die(bl_join(what, sizeof(what), "bind host ", src, " on ", m->dest, (char *)0), src, errno);
                unsigned long rf = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
                if (rf)
                    bind_remount(rootfd, m->dest, rf, "remount host bind");
            } else {
                describe(what, sizeof(what), "mount", m);
                bl_die(what, m->source, e);
            }
        }
        break;
    }
    }
    close(tfd);
    if (m->propagation) {
        int fd = bl_open_in_root(rootfd, m->dest, O_PATH);
        if (fd < 0)
            bl_die("open mount for propagation", m->dest, -fd);
        bl_fd_path(target, sizeof(target), fd);
        if (mount(NULL, target, NULL, m->propagation, NULL) < 0)
            bl_die("set mount propagation", m->dest, errno);
        close(fd);
    }
}

void bl_setup_mounts(const struct bl_plan *p)
{
    /* Keep the container's mounts from propagating back to the host (and make pivot_root possible). */
    unsigned long rp = p->root_propagation;
    unsigned long first = (rp & (MS_PRIVATE | MS_SLAVE)) ? rp : (MS_SLAVE | MS_REC);
    if (mount(NULL, "/", NULL, first, NULL) < 0)
        bl_die("set propagation of / in the container mount namespace", "/", errno);
    if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        bl_die("bind the rootfs onto itself", p->rootfs, errno);
    int rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        bl_die("open rootfs", p->rootfs, errno);
    for (unsigned i = 0; i < p->nmounts; i++)
        mount_one(p, &p->mounts[i], rootfd);
    close(rootfd);
}

static void make_device(const struct bl_device *d, int rootfd, int in_userns)
{
    char what[160], dir[4096];
    const char *slash = strrchr(d->path, '/');
    const char *base = slash ? slash + 1 : d->path;
    size_t dlen = slash ? (size_t)(slash - d->path) : 0;
    if (dlen >= sizeof(dir) || !*base)
        bl_die("create device: bad path", d->path, EINVAL);
    memcpy(dir, d->path, dlen);
    dir[dlen] = 0;
    int dfd = bl_mkdirall_in_root(rootfd, dir, 0755);
    if (dfd < 0)
        bl_die("create device directory", d->path, -dfd);
    if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT && errno != EISDIR)
        bl_die("remove existing file before creating device", d->path, errno);
    if (in_userns) {
        /* mknod is not allowed in a user namespace: bind the host's node like runc. */
        int f = openat(dfd, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
        if (f < 0)
            bl_die("create device bind target", d->path, errno);
        close(f);
        int t = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        char fdp[64];
        if (t < 0 || mount(d->path, bl_fd_path(fdp, sizeof(fdp), t), NULL, MS_BIND, NULL) < 0)
            bl_die(bl_join(what, sizeof(what), "bind host device ", d->path, (char *)0), d->path, errno);
        close(t);
    } else {
        if (mknodat(dfd, base, d->type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
            bl_die(bl_join(what, sizeof(what), "mknod ", d->path, (char *)0), d->path, errno);
        if (fchownat(dfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
            bl_die("chown device", d->path, errno);
    }
    close(dfd);
}

void bl_setup_devices(const struct bl_plan *p, int in_userns)
{
    int rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        bl_die("open rootfs", p->rootfs, errno);
    for (unsigned i = 0; i < p->ndevices; i++)
        make_device(&p->devices[i], rootfd, in_userns);
    if (p->opts & BL_O_DEFAULT_DEVICES) {
        int dev = bl_mkdirall_in_root(rootfd, "/dev", 0755);
        if (dev < 0)
            bl_die("open /dev", "/dev", -dev);
        static const char *const links[][2] = {
            { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
            { "/proc/self/fd/2", "stderr" },
        };
        for (unsigned i = 0; i < sizeof(links) / sizeof(links[0]); i++)
            if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
                bl_die("create /dev symlink", links[i][1], errno);
        if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
            bl_die("create /dev symlink", "core", errno);
        /* /dev/ptmx must be the devpts instance's multiplexer (newinstance). */
        if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
            bl_die("remove /dev/ptmx", "/dev/ptmx", errno);
        if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
            bl_die("create /dev/ptmx symlink", "/dev/ptmx", errno);
        close(dev);
    }
    close(rootfd);
}

void bl_pivot_root(const struct bl_plan *p)
{
    if (p->opts & BL_O_NO_PIVOT) {
        if (chdir(p->rootfs) < 0)
            bl_die("chdir to rootfs", p->rootfs, errno);
        if (mount(p->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
            bl_die("move rootfs to / (--no-pivot)", p->rootfs, errno);
        if (chroot(".") < 0)
            bl_die("chroot to rootfs (--no-pivot)", p->rootfs, errno);
        if (chdir("/") < 0)
            bl_die("chdir to / after chroot", "/", errno);
        return;
    }
    int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (oldroot < 0)
        bl_die("open old root", "/", errno);
    int newroot = open(p->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (newroot < 0)
        bl_die("open new root", p->rootfs, errno);
    if (fchdir(newroot) < 0)
        bl_die("chdir to new root", p->rootfs, errno);
    /* pivot_root(".", ".") stacks the old root on top of the new one; unmount it lazily (runc's trick, no
     * temporary directory inside the image needed). */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        bl_die("pivot_root", p->rootfs, errno);
    if (fchdir(oldroot) < 0)
        bl_die("chdir to old root", "/", errno);
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        bl_die("make old root a slave before unmounting", "/", errno);
    if (umount2(".", MNT_DETACH) < 0)
        bl_die("unmount old root", "/", errno);
    if (chdir("/") < 0)
        bl_die("chdir to / in the container", "/", errno);
    close(oldroot);
    close(newroot);
}

void bl_apply_sysctls(const struct bl_plan *p)
{
    char path[512], what[300];
    for (unsigned i = 0; i < p->nsysctls; i++) {
        bl_join(path, sizeof(path), "/proc/sys/", p->sysctls[i].key, (char *)0);
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
            bl_die(bl_join(what, sizeof(what), "open sysctl ", p->sysctls[i].key, (char *)0), path, errno);
        size_t len = strlen(p->sysctls[i].value);
        if (write(fd, p->sysctls[i].value, len) != (ssize_t)len)
            bl_die(bl_join(what, sizeof(what), "write sysctl ", p->sysctls[i].key, "=", p->sysctls[i].value, (char *)0),
                   path, errno);
        close(fd);
    }
}

void bl_readonly_paths(const struct bl_plan *p)
{
    for (unsigned i = 0; i < p->nreadonly; i++) {
        const char *path = p->readonly[i];
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
            if (errno == ENOENT)
                continue; /* like runc: a path the kernel does not have is skipped */
            bl_die("bind read-only path", path, errno);
        }
        int fd = open(path, O_PATH | O_CLOEXEC);
        unsigned long keep = fd >= 0 ? (locked_flags(fd) & ~MS_RDONLY) : 0;
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | keep, NULL) < 0)
            bl_die("remount read-only path", path, errno);
        if (fd >= 0)
            close(fd);
    }
}

void bl_masked_paths(const struct bl_plan *p)
{
    for (unsigned i = 0; i < p->nmasked; i++) {
        const char *path = p->masked[i];
        struct stat st;
        if (stat(path, &st) < 0) {
            if (errno == ENOENT)
                continue; /* runc's maskPath skips missing paths */
            bl_die("stat masked path", path, errno);
        }
        int r = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL)
                                    : mount("/dev/null", path, NULL, MS_BIND, NULL);
        if (r < 0)
            bl_die(S_ISDIR(st.st_mode) ? "mask directory with read-only tmpfs" : "mask file with /dev/null", path, errno);
    }
}

void bl_finish_rootfs(const struct bl_plan *p)
{
    if (p->rootfs_readonly) {
        int fd = open("/", O_PATH | O_CLOEXEC);
        unsigned long keep = fd >= 0 ? (locked_flags(fd) & ~MS_RDONLY) : 0;
        if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
            bl_die("remount rootfs read-only", "/", errno);
        if (fd >= 0)
            close(fd);
    }
    if (p->root_propagation & MS_SHARED) {
        if (mount(NULL, "/", NULL, p->root_propagation, NULL) < 0)
            bl_die("set rootfs propagation", "/", errno);
    }
}
