/* OOM kill counter of the container's memory cgroup: v1 memory.oom_control ("oom_kill N", kernel >= 4.13),
 * v2 memory.events ("oom_kill N"): the same "key value" lines. The monitor compares it before start and after exit. */
#include "monitor.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long oom_kill_count(const char *path)
{
    if (!path)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    for (char *line = buf; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        if (strncmp(line, "oom_kill ", 9) == 0)
            return strtol(line + 9, NULL, 10);
        line = next;
    }
    return -1;
}
