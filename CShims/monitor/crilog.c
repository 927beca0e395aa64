/* CRI log writer (the format containerd's CRI plugin writes and kubelet parses, kubelet-static-pods.md §2.5):
 * one record per line, `<timestamp> <stream> <F|P> <content>\n`; a trailing \r before \n is dropped; a line
 * longer than max_line is split into P records followed by the final F; output that ends without a newline is
 * written as a P record. Each record is a single write(2) on an O_APPEND file, so readers never see a torn
 * record and the two streams interleave at record boundaries. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int crilog_open(struct crilog *l, const char *path, size_t max_line)
{
    l->path = path;
    l->max_line = max_line ? max_line : 16384;
    l->last.tv_sec = 0;
    l->last.tv_nsec = 0;
    l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (l->fd < 0)
        return -errno;
    l->out.buf = malloc(l->max_line);
    l->err.buf = malloc(l->max_line);
    if (!l->out.buf || !l->err.buf)
        return -ENOMEM;
    l->out.len = l->err.len = 0;
    l->out.name = "stdout";
    l->err.name = "stderr";
    return 0;
}

int crilog_reopen(struct crilog *l)
{
    int fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -errno;
    if (l->fd >= 0)
        close(l->fd);
    l->fd = fd;
    return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* disk full or log removed: drop rather than block the container */
        }
        p += w;
        n -= (size_t)w;
    }
}

static void record(struct crilog *l, const char *stream, char tag, const char *content, size_t len)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec < l->last.tv_sec || (now.tv_sec == l->last.tv_sec && now.tv_nsec < l->last.tv_nsec))
        now = l->last; /* the wall clock stepped back: keep the log non-decreasing */
    l->last = now;
    char head[80];
    size_t h = fmt_rfc3339nano(head, sizeof(head), &now, 1);
    size_t sl = strlen(stream);
    char stack[16384 + 128];
    char *line = (len + h + sl + 5 <= sizeof(stack)) ? stack : malloc(len + h + sl + 5);
    if (!line)
        return;
    size_t o = 0;
    memcpy(line + o, head, h);
    o += h;
    line[o++] = ' ';
    memcpy(line + o, stream, sl);
    o += sl;
    line[o++] = ' ';
    line[o++] = tag;
    line[o++] = ' ';
    memcpy(line + o, content, len);
    o += len;
    line[o++] = '\n';
    if (l->fd >= 0)
        write_all(l->fd, line, o);
    if (line != stack)
        free(line);
}

int crilog_pump(struct crilog *l, struct crilog_stream *s)
{
    char chunk[65536];
    ssize_t n = read(s->fd, chunk, sizeof(chunk));
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    if (n == 0)
        return -1;
    for (ssize_t i = 0; i < n; i++) {
        char c = chunk[i];
        if (c == '\n') {
            size_t len = s->len;
            if (len > 0 && s->buf[len - 1] == '\r')
                len--;
            record(l, s->name, 'F', s->buf, len);
            s->len = 0;
            continue;
        }
        s->buf[s->len++] = c;
        if (s->len == l->max_line) {
            record(l, s->name, 'P', s->buf, s->len);
            s->len = 0;
        }
    }
    return 0;
}

void crilog_flush(struct crilog *l, struct crilog_stream *s)
{
    if (s->len > 0) {
        record(l, s->name, 'P', s->buf, s->len);
        s->len = 0;
    }
}
