/*
 * Whole-tree operations on trees the store owns: removal that never crosses a mount, and the copy-fallback merge
 * of layer snapshots into a container rootfs when overlayfs is unavailable. Every step is relative to directory
 * fds opened with O_NOFOLLOW / RESOLVE_NO_SYMLINKS, so symlinks that came from an image are copied as symlinks
 * and never followed.
 */
#include "internal.h"
#include "bootlet_archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static int is_dot(const char *n) { return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])); }

/* Remove every entry inside the open directory `fd`. */
static int clear_dir(int fd, const char *what, char *err, size_t errlen) {
    for (int pass = 0; pass < 2; pass++) {
        int dup_fd = dup(fd);
        if (dup_fd < 0) return bl_fail(err, errlen, errno, "removing contents of %s", what);
        DIR *d = fdopendir(dup_fd);
        if (!d) {
            close(dup_fd);
            return bl_fail(err, errlen, errno, "listing %s", what);
        }
        rewinddir(d);
        int removed = 0, rc = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (is_dot(de->d_name)) continue;
            if ((rc = bl_remove_at(fd, de->d_name, err, errlen)) < 0) break;
            removed++;
        }
        closedir(d);
        if (rc < 0) return rc;
        if (!removed) return 0;
    }
    return 0;
}

int bl_remove_at(int dirfd, const char *name, char *err, size_t errlen) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : bl_fail(err, errlen, errno, "inspecting \"%s\" for removal", name);
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) return bl_fail(err, errlen, errno, "removing \"%s\"", name);
        return 0;
    }
    int fd = bl_openat_beneath(dirfd, name, O_RDONLY | O_DIRECTORY, 0);
    if (fd == -EXDEV) return bl_fail(err, errlen, EBUSY, "removing \"%s\": it is a mount point (still mounted?)", name);
    if (fd < 0) return bl_fail(err, errlen, -fd, "opening \"%s\" for removal", name);
    int rc = clear_dir(fd, name, err, errlen);
    close(fd);
    if (rc < 0) return rc;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return bl_fail(err, errlen, errno, "removing directory \"%s\"", name);
    return 0;
}

int bl_remove_tree(int dirfd, const char *name, char *err, size_t errlen) {
    if (!name || !*name || strchr(name, '/') || is_dot(name))
        return bl_fail(err, errlen, EINVAL, "removing \"%s\": not a single path component", name ? name : "");
    return bl_remove_at(dirfd, name, err, errlen);
}

/* ---- merge ---------------------------------------------------------------------------------------------- */

struct link {
    dev_t dev;
    ino_t ino;
    char *rel;
};

struct merge {
    int dstroot;
    struct link *links;
    size_t nlinks, caplinks;
    char *err;
    size_t errlen;
};

#define MFAIL(m, e, ...) bl_fail((m)->err, (m)->errlen, (e), __VA_ARGS__)

static int proc_path(char *buf, size_t n, int dirfd, const char *name) {
    return snprintf(buf, n, "/proc/self/fd/%d/%s", dirfd, name) >= (int)n ? -ENAMETOOLONG : 0;
}

