/*
 * Directory -> uncompressed pax tar (the layer of `bootlet image import --from-dir`). libarchive walks the tree
 * (archive_read_disk, physical: symlinks are stored, never followed) and writes the tar; the linkresolver turns
 * repeated inodes into hardlink entries. No user/group name lookup (numeric owners only): it would pull NSS into
 * the static binary and names mean nothing inside an image.
 */
#include "internal.h"
#include "bootlet_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

struct sink {
    int fd;
    bl_observe_fn observe;
    void *ctx;
};

static la_ssize_t sink_write(struct archive *a, void *cd, const void *buf, size_t n) {
    struct sink *s = cd;
    const char *p = buf;
    size_t left = n;
    while (left > 0) {
        ssize_t w = write(s->fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            archive_set_error(a, errno, "writing the layer");
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (s->observe) s->observe(s->ctx, BL_STREAM_TAR, buf, n);
    return (la_ssize_t)n;
}

static int copy_data(struct archive *disk, struct archive *w, const char *rel, char *err, size_t errlen) {
    char buf[1 << 16];
    for (;;) {
        la_ssize_t n = archive_read_data(disk, buf, sizeof buf);
        if (n == 0) return 0;
        if (n < 0)
            return bl_fail(err, errlen, archive_errno(disk) > 0 ? archive_errno(disk) : EIO, "reading \"%s\": %s", rel,
                           archive_error_string(disk));
        if (archive_write_data(w, buf, (size_t)n) < 0)
            return bl_fail(err, errlen, archive_errno(w) > 0 ? archive_errno(w) : EIO, "writing data of \"%s\": %s", rel,
                           archive_error_string(w));
    }
}

static int write_one(struct archive *disk, struct archive *w, struct archive_entry *e, int with_data, const char *rel,
                     char *err, size_t errlen) {
    if (archive_write_header(w, e) < ARCHIVE_WARN)
        return bl_fail(err, errlen, archive_errno(w) > 0 ? archive_errno(w) : EIO, "writing header of \"%s\": %s", rel,
                       archive_error_string(w));
    if (with_data && archive_entry_size(e) > 0) return copy_data(disk, w, rel, err, errlen);
    return 0;
}

long bl_create_tar(const char *srcdir, int dstfd, bl_observe_fn observe, void *ctx, char *err, size_t errlen) {
    struct sink s = {.fd = dstfd, .observe = observe, .ctx = ctx};
    struct archive *disk = archive_read_disk_new();
    struct archive *w = archive_write_new();
    struct archive_entry_linkresolver *lr = archive_entry_linkresolver_new();
    long rc = 0, count = 0;
    size_t plen = strlen(srcdir);
    while (plen > 1 && srcdir[plen - 1] == '/') plen--;
    if (!disk || !w || !lr) {
        rc = bl_fail(err, errlen, ENOMEM, "allocating the archive writer");
        goto out;
    }
    archive_read_disk_set_symlink_physical(disk);
    archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS);
    archive_write_set_format_pax_restricted(w);
    archive_write_set_bytes_in_last_block(w, 1);
    archive_entry_linkresolver_set_strategy(lr, archive_format(w));
    if (archive_write_open(w, &s, NULL, sink_write, NULL) != ARCHIVE_OK) {
        rc = bl_fail(err, errlen, EIO, "starting the tar writer: %s", archive_error_string(w));
        goto out;
    }
    if (archive_read_disk_open(disk, srcdir) != ARCHIVE_OK) {
        rc = bl_fail(err, errlen, archive_errno(disk) > 0 ? archive_errno(disk) : EIO, "opening \"%s\": %s", srcdir,
                     archive_error_string(disk));
        goto out;
    }
    for (;;) {
        struct archive_entry *e = archive_entry_new();
        if (!e) {
            rc = bl_fail(err, errlen, ENOMEM, "allocating an entry");
            goto out;
        }
        int r = archive_read_next_header2(disk, e);
        if (r == ARCHIVE_EOF) {
            archive_entry_free(e);
            break;
        }
        if (r < ARCHIVE_WARN) {
            rc = bl_fail(err, errlen, archive_errno(disk) > 0 ? archive_errno(disk) : EIO, "walking \"%s\": %s", srcdir,
                         archive_error_string(disk));
            archive_entry_free(e);
            goto out;
        }
        archive_read_disk_descend(disk);
        const char *p = archive_entry_pathname(e);
        if (!p || strncmp(p, srcdir, plen) != 0) {
            rc = bl_fail(err, errlen, EINVAL, "walking \"%s\": unexpected path \"%s\"", srcdir, p ? p : "(null)");
            archive_entry_free(e);
            goto out;
        }
        const char *rel = p + plen;
        while (*rel == '/') rel++;
        if (!*rel || archive_entry_filetype(e) == AE_IFSOCK) { /* the root itself; sockets cannot be archived */
            archive_entry_free(e);
            continue;
        }
        char relbuf[4096];
        if (strlen(rel) + 2 > sizeof relbuf) {
            rc = bl_fail(err, errlen, ENAMETOOLONG, "path \"%s\" too long", p);
            archive_entry_free(e);
            goto out;
        }
        strcpy(relbuf, rel);
        if (archive_entry_filetype(e) == AE_IFDIR) strcat(relbuf, "/");
        archive_entry_copy_pathname(e, relbuf);
        archive_entry_set_uname(e, NULL);
        archive_entry_set_gname(e, NULL);
        /* Tar strategy: linkify keeps `e` (first sight of an inode, with data) or turns it into a hardlink entry
         * to the first path with size 0; it never defers or swaps entries. */
        struct archive_entry *sparse = NULL;
        archive_entry_linkify(lr, &e, &sparse);
        if (e) rc = write_one(disk, w, e, archive_entry_hardlink(e) == NULL, relbuf, err, errlen);
        archive_entry_free(e);
        archive_entry_free(sparse);
        if (rc < 0) goto out;
        count++;
    }
    if (archive_write_close(w) != ARCHIVE_OK) {
        rc = bl_fail(err, errlen, archive_errno(w) > 0 ? archive_errno(w) : EIO, "finishing the tar: %s",
                     archive_error_string(w));
        goto out;
    }
    rc = count;
out:
    if (lr) archive_entry_linkresolver_free(lr);
    if (disk) archive_read_free(disk);
    if (w) archive_write_free(w);
    return rc;
}
