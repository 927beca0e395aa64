/* Error and warning reporting from the container child: fixed-size messages on the sync socket, no stdio. */
#include "bootlet_child.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int g_sync_fd = -1;

void bl_report_init(int sync_fd) { g_sync_fd = sync_fd; }

static void put(char *dst, size_t n, const char *s)
{
    size_t i = 0;
    if (s)
        for (; s[i] && i + 1 < n; i++)
            dst[i] = s[i];
    dst[i] = 0;
}

static void send_msg(uint32_t type, int err, const char *step, const char *path)
{
    struct bl_msg m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    m.err = err;
    put(m.step, sizeof(m.step), step);
    put(m.path, sizeof(m.path), path);
    if (g_sync_fd >= 0)
        (void)send(g_sync_fd, &m, sizeof(m), MSG_NOSIGNAL);
}

void bl_die(const char *step, const char *path, int err)
{
    send_msg(BL_MSG_ERROR, err, step, path);
    _exit(1);
}

void bl_warn(const char *what, const char *detail) { send_msg(BL_MSG_WARN, 0, what, detail); }

char *bl_join(char *buf, size_t n, ...)
{
    va_list ap;
    size_t used = 0;
    va_start(ap, n);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        for (; *s && used + 1 < n; s++)
            buf[used++] = *s;
    va_end(ap);
    if (n)
        buf[used < n ? used : n - 1] = 0;
    return buf;
}

char *bl_utoa(char *buf, size_t n, unsigned long long v)
{
    char tmp[24];
    size_t i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i < sizeof(tmp));
    size_t j = 0;
    while (i && j + 1 < n)
        buf[j++] = tmp[--i];
    buf[j] = 0;
    return buf;
}

char *bl_fd_path(char *buf, size_t n, int fd)
{
    char num[24];
    return bl_join(buf, n, "/proc/self/fd/", bl_utoa(num, sizeof(num), (unsigned)fd), (char *)0);
}