static int copy_xattrs(struct merge *m, int sdir, int ddir, const char *name, const char *rel) {
    char sp[320], dp[320];
    if (proc_path(sp, sizeof sp, sdir, name) < 0 || proc_path(dp, sizeof dp, ddir, name) < 0)
        return MFAIL(m, ENAMETOOLONG, "\"%s\": name too long", rel);
    ssize_t n = llistxattr(sp, NULL, 0);
    if (n < 0) return errno == ENOTSUP ? 0 : MFAIL(m, errno, "\"%s\": listing xattrs", rel);
    if (n == 0) return 0;
    char *names = malloc((size_t)n), *val = NULL;
    int rc = 0;
    if (!names) return MFAIL(m, ENOMEM, "\"%s\": listing xattrs", rel);
    n = llistxattr(sp, names, (size_t)n);
    for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(names + i) + 1) {
        const char *k = names + i;
        if (strncmp(k, "trusted.overlay.", 16) == 0) continue;
        ssize_t vn = lgetxattr(sp, k, NULL, 0);
        if (vn < 0) { rc = MFAIL(m, errno, "\"%s\": reading xattr %s", rel, k); break; }
        char *v2 = realloc(val, (size_t)vn + 1);
        if (!v2) { rc = MFAIL(m, ENOMEM, "\"%s\": reading xattr %s", rel, k); break; }
        val = v2;
        vn = lgetxattr(sp, k, val, (size_t)vn);
        if (vn < 0) { rc = MFAIL(m, errno, "\"%s\": reading xattr %s", rel, k); break; }
        if (lsetxattr(dp, k, val, (size_t)vn, 0) < 0 && errno != ENOTSUP) {
            rc = MFAIL(m, errno, "\"%s\": setting xattr %s", rel, k);
            break;
        }
    }
    free(names);
    free(val);
    return rc;
}

/* Owner, mode, xattrs, times of `name` in ddir from the stat of the source. */
static int copy_meta(struct merge *m, int sdir, int ddir, const char *name, const struct stat *st, const char *rel) {
    if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return MFAIL(m, errno, "\"%s\": setting owner", rel);
    if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
        return MFAIL(m, errno, "\"%s\": setting mode", rel);
    int rc = copy_xattrs(m, sdir, ddir, name, rel);
    if (rc < 0) return rc;
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0) return MFAIL(m, errno, "\"%s\": setting times", rel);
    return 0;
}

static int copy_data(struct merge *m, int sdir, int ddir, const char *name, const struct stat *st, const char *rel) {
    int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0) return MFAIL(m, errno, "\"%s\": opening snapshot file", rel);
    int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return MFAIL(m, e, "\"%s\": creating file", rel);
    }
    int rc = 0, use_cfr = 1;
    off_t left = st->st_size;
    while (left > 0) {
        ssize_t n = use_cfr ? copy_file_range(in, NULL, out, NULL, (size_t)left, 0) : sendfile(out, in, NULL, (size_t)left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && use_cfr && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
            use_cfr = 0;
            continue;
        }
        if (n < 0) { rc = MFAIL(m, errno, "\"%s\": copying data", rel); break; }
        if (n == 0) break; /* file shrank: copy what is there */
        left -= n;
    }
    close(in);
    close(out);
    return rc;
}

static int remember_link(struct merge *m, const struct stat *st, const char *rel) {
    if (m->nlinks == m->caplinks) {
        size_t cap = m->caplinks ? m->caplinks * 2 : 32;
        struct link *l = realloc(m->links, cap * sizeof *l);
        if (!l) return MFAIL(m, ENOMEM, "\"%s\": recording hardlink", rel);
        m->links = l;
        m->caplinks = cap;
    }
    if (!(m->links[m->nlinks].rel = strdup(rel))) return MFAIL(m, ENOMEM, "\"%s\": recording hardlink", rel);
    m->links[m->nlinks].dev = st->st_dev;
    m->links[m->nlinks].ino = st->st_ino;
    m->nlinks++;
    return 0;
}

static int merge_dir(struct merge *m, int sfd, int dfd, const char *rel);

