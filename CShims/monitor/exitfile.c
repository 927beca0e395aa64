/* The exit record: the one file a runner (or `bootlet oci state`) needs to learn how a container ended, even when
 * it was not running at the time. Written to a temp file, then renamed over `exit`: readers see either nothing or
 * the whole record, also when the monitor dies midway. No fsync: the record lives under the runtime state root
 * (/run), which describes processes a host crash ends anyway; the sync cost ~10 ms per container exit on ext4. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t json_escape(char *dst, size_t n, const char *s)
{
    size_t o = 0;
    for (; s && *s && o + 7 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(dst + o, n - o, "\\u%04x", c);
        } else {
            dst[o++] = (char)c;
        }
    }
    dst[o] = 0;
    return o;
}

int exitfile_write(const char *state_dir, const struct exit_record *r)
{
    char tmp[4200], final[4200], started[64] = "", finished[64] = "", err[2048] = "";
    snprintf(tmp, sizeof(tmp), "%s/.exit.tmp", state_dir);
    snprintf(final, sizeof(final), "%s/exit", state_dir);
    if (r->started.tv_sec)
        fmt_rfc3339nano(started, sizeof(started), &r->started, 0);
    fmt_rfc3339nano(finished, sizeof(finished), &r->finished, 0);
    int code = 0, sig = 0;
    if (r->exited) {
        if (WIFEXITED(r->status))
            code = WEXITSTATUS(r->status);
        else if (WIFSIGNALED(r->status)) {
            sig = WTERMSIG(r->status);
            code = 128 + sig;
        }
    } else {
        code = 128; /* never started: containerd's StartError exit code */
    }
    if (r->start_error)
        json_escape(err, sizeof(err), r->start_error);
    char body[4096];
    int len = snprintf(body, sizeof(body),
                       "{\"pid\":%d,\"monitorPid\":%d,\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s,"
                       "\"startedAt\":\"%s\",\"finishedAt\":\"%s\"%s%s%s}\n",
                       (int)r->pid, (int)r->monitor_pid, code, sig, r->oom_killed ? "true" : "false", started,
                       finished, r->start_error ? ",\"startError\":\"" : "", r->start_error ? err : "",
                       r->start_error ? "\"" : "");
    if (len < 0 || (size_t)len >= sizeof(body))
        return -EOVERFLOW;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    if (write(fd, body, (size_t)len) != len) {
        int e = -errno;
        close(fd);
        unlink(tmp);
        return e;
    }
    close(fd);
    if (rename(tmp, final) < 0) {
        int e = -errno;
        unlink(tmp);
        return e;
    }
    return 0;
}
