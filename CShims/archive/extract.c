/*
 * Layer extraction: libarchive parses the stream (gzip/zstd/none filter, tar format), and every entry is created
 * here with *at() calls beneath parents opened by openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | ...), never with
 * archive_write_disk (whose containment is path-string checks plus lstat, racy and follow-prone).
 *
 * Two libarchive readers are stacked so Swift can hash both streams in one pass: `raw` (format raw + the
 * decompression filters) reads the blob and yields the uncompressed bytes, which `tar` (format tar, no filter)
 * parses. Every byte read from the blob is passed to observe(BL_STREAM_STORED) and every uncompressed byte to
 * observe(BL_STREAM_TAR): blob digest and diffID come out of the same read.
 */
#include "internal.h"
#include "bootlet_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define BUFSZ (1 << 16)

struct src {
    int fd;
    bl_observe_fn observe;
    void *ctx;
    struct archive *raw;
    int rawdone;
    char inbuf[BUFSZ];
    char tarbuf[BUFSZ];
};

struct dirtime {
    char *rel;
    struct timespec ts[2];
};

struct ex {
    int root;
    const struct bl_extract_opts *o;
    struct dirtime *dirs;
    size_t ndirs, capdirs;
};

#define FAIL(c, e, ...) bl_fail((c)->o->err, (c)->o->errlen, (e), __VA_ARGS__)

static la_ssize_t stored_read(struct archive *a, void *cd, const void **buf) {
    struct src *s = cd;
    ssize_t n;
    do n = read(s->fd, s->inbuf, sizeof s->inbuf); while (n < 0 && errno == EINTR);
    if (n < 0) {
        archive_set_error(a, errno, "reading the layer blob");
        return -1;
    }
    if (n > 0 && s->observe) s->observe(s->ctx, BL_STREAM_STORED, s->inbuf, (size_t)n);
    *buf = s->inbuf;
    return n;
}

static la_ssize_t tar_read(struct archive *a, void *cd, const void **buf) {
    struct src *s = cd;
    if (s->rawdone) return 0;
    la_ssize_t n = archive_read_data(s->raw, s->tarbuf, sizeof s->tarbuf);
    if (n < 0) {
        archive_set_error(a, archive_errno(s->raw) ? archive_errno(s->raw) : EIO, "decompressing: %s",
                          archive_error_string(s->raw) ? archive_error_string(s->raw) : "unknown error");
        return -1;
    }
    if (n == 0) {
        s->rawdone = 1;
        return 0;
    }
    if (s->observe) s->observe(s->ctx, BL_STREAM_TAR, s->tarbuf, (size_t)n);
    *buf = s->tarbuf;
    return n;
}

static const char *entry_path(struct archive_entry *e) {
    const char *p = archive_entry_pathname(e);
    return p ? p : archive_entry_pathname_utf8(e);
}

static const char *entry_hardlink(struct archive_entry *e) {
    const char *p = archive_entry_hardlink(e);
    return p ? p : archive_entry_hardlink_utf8(e);
}

static const char *entry_symlink(struct archive_entry *e) {
    const char *p = archive_entry_symlink(e);
    return p ? p : archive_entry_symlink_utf8(e);
}

static void entry_times(struct archive_entry *e, struct timespec ts[2]) {
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (archive_entry_atime_is_set(e)) {
        ts[0].tv_sec = archive_entry_atime(e);
        ts[0].tv_nsec = archive_entry_atime_nsec(e);
    } else {
        ts[0] = ts[1];
    }
}

/* Make room for a new entry `leaf`: keep an existing directory when a directory comes, remove anything else. */
static int prepare_leaf(struct ex *c, int pfd, const char *leaf, const char *rel, int is_dir) {
    struct stat st;
    if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : FAIL(c, errno, "entry \"%s\": inspecting existing entry", rel);
    if (is_dir && S_ISDIR(st.st_mode)) return 1;
    return bl_remove_at(pfd, leaf, c->o->err, c->o->errlen);
}

