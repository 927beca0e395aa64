/* gzip of a single file through zlib (already linked for layer decompression): rotated container logs are
 * compressed the way kubelet's container log manager does. */
#include "bootlet_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

int bl_gzip_file(const char *src, const char *dst, char *err, size_t errlen)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        int e = errno;
        if (err) snprintf(err, errlen, "open %s", src);
        return -e;
    }
    int outfd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (outfd < 0) {
        int e = errno;
        close(in);
        if (err) snprintf(err, errlen, "create %s", dst);
        return -e;
    }
    gzFile gz = gzdopen(outfd, "wb6");
    if (!gz) {
        close(in);
        close(outfd);
        if (err) snprintf(err, errlen, "start gzip stream %s", dst);
        return -ENOMEM;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (gzwrite(gz, buf, (unsigned)n) != (int)n) {
            rc = -EIO;
            if (err) snprintf(err, errlen, "write %s", dst);
            break;
        }
    }
    if (n < 0 && rc == 0) {
        rc = -errno;
        if (err) snprintf(err, errlen, "read %s", src);
    }
    close(in);
    if (gzclose(gz) != Z_OK && rc == 0) {
        rc = -EIO;
        if (err) snprintf(err, errlen, "finish %s", dst);
    }
    return rc;
}
