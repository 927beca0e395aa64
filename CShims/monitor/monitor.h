#ifndef BOOTLET_MONITOR_H
#define BOOTLET_MONITOR_H
/* bootlet-monitor: the per-container monitor (conmon's role). See docs/architecture.md. */
#include "bootlet_runtime.h"
#include <time.h>

/* CRI log writer (crilog.c): `<RFC3339Nano> <stdout|stderr> <P|F> <content>\n`, lines split at max_line bytes. */
struct crilog_stream {
    int fd;                 /* read end of the container's pipe, -1 when closed */
    const char *name;       /* "stdout" / "stderr" */
    char *buf;
    size_t len;
};
struct crilog {
    const char *path;
    int fd;                 /* log file, O_APPEND */
    size_t max_line;
    struct timespec last;   /* timestamps never go backwards */
    struct crilog_stream out, err;
};
int crilog_open(struct crilog *l, const char *path, size_t max_line);
int crilog_reopen(struct crilog *l);
/* Read what is available on `s` and write complete records; returns 0, or -1 at EOF (fd closed). */
int crilog_pump(struct crilog *l, struct crilog_stream *s);
/* Flush a pending partial line of `s` as a P record (EOF without a trailing newline). */
void crilog_flush(struct crilog *l, struct crilog_stream *s);

/* Time formatting (timefmt.c). `trim` drops trailing fraction zeros like Go's time.RFC3339Nano. */
size_t fmt_rfc3339nano(char *buf, size_t n, const struct timespec *ts, int trim);

/* Exit record (exitfile.c): written atomically as <state_dir>/exit. */
struct exit_record {
    pid_t pid, monitor_pid;
    int status;                 /* raw wait status, valid when exited */
    int exited;
    int oom_killed;
    struct timespec started, finished;
    const char *start_error;    /* set when the process never ran */
};
int exitfile_write(const char *state_dir, const struct exit_record *r);

/* OOM kill counter of the container's memory cgroup (oom.c); -1 if unknown. */
long oom_kill_count(const char *path);

#endif
