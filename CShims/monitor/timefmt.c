/* RFC 3339 timestamps with nanoseconds in UTC, as Go's time.RFC3339Nano prints them (containerd's CRI logs). */
#include "monitor.h"

#include <stdio.h>

size_t fmt_rfc3339nano(char *buf, size_t n, const struct timespec *ts, int trim)
{
    struct tm tm;
    time_t secs = ts->tv_sec;
    gmtime_r(&secs, &tm);
    char frac[16];
    snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
    if (trim) {
        int end = 9;
        while (end > 0 && frac[end] == '0')
            frac[end--] = 0;
        if (end == 0)
            frac[0] = 0;
    }
    int w = snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return w < 0 ? 0 : (size_t)w;
}