static int set_xattrs(struct ex *c, struct archive_entry *e, int fd, int pfd, const char *leaf, const char *rel) {
    const char *name;
    const void *value;
    size_t size;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        if (name == NULL) continue;
        /* Overlay's own attributes (opaque, redirect, metacopy, origin) are never taken from an image: they would
         * change what the merged view shows. Whiteouts are expressed by the .wh. entries only. */
        if (strncmp(name, "trusted.overlay.", 16) == 0) continue;
        int rc = fd >= 0 ? (fsetxattr(fd, name, value, size, 0) < 0 ? -errno : 0)
                         : bl_lsetxattr_at(pfd, leaf, name, value, size);
        if (rc == -ENOTSUP) continue; /* filesystem without that namespace: like tar, keep the data */
        if (rc < 0) return FAIL(c, -rc, "entry \"%s\": setting xattr %s", rel, name);
    }
    return 0;
}

/* Owner, mode (after chown so set-id bits survive), xattrs and times of a non-directory through its fd. */
static int finish_fd(struct ex *c, struct archive_entry *e, int fd, const char *rel) {
    if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
        return FAIL(c, errno, "entry \"%s\": setting owner %lld:%lld", rel, (long long)archive_entry_uid(e),
                    (long long)archive_entry_gid(e));
    if (fchmod(fd, archive_entry_perm(e)) < 0) return FAIL(c, errno, "entry \"%s\": setting mode", rel);
    int rc = set_xattrs(c, e, fd, -1, NULL, rel);
    if (rc < 0) return rc;
    return 0;
}