static int merge_entry(struct merge *m, int sfd, int dfd, const char *name, const char *rel) {
    if (strncmp(name, ".wh..wh.", 8) == 0) return 0; /* opaque marker (handled by merge_dir) and aufs metadata */
    if (strncmp(name, ".wh.", 4) == 0) return bl_remove_at(dfd, name + 4, m->err, m->errlen);
    struct stat st, dst;
    if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return MFAIL(m, errno, "\"%s\": inspecting snapshot entry", rel);
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) return bl_remove_at(dfd, name, m->err, m->errlen);
    if (S_ISSOCK(st.st_mode)) return 0;
    int rc;
    if (S_ISDIR(st.st_mode)) {
        int exists = fstatat(dfd, name, &dst, AT_SYMLINK_NOFOLLOW) == 0;
        if (exists && !S_ISDIR(dst.st_mode)) {
            if ((rc = bl_remove_at(dfd, name, m->err, m->errlen)) < 0) return rc;
            exists = 0;
        }
        if (!exists && mkdirat(dfd, name, 0700) < 0) return MFAIL(m, errno, "\"%s\": creating directory", rel);
        int s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s2 < 0) return MFAIL(m, errno, "\"%s\": opening snapshot directory", rel);
        int d2 = bl_openat_beneath(dfd, name, O_RDONLY | O_DIRECTORY, 0);
        if (d2 < 0) {
            close(s2);
            return MFAIL(m, -d2, "\"%s\": opening rootfs directory", rel);
        }
        rc = merge_dir(m, s2, d2, rel);
        close(s2);
        close(d2);
        return rc < 0 ? rc : copy_meta(m, sfd, dfd, name, &st, rel); /* after the children: times stick */
    }
    if ((rc = bl_remove_at(dfd, name, m->err, m->errlen)) < 0) return rc;
    if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
        for (size_t i = 0; i < m->nlinks; i++) {
            if (m->links[i].ino != st.st_ino || m->links[i].dev != st.st_dev) continue;
            const char *leaf;
            int pfd = bl_open_parent(m->dstroot, m->links[i].rel, 0, &leaf, m->err, m->errlen);
            if (pfd < 0) return pfd;
            rc = linkat(pfd, leaf, dfd, name, 0) < 0 ? -errno : 0;
            close(pfd);
            if (rc == 0) return 0;
            if (rc != -ENOENT) return MFAIL(m, -rc, "\"%s\": hardlinking to \"%s\"", rel, m->links[i].rel);
            break; /* the first copy was removed by a later layer: copy again */
        }
    }
    if (S_ISREG(st.st_mode)) {
        if ((rc = copy_data(m, sfd, dfd, name, &st, rel)) < 0) return rc;
        if (st.st_nlink > 1 && (rc = remember_link(m, &st, rel)) < 0) return rc;
    } else if (S_ISLNK(st.st_mode)) {
        char target[4097];
        ssize_t n = readlinkat(sfd, name, target, sizeof target - 1);
        if (n < 0) return MFAIL(m, errno, "\"%s\": reading symlink", rel);
        target[n] = 0;
        if (symlinkat(target, dfd, name) < 0) return MFAIL(m, errno, "\"%s\": creating symlink", rel);
    } else {
        if (mknodat(dfd, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
            return MFAIL(m, errno, "\"%s\": creating special file", rel);
    }
    return copy_meta(m, sfd, dfd, name, &st, rel);
}

static int merge_dir(struct merge *m, int sfd, int dfd, const char *rel) {
    char v[2];
    int opaque = fgetxattr(sfd, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y';
    if (!opaque) opaque = faccessat(sfd, ".wh..wh..opq", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
    int rc;
    if (opaque && (rc = clear_dir(dfd, *rel ? rel : "/", m->err, m->errlen)) < 0) return rc;
    int dup_fd = dup(sfd);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0) close(dup_fd);
        return MFAIL(m, errno, "\"%s\": listing snapshot directory", *rel ? rel : "/");
    }
    rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (is_dot(de->d_name)) continue;
        char child[4096];
        if (snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", de->d_name) >= (int)sizeof child) {
            rc = MFAIL(m, ENAMETOOLONG, "\"%s/%s\": path too long", rel, de->d_name);
            break;
        }
        if ((rc = merge_entry(m, sfd, dfd, de->d_name, child)) < 0) break;
    }
    closedir(d);
    return rc;
}

int bl_merge_tree(int srcfd, int dstfd, char *err, size_t errlen) {
    struct merge m = {.dstroot = dstfd, .err = err, .errlen = errlen};
    int rc = merge_dir(&m, srcfd, dstfd, "");
    for (size_t i = 0; i < m.nlinks; i++) free(m.links[i].rel);
    free(m.links);
    return rc;
}
