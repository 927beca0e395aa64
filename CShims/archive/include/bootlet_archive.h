#ifndef BOOTLET_ARCHIVE_H
#define BOOTLET_ARCHIVE_H
/*
 * bootlet image shims: glue to libarchive (layer tars in and out) and the filesystem work that must be
 * kernel-contained (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, *at calls relative to a directory fd), plus
 * the overlay mount (fsopen/fsconfig "lowerdir+", which Swift cannot call through glibc's variadic-free API
 * without these declarations).
 *
 * Conventions (docs/CONVENTIONS.md rule 1): every function returns 0 / a value >= 0 on success and -errno on
 * failure, never prints, and writes a one-line description of what failed (step and entry/path, without the
 * errno text, which the Swift caller appends) into `err` when `err` is not NULL.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- common ------------------------------------------------------------------------------------------- */

/* Called with every chunk of a stream so Swift can hash it (swift-crypto): `which` is BL_STREAM_*. */
typedef void (*bl_observe_fn)(void *ctx, int which, const void *buf, size_t len);
enum {
    BL_STREAM_STORED = 0,   /* bytes as stored in the blob (compressed or not): the blob digest */
    BL_STREAM_TAR = 1,      /* the uncompressed tar stream: the layer's diffID */
};

/* ---- extract.c: tar stream -> directory --------------------------------------------------------------- */

enum {
    /* OCI whiteouts become overlayfs whiteouts: `.wh.NAME` -> char device 0/0 NAME, `.wh..wh..opq` ->
     * xattr trusted.overlay.opaque=y on the directory. For snapshots used as overlay lowerdirs. */
    BL_WHITEOUT_OVERLAY = 0,
    /* Whiteout entries are kept as empty marker files named as in the tar (`.wh.NAME`); bl_merge_tree()
     * applies them. For stores whose filesystem cannot hold overlay whiteouts. */
    BL_WHITEOUT_KEEP = 1,
    /* No whiteout meaning at all (staging a `docker save` / OCI archive): names are plain names. */
    BL_WHITEOUT_LITERAL = 2,
};

struct bl_extract_opts {
    int whiteouts;          /* BL_WHITEOUT_* */
    int allow_devices;      /* accept char/block device entries (other than 0/0 whiteouts) */
    bl_observe_fn observe;  /* may be NULL */
    void *ctx;
    char *err;              /* out: message naming the entry that failed; may be NULL */
    size_t errlen;
};

/*
 * Read a (gzip, zstd or uncompressed) tar stream from `srcfd` and create its entries beneath the directory
 * `rootfd`. Entry names that are absolute or contain `..`, parents that are symlinks (even ones created earlier
 * by the same stream), hardlinks whose target is absolute/`..`/missing, and device nodes not allowed by
 * `allow_devices` are refused: the function stops and returns an error naming the entry. All creation uses
 * `*at` calls on directory fds obtained with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV), so the kernel keeps every write inside `rootfd`. The whole stream
 * (both the stored and the uncompressed bytes) is passed to `observe`, including trailing padding.
 * Returns the number of entries created or -errno.
 */
long bl_extract_tar(int srcfd, int rootfd, const struct bl_extract_opts *opts);

/* ---- create.c: directory -> tar stream ---------------------------------------------------------------- */

/*
 * Write an uncompressed POSIX (pax) tar of the tree under `srcdir` (not following symlinks, keeping hardlinks,
 * numeric owners, modes, mtimes and xattrs; the root directory itself is not an entry) to `dstfd`, passing every
 * byte to `observe` as BL_STREAM_TAR. Returns the number of entries written or -errno.
 */
long bl_create_tar(const char *srcdir, int dstfd, bl_observe_fn observe, void *ctx, char *err, size_t errlen);

/* ---- tree.c: whole-tree operations on trees the store owns ------------------------------------------- */

/*
 * Remove `name` (file or whole tree) beneath `dirfd` without following symlinks and without crossing into another
 * mount (a still-mounted container rootfs makes this fail with EBUSY instead of deleting the mounted contents).
 * A missing `name` is success.
 */
int bl_remove_tree(int dirfd, const char *name, char *err, size_t errlen);

/*
 * Copy-fallback rootfs assembly: merge the snapshot tree `srcfd` onto the tree `dstfd` the way overlayfs would
 * show it with `src` as the upper layer: whiteouts in either form (char device 0/0 or `.wh.NAME` marker) delete
 * NAME, opaque directories (xattr trusted.overlay.opaque=y or a `.wh..wh..opq` marker) drop what lower layers had
 * there, a non-directory replaces whatever was there, hardlinks inside the snapshot stay hardlinks. Owners, modes,
 * mtimes and xattrs (except trusted.overlay.*) are copied.
 */
int bl_merge_tree(int srcfd, int dstfd, char *err, size_t errlen);

/*
 * Open `path` (relative) beneath `rootfd` with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV):
 * symlinks inside the tree are followed but cannot leave it. For reading staged archive members.
 */
int bl_archive_open_in_root(int rootfd, const char *path, int flags);

/* O_PATH (Linux value on every architecture bootlet builds for), which Swift's Glibc module does not export. */
#define BL_O_PATH 0x200000

/* ---- overlay.c ------------------------------------------------------------------------------------------ */

/*
 * Mount overlayfs on `target` with `lowers[0]` as the topmost lower layer, `lowers[n-1]` the bottom one.
 * Uses fsopen/fsconfig("lowerdir+") so the number of layers is not bounded by the one-page mount(2) option
 * string; falls back to mount(2) with a `lowerdir=a:b:c` string on kernels without the new API or "lowerdir+".
 * With `upper` NULL the mount is read-only (lowers only, needs n >= 2 for mount(2)).
 */
int bl_overlay_mount(const char *target, const char *const *lowers, int n, const char *upper, const char *work,
                     char *err, size_t errlen);

/*
 * Check that overlayfs works for the store: under the existing directory `dir`, create lower/ with a 0/0 whiteout
 * and a trusted.overlay.opaque directory, mount an overlay with upper/work on dir/merged and unmount it.
 * The caller removes `dir`. Returns 0 or -errno with the failing step in err.
 */
int bl_overlay_probe(const char *dir, char *err, size_t errlen);

/* ---- gzip.c: compress one file (kubelet's rotated container logs) ------------------------------------ */

/* Write `src` gzip-compressed to `dst` (created 0644, truncated). Returns 0 or -errno; `err` names the step. */
int bl_gzip_file(const char *src, const char *dst, char *err, size_t errlen);

#endif