static int finish_at(struct ex *c, struct archive_entry *e, int pfd, const char *leaf, const char *rel, int chmod_ok) {
    if (fchownat(pfd, leaf, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
        return FAIL(c, errno, "entry \"%s\": setting owner", rel);
    if (chmod_ok && fchmodat(pfd, leaf, archive_entry_perm(e), 0) < 0)
        return FAIL(c, errno, "entry \"%s\": setting mode", rel);
    int rc = set_xattrs(c, e, -1, pfd, leaf, rel);
    if (rc < 0) return rc;
    struct timespec ts[2];
    entry_times(e, ts);
    if (utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0) return FAIL(c, errno, "entry \"%s\": setting times", rel);
    return 0;
}

static int write_all(int fd, const char *buf, size_t n, off_t off) {
    while (n > 0) {
        ssize_t w = pwrite(fd, buf, n, off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        buf += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

static int make_file(struct ex *c, struct archive *a, struct archive_entry *e, int pfd, const char *leaf, const char *rel) {
    int rc = prepare_leaf(c, pfd, leaf, rel, 0);
    if (rc < 0) return rc;
    int fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return FAIL(c, errno, "entry \"%s\": creating file", rel);
    const void *buf;
    size_t size;
    la_int64_t off;
    int r;
    while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
        if ((rc = write_all(fd, buf, size, (off_t)off)) < 0) {
            close(fd);
            return FAIL(c, -rc, "entry \"%s\": writing file data", rel);
        }
    }
    if (r != ARCHIVE_EOF) {
        int e2 = archive_errno(a) ? archive_errno(a) : EIO;
        FAIL(c, e2, "entry \"%s\": reading file data: %s", rel, archive_error_string(a) ? archive_error_string(a) : "?");
        close(fd);
        return -e2;
    }
    if (archive_entry_size_is_set(e) && ftruncate(fd, (off_t)archive_entry_size(e)) < 0) {
        rc = FAIL(c, errno, "entry \"%s\": setting file size", rel);
        close(fd);
        return rc;
    }
    rc = finish_fd(c, e, fd, rel);
    if (rc == 0) {
        struct timespec ts[2];
        entry_times(e, ts);
        if (futimens(fd, ts) < 0) rc = FAIL(c, errno, "entry \"%s\": setting times", rel);
    }
    close(fd);
    return rc;
}

static int make_dir(struct ex *c, struct archive_entry *e, int pfd, const char *leaf, const char *rel) {
    int rc = prepare_leaf(c, pfd, leaf, rel, 1);
    if (rc < 0) return rc;
    if (rc == 0 && mkdirat(pfd, leaf, 0700) < 0) return FAIL(c, errno, "entry \"%s\": creating directory", rel);
    int fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return FAIL(c, errno, "entry \"%s\": opening directory", rel);
    rc = finish_fd(c, e, fd, rel);
    close(fd);
    if (rc < 0) return rc;
    /* Directory times are set at the end: creating children changes them. */
    if (c->ndirs == c->capdirs) {
        size_t cap = c->capdirs ? c->capdirs * 2 : 64;
        struct dirtime *d = realloc(c->dirs, cap * sizeof *d);
        if (!d) return FAIL(c, ENOMEM, "entry \"%s\": recording directory times", rel);
        c->dirs = d;
        c->capdirs = cap;
    }
    struct dirtime *d = &c->dirs[c->ndirs];
    if (!(d->rel = strdup(rel))) return FAIL(c, ENOMEM, "entry \"%s\": recording directory times", rel);
    entry_times(e, d->ts);
    c->ndirs++;
    return 0;
}

static int make_marker(struct ex *c, int pfd, const char *name, const char *rel) {
    int rc = prepare_leaf(c, pfd, name, rel, 0);
    if (rc < 0) return rc;
    int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0000);
    if (fd < 0) return FAIL(c, errno, "entry \"%s\": creating whiteout marker", rel);
    close(fd);
    return 0;
}

static int make_overlay_whiteout(struct ex *c, int pfd, const char *victim, const char *rel) {
    int rc = prepare_leaf(c, pfd, victim, rel, 0);
    if (rc < 0) return rc;
    if (mknodat(pfd, victim, S_IFCHR | 0000, makedev(0, 0)) < 0)
        return FAIL(c, errno, "entry \"%s\": creating overlay whiteout (char device 0/0) for \"%s\"", rel, victim);
    return 0;
}

/* `.wh.NAME` / `.wh..wh..opq` entries (OCI image-spec "Whiteouts"). */
static int whiteout(struct ex *c, int pfd, const char *leaf, const char *rel) {
    if (strcmp(leaf, ".wh..wh..opq") == 0) {
        if (c->o->whiteouts == BL_WHITEOUT_KEEP) return make_marker(c, pfd, leaf, rel);
        int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) return FAIL(c, errno, "entry \"%s\": opening directory for opaque marker", rel);
        int rc = fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0 ? -errno : 0;
        close(dfd);
        return rc < 0 ? FAIL(c, -rc, "entry \"%s\": setting trusted.overlay.opaque=y", rel) : 0;
    }
    if (strncmp(leaf, ".wh..wh.", 8) == 0) return 0; /* aufs bookkeeping (.wh..wh.plnk ...): no meaning here */
    const char *victim = leaf + 4;
    if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
        return FAIL(c, EINVAL, "entry \"%s\": whiteout names no file", rel);
    if (c->o->whiteouts == BL_WHITEOUT_KEEP) return make_marker(c, pfd, leaf, rel);
    return make_overlay_whiteout(c, pfd, victim, rel);
}

static int make_hardlink(struct ex *c, const char *target, int pfd, const char *leaf, const char *rel) {
    char trel[4096];
    int rc = bl_clean_path(target, trel, sizeof trel, "hardlink target", c->o->err, c->o->errlen);
    if (rc < 0) return rc;
    if (!trel[0]) return FAIL(c, EINVAL, "entry \"%s\": hardlink to the layer root", rel);
    if (strcmp(trel, rel) == 0) return 0;
    const char *tleaf;
    int tpfd = bl_open_parent(c->root, trel, 0, &tleaf, c->o->err, c->o->errlen);
    if (tpfd == -ENOENT) return FAIL(c, EXDEV, "entry \"%s\": hardlink target \"%s\" is not in this layer", rel, target);
    if (tpfd < 0) return tpfd;
    struct stat st;
    if (fstatat(tpfd, tleaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        rc = errno == ENOENT ? FAIL(c, EXDEV, "entry \"%s\": hardlink target \"%s\" is not in this layer", rel, target)
                             : FAIL(c, errno, "entry \"%s\": inspecting hardlink target \"%s\"", rel, target);
    } else if (S_ISDIR(st.st_mode)) {
        rc = FAIL(c, EPERM, "entry \"%s\": hardlink target \"%s\" is a directory", rel, target);
    } else if ((rc = prepare_leaf(c, pfd, leaf, rel, 0)) >= 0) {
        /* flags 0: a symlink target is linked as the symlink itself, never followed. */
        rc = linkat(tpfd, tleaf, pfd, leaf, 0) < 0 ? FAIL(c, errno, "entry \"%s\": linking to \"%s\"", rel, target) : 0;
    }
    close(tpfd);
    return rc;
}

static int make_special(struct ex *c, struct archive_entry *e, int pfd, const char *leaf, const char *rel) {
    mode_t type = archive_entry_filetype(e);
    dev_t rdev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
    int is_wh = type == AE_IFCHR && rdev == makedev(0, 0);
    if (is_wh && c->o->whiteouts == BL_WHITEOUT_OVERLAY) return make_overlay_whiteout(c, pfd, leaf, rel);
    if (is_wh && c->o->whiteouts == BL_WHITEOUT_KEEP) {
        char marker[260];
        if (strlen(leaf) > 250) return FAIL(c, ENAMETOOLONG, "entry \"%s\": name too long for a whiteout", rel);
        strcpy(marker, ".wh.");
        strcat(marker, leaf);
        return make_marker(c, pfd, marker, rel);
    }
    if ((type == AE_IFCHR || type == AE_IFBLK) && !c->o->allow_devices)
        return FAIL(c, EPERM, "entry \"%s\": %s device %u:%u is not allowed (device nodes need --allow-devices)", rel,
                    type == AE_IFCHR ? "character" : "block", (unsigned)archive_entry_rdevmajor(e),
                    (unsigned)archive_entry_rdevminor(e));
    int rc = prepare_leaf(c, pfd, leaf, rel, 0);
    if (rc < 0) return rc;
    mode_t kind = type == AE_IFCHR ? S_IFCHR : type == AE_IFBLK ? S_IFBLK : S_IFIFO;
    if (mknodat(pfd, leaf, kind | 0600, type == AE_IFIFO ? 0 : rdev) < 0)
        return FAIL(c, errno, "entry \"%s\": creating %s", rel, type == AE_IFIFO ? "fifo" : "device node");
    return finish_at(c, e, pfd, leaf, rel, 1);
}

static int make_symlink(struct ex *c, struct archive_entry *e, int pfd, const char *leaf, const char *rel) {
    const char *target = entry_symlink(e);
    if (!target || !*target) return FAIL(c, EINVAL, "entry \"%s\": symlink without a target", rel);
    int rc = prepare_leaf(c, pfd, leaf, rel, 0);
    if (rc < 0) return rc;
    /* The target is stored as text and never resolved here: containment is the parent check of later entries. */
    if (symlinkat(target, pfd, leaf) < 0) return FAIL(c, errno, "entry \"%s\": creating symlink", rel);
    return finish_at(c, e, pfd, leaf, rel, 0);
}

static int handle_entry(struct ex *c, struct archive *a, struct archive_entry *e) {
    char rel[4096];
    int rc = bl_clean_path(entry_path(e), rel, sizeof rel, "path", c->o->err, c->o->errlen);
    if (rc < 0) return rc;
    if (!rel[0]) return 0; /* "./": the layer root keeps the store's own metadata */
    const char *leaf;
    int pfd = bl_open_parent(c->root, rel, 1, &leaf, c->o->err, c->o->errlen);
    if (pfd < 0) return pfd;
    const char *hl = entry_hardlink(e);
    mode_t type = archive_entry_filetype(e);
    if (c->o->whiteouts != BL_WHITEOUT_LITERAL && strncmp(leaf, ".wh.", 4) == 0)
        rc = whiteout(c, pfd, leaf, rel);
    else if (hl)
        rc = make_hardlink(c, hl, pfd, leaf, rel);
    else if (type == AE_IFREG)
        rc = make_file(c, a, e, pfd, leaf, rel);
    else if (type == AE_IFDIR)
        rc = make_dir(c, e, pfd, leaf, rel);
    else if (type == AE_IFLNK)
        rc = make_symlink(c, e, pfd, leaf, rel);
    else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO)
        rc = make_special(c, e, pfd, leaf, rel);
    else
        rc = FAIL(c, EINVAL, "entry \"%s\": unsupported file type 0%o", rel, (unsigned)type);
    close(pfd);
    return rc;
}

static int apply_dir_times(struct ex *c) {
    for (size_t i = c->ndirs; i-- > 0;) {
        int fd = bl_openat_beneath(c->root, c->dirs[i].rel, O_RDONLY | O_DIRECTORY, 0);
        if (fd == -ENOENT) continue; /* replaced by a later entry */
        if (fd < 0) return FAIL(c, -fd, "entry \"%s\": reopening directory to set times", c->dirs[i].rel);
        int rc = futimens(fd, c->dirs[i].ts) < 0 ? -errno : 0;
        close(fd);
        if (rc < 0) return FAIL(c, -rc, "entry \"%s\": setting directory times", c->dirs[i].rel);
    }
    return 0;
}

long bl_extract_tar(int srcfd, int rootfd, const struct bl_extract_opts *o) {
    struct ex c = {.root = rootfd, .o = o};
    struct src *s = calloc(1, sizeof *s);
    if (!s) return bl_fail(o->err, o->errlen, ENOMEM, "allocating the layer reader");
    s->fd = srcfd;
    s->observe = o->observe;
    s->ctx = o->ctx;
    long count = 0, rc = 0;
    struct archive *tar = NULL;
    s->raw = archive_read_new();
    if (!s->raw) {
        rc = bl_fail(o->err, o->errlen, ENOMEM, "allocating the decompressor");
        goto out;
    }
    /* Only the filters and formats named here are linked from the static libarchive: gzip, zstd, none; tar. */
    archive_read_support_filter_gzip(s->raw);
    archive_read_support_filter_zstd(s->raw);
    archive_read_support_format_raw(s->raw);
    struct archive_entry *e;
    if (archive_read_open(s->raw, s, NULL, stored_read, NULL) != ARCHIVE_OK) {
        rc = bl_fail(o->err, o->errlen, archive_errno(s->raw) ? archive_errno(s->raw) : EIO, "opening the layer stream: %s",
                     archive_error_string(s->raw));
        goto out;
    }
    int r = archive_read_next_header(s->raw, &e);
    if (r == ARCHIVE_EOF) s->rawdone = 1; /* empty blob */
    else if (r < ARCHIVE_WARN) {
        rc = bl_fail(o->err, o->errlen, archive_errno(s->raw) ? archive_errno(s->raw) : EIO, "reading the layer stream: %s",
                     archive_error_string(s->raw));
        goto out;
    }
    tar = archive_read_new();
    if (!tar) {
        rc = bl_fail(o->err, o->errlen, ENOMEM, "allocating the tar reader");
        goto out;
    }
    archive_read_support_format_tar(tar);
    archive_read_support_format_empty(tar);
    if (archive_read_open(tar, s, NULL, tar_read, NULL) != ARCHIVE_OK) {
        rc = bl_fail(o->err, o->errlen, archive_errno(tar) ? archive_errno(tar) : EIO, "opening the tar stream: %s",
                     archive_error_string(tar));
        goto out;
    }
    for (;;) {
        r = archive_read_next_header(tar, &e);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            rc = bl_fail(o->err, o->errlen, archive_errno(tar) > 0 ? archive_errno(tar) : EIO,
                         "reading tar header after %ld entries: %s", count,
                         archive_error_string(tar) ? archive_error_string(tar) : "unknown error");
            goto out;
        }
        if ((rc = handle_entry(&c, tar, e)) < 0) goto out;
        count++;
    }
    if ((rc = apply_dir_times(&c)) < 0) goto out;
    /* Hash what the tar reader did not need (end-of-archive padding) and what the decompressor left. */
    while (!s->rawdone) {
        const void *b;
        la_ssize_t n = tar_read(tar, s, &b);
        if (n < 0) {
            rc = bl_fail(o->err, o->errlen, EIO, "reading the end of the layer: %s", archive_error_string(tar));
            goto out;
        }
    }
    for (;;) {
        ssize_t n = read(srcfd, s->inbuf, sizeof s->inbuf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = bl_fail(o->err, o->errlen, errno, "reading the end of the layer blob");
            goto out;
        }
        if (n == 0) break;
        if (s->observe) s->observe(s->ctx, BL_STREAM_STORED, s->inbuf, (size_t)n);
    }
    rc = count;
out:
    if (tar) archive_read_free(tar);
    if (s->raw) archive_read_free(s->raw);
    for (size_t i = 0; i < c.ndirs; i++) free(c.dirs[i].rel);
    free(c.dirs);
    free(s);
    return rc;
}
