/*
 * Overlay mount for container rootfs. The new mount API takes one lower layer per fsconfig("lowerdir+") call
 * (Linux 6.8+), so the layer count is not limited by mount(2)'s one-page option string (containerd shortens
 * paths for that limit instead); older kernels get the classic string.
 */
#include "internal.h"
#include "bootlet_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int mount_classic(const char *target, const char *const *lowers, int n, const char *upper, const char *work,
                         char *err, size_t errlen) {
    char opts[4096];
    size_t o = 0;
    int w = snprintf(opts, sizeof opts, "lowerdir=");
    if (w < 0) return bl_fail(err, errlen, EINVAL, "building overlay options");
    o = (size_t)w;
    for (int i = 0; i < n; i++) {
        if (strpbrk(lowers[i], ":,\\"))
            return bl_fail(err, errlen, EINVAL, "overlay lowerdir \"%s\" contains ':' ',' or '\\'", lowers[i]);
        w = snprintf(opts + o, sizeof opts - o, "%s%s", i ? ":" : "", lowers[i]);
        if (w < 0 || (size_t)w >= sizeof opts - o)
            return bl_fail(err, errlen, E2BIG, "overlay options for %d layers exceed one page (kernel without lowerdir+)", n);
        o += (size_t)w;
    }
    if (upper) {
        w = snprintf(opts + o, sizeof opts - o, ",upperdir=%s,workdir=%s", upper, work);
        if (w < 0 || (size_t)w >= sizeof opts - o) return bl_fail(err, errlen, E2BIG, "overlay options exceed one page");
    }
    if (mount("overlay", target, "overlay", upper ? 0 : MS_RDONLY, opts) < 0)
        return bl_fail(err, errlen, errno, "mounting overlay on \"%s\"", target);
    return 0;
}

int bl_overlay_mount(const char *target, const char *const *lowers, int n, const char *upper, const char *work,
                     char *err, size_t errlen) {
    if (n < 1) return bl_fail(err, errlen, EINVAL, "mounting overlay on \"%s\": no layers", target);
    int fs = fsopen("overlay", FSOPEN_CLOEXEC);
    if (fs < 0) {
        if (errno == ENOSYS) return mount_classic(target, lowers, n, upper, work, err, errlen);
        return bl_fail(err, errlen, errno, "opening an overlay filesystem context");
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0) {
            if (errno == EINVAL && i == 0) { /* kernel before 6.8: no "lowerdir+" */
                close(fs);
                return mount_classic(target, lowers, n, upper, work, err, errlen);
            }
            rc = bl_fail(err, errlen, errno, "overlay lowerdir+ \"%s\"", lowers[i]);
        }
    }
    if (rc == 0 && upper && fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0)
        rc = bl_fail(err, errlen, errno, "overlay upperdir \"%s\"", upper);
    if (rc == 0 && upper && fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
        rc = bl_fail(err, errlen, errno, "overlay workdir \"%s\"", work);
    if (rc == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        rc = bl_fail(err, errlen, errno, "creating the overlay for \"%s\"", target);
    int mnt = -1;
    if (rc == 0 && (mnt = fsmount(fs, FSMOUNT_CLOEXEC, upper ? 0 : MOUNT_ATTR_RDONLY)) < 0)
        rc = bl_fail(err, errlen, errno, "fsmount of the overlay for \"%s\"", target);
    if (rc == 0 && move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        rc = bl_fail(err, errlen, errno, "attaching the overlay on \"%s\"", target);
    if (mnt >= 0) close(mnt);
    close(fs);
    return rc;
}

int bl_overlay_probe(const char *dir, char *err, size_t errlen) {
    char p[4][4096];
    const char *names[4] = {"lower", "upper", "work", "merged"};
    for (int i = 0; i < 4; i++) {
        if (snprintf(p[i], sizeof p[i], "%s/%s", dir, names[i]) >= (int)sizeof p[i])
            return bl_fail(err, errlen, ENAMETOOLONG, "probe path under \"%s\"", dir);
        if (mkdir(p[i], 0755) < 0) return bl_fail(err, errlen, errno, "creating \"%s\"", p[i]);
    }
    int lfd = open(p[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lfd < 0) return bl_fail(err, errlen, errno, "opening \"%s\"", p[0]);
    int rc = 0;
    if (mknodat(lfd, "gone", S_IFCHR, makedev(0, 0)) < 0) rc = bl_fail(err, errlen, errno, "creating a 0/0 whiteout in \"%s\"", p[0]);
    if (rc == 0 && mkdirat(lfd, "opaque", 0755) < 0) rc = bl_fail(err, errlen, errno, "creating \"%s/opaque\"", p[0]);
    if (rc == 0 && bl_lsetxattr_at(lfd, "opaque", "trusted.overlay.opaque", "y", 1) < 0)
        rc = bl_fail(err, errlen, errno, "setting trusted.overlay.opaque in \"%s\"", p[0]);
    close(lfd);
    if (rc < 0) return rc;
    const char *lowers[1] = {p[0]};
    if ((rc = bl_overlay_mount(p[3], lowers, 1, p[1], p[2], err, errlen)) < 0) return rc;
    if (umount2(p[3], 0) < 0) {
        rc = bl_fail(err, errlen, errno, "unmounting the probe overlay \"%s\"", p[3]);
        umount2(p[3], MNT_DETACH);
    }
    return rc;
}
