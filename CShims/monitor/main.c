/* bootlet-monitor: one per container, like conmon. It is spawned by bootlet with
 *   fd 3: the launch plan (a memfd the spawner fills and seals while the monitor starts; it says BL_MSG_PLAN when
 *         the plan is ready), fd 4: a SOCK_SEQPACKET control socket to the spawner,
 *   fds 0-2: the container's stdio when the plan has no log file (pass-through, `bootlet oci run`).
 * It clones the container (bl_child_main runs in the child), reports the pid, relays setup messages, holds the
 * container's stdout/stderr and writes them as a CRI log, reaps the container as its parent (and as subreaper of
 * anything the container leaves behind), and writes the exit record atomically to the state directory. It never
 * depends on the spawner staying alive: when the control socket closes it carries on. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct monitor {
    struct bl_plan plan;
    int ctl;           /* spawner, -1 once closed */
    int sync;          /* child, -1 once closed (exec succeeded or child died) */
    int sfd;
    pid_t child;
    int use_log;
    struct crilog log;
    struct exit_record rec;
    int error_seen;
    int ready;         /* the child reached READY (create) or exec'd: a closing control socket is normal then */
    char error_text[1024];
    long oom_before;
    int born_in_cgroup; /* clone3(CLONE_INTO_CGROUP) placed the child in its cgroup2 cgroup: no cgroup.procs write */
};

static void send_ctl(struct monitor *m, struct bl_msg *msg)
{
    if (m->ctl >= 0 && bl_msg_send(m->ctl, msg) < 0) {
        close(m->ctl);
        m->ctl = -1;
    }
}

static void report(struct monitor *m, const char *step, const char *path, int err)
{
    struct bl_msg msg;
    memset(&msg, 0, sizeof(msg));
    msg.type = BL_MSG_ERROR;
    msg.err = err;
    snprintf(msg.step, sizeof(msg.step), "%s", step);
    snprintf(msg.path, sizeof(msg.path), "%s", path ? path : "");
    send_ctl(m, &msg);
}

static int write_proc(pid_t pid, const char *file, const char *value)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, value, strlen(value));
    int e = n < 0 ? -errno : 0;
    close(fd);
    return e;
}

/* clone3's argument block (linux/sched.h, version 2: with `cgroup`), spelled out so that <sched.h> and
 * <linux/sched.h> need not be mixed. */
struct bl_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define BL_CLONE_INTO_CGROUP 0x200000000ULL

/* Without a user namespace the plan's cgroup.procs entries are the cgroup2 ones only (the child joins the v1
 * hierarchies itself through `tasks`). The child can be born there: clone3(CLONE_INTO_CGROUP) takes the global
 * threadgroup lock only for reading, where a later write of its pid to cgroup.procs takes it for writing and can
 * wait for an RCU grace period. Returns the pid (0 in the child), or -2 when this path does not apply or the
 * clone fails (then the monitor clones plainly, which reports a real clone error, and moves the child). */
static pid_t clone_into_cgroup(struct monitor *m, unsigned long flags)
{
    const struct bl_plan *p = &m->plan;
    if ((p->clone_flags & CLONE_NEWUSER) || !(p->opts & BL_O_CGROUP_BY_MONITOR) || p->ncgprocs != 1)
        return -2;
    const char *procs = p->cgprocs[0];
    size_t len = strlen(procs), suffix = strlen("/cgroup.procs");
    char dir[4096];
    if (len <= suffix || len - suffix >= sizeof(dir) || strcmp(procs + len - suffix, "/cgroup.procs") != 0)
        return -2;
    memcpy(dir, procs, len - suffix);
    dir[len - suffix] = 0;
    int cg = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cg < 0)
        return -2;
    struct bl_clone_args a;
    memset(&a, 0, sizeof(a));
    a.flags = (uint64_t)flags | BL_CLONE_INTO_CGROUP;
    a.exit_signal = SIGCHLD;
    a.cgroup = (uint64_t)cg;
    long pid = syscall(SYS_clone3, &a, sizeof(a));
    if (pid == 0)
        return 0;
    close(cg);
    if (pid > 0) {
        m->born_in_cgroup = 1;
        return (pid_t)pid;
    }
    /* ENOSYS/E2BIG: no clone3 or no cgroup field (before 5.7); EBADF/EOPNOTSUPP/EINVAL: not a cgroup2 directory
     * the kernel will place a new process in; anything else the plain clone will hit and report. */
    return -2;
}

/* Things only a process outside the new user namespace can do, before the child continues. */
static int parent_setup(struct monitor *m)
{
    const struct bl_plan *p = &m->plan;
    int r;
    if (p->clone_flags & CLONE_NEWUSER) {
        if (p->uid_map && (r = write_proc(m->child, "uid_map", p->uid_map)) < 0) {
            report(m, "write uid_map", "linux.uidMappings", -r);
            return r;
        }
        if (p->gid_map && (r = write_proc(m->child, "gid_map", p->gid_map)) < 0) {
            report(m, "write gid_map", "linux.gidMappings", -r);
            return r;
        }
    }
    if ((p->opts & BL_O_CGROUP_BY_MONITOR) && !m->born_in_cgroup) {
        char pid[24];
        snprintf(pid, sizeof(pid), "%d", (int)m->child);
        for (unsigned i = 0; i < p->ncgprocs; i++) {
            int fd = open(p->cgprocs[i], O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, pid, strlen(pid)) < 0) {
                /* With BL_O_CGROUP_LATE the child works meanwhile and may already have died of its own error,
                 * which it reported on the sync socket: that one is the error to show. */
                if (fd >= 0 && errno == ESRCH) {
                    close(fd);
                    return 0;
                }
                report(m, "add container to cgroup", p->cgprocs[i], errno);
                if (fd >= 0)
                    close(fd);
                return -1;
            }
            close(fd);
        }
    }
    return 0;
}

static void handle_child_msg(struct monitor *m)
{
    struct bl_msg msg;
    ssize_t n = bl_msg_recv(m->sync, &msg, 0);
    if (n == -ETIMEDOUT || n == -EAGAIN)
        return;
    if (n <= 0) {
        /* EOF: the sync socket is CLOEXEC, so the child exec'd (or died without a word, which only a signal
         * can cause). The exit may already have been reaped in the same poll round: the start still counts. */
        close(m->sync);
        m->sync = -1;
        m->ready = 1;
        if (!m->error_seen) {
            clock_gettime(CLOCK_REALTIME, &m->rec.started);
            if (m->rec.exited && (m->rec.started.tv_sec > m->rec.finished.tv_sec ||
                                  (m->rec.started.tv_sec == m->rec.finished.tv_sec &&
                                   m->rec.started.tv_nsec > m->rec.finished.tv_nsec)))
                m->rec.started = m->rec.finished;
            struct bl_msg s;
            memset(&s, 0, sizeof(s));
            s.type = BL_MSG_STARTED;
            s.value = (int64_t)m->rec.started.tv_sec * 1000000000LL + m->rec.started.tv_nsec;
            send_ctl(m, &s);
        }
        return;
    }
    if (msg.type == BL_MSG_READY)
        m->ready = 1;
    if (msg.type == BL_MSG_ERROR && !m->error_seen) {
        m->error_seen = 1;
        snprintf(m->error_text, sizeof(m->error_text), "%s: %s: %s", msg.step, msg.path, strerror(msg.err));
    }
    send_ctl(m, &msg);
}

static void handle_ctl_msg(struct monitor *m)
{
    struct bl_msg msg;
    ssize_t n = bl_msg_recv(m->ctl, &msg, 0);
    if (n == -ETIMEDOUT)
        return;
    if (n <= 0) {
        close(m->ctl); /* the spawner went away (create returned, or the runner restarted): keep going */
        m->ctl = -1;
        /* ...unless it left during setup: the child may be waiting for it (hooks) and nobody else can release
         * or clean it up, so setup is abandoned. */
        if (!m->ready && m->child > 0 && !m->rec.exited)
            kill(m->child, SIGKILL);
        return;
    }
    if (msg.type == BL_MSG_GO && m->sync >= 0)
        (void)bl_msg_send(m->sync, &msg);
}

static void reap(struct monitor *m)
{
    for (;;) {
        int status;
        pid_t r = waitpid(-1, &status, WNOHANG);
        if (r <= 0)
            return;
        if (r == m->child && !m->rec.exited) {
            m->rec.exited = 1;
            m->rec.status = status;
            clock_gettime(CLOCK_REALTIME, &m->rec.finished);
        }
    }
}

static void handle_signal(struct monitor *m)
{
    struct signalfd_siginfo si;
    while (read(m->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        switch (si.ssi_signo) {
        case SIGCHLD:
            reap(m);
            break;
        case SIGUSR1: /* kubelet-style log rotation: the file was renamed, open a fresh one */
            if (m->use_log)
                (void)crilog_reopen(&m->log);
            break;
        default: /* SIGTERM, SIGINT, SIGHUP, SIGQUIT: pass on to the container */
            if (m->child > 0 && !m->rec.exited)
                kill(m->child, (int)si.ssi_signo);
            break;
        }
    }
}

static int setup_stdio(struct monitor *m, struct bl_child_fds *cf)
{
    cf->stdin_fd = cf->stdout_fd = cf->stderr_fd = -1;
    if (m->plan.opts & BL_O_STDIO_NULL || m->use_log) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0) {
            report(m, "open /dev/null for container stdin", "/dev/null", errno);
            return -1;
        }
        cf->stdin_fd = null;
    }
    if (!m->use_log)
        return 0;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
        report(m, "create stdout/stderr pipes", "", errno);
        return -1;
    }
    int r = crilog_open(&m->log, m->plan.log_path, m->plan.log_max_line);
    if (r < 0) {
        report(m, "open container log", m->plan.log_path, -r);
        return -1;
    }
    m->log.out.fd = out[0];
    m->log.err.fd = err[0];
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    cf->stdout_fd = out[1];
    cf->stderr_fd = err[1];
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("bootlet-monitor plan v%u\n", BL_PLAN_VERSION);
        return 0;
    }
    struct monitor m;
    memset(&m, 0, sizeof(m));
    m.ctl = 4;
    m.sync = -1;
    m.sfd = -1;
    m.log.out.fd = m.log.err.fd = -1;
    m.log.fd = -1;
    signal(SIGPIPE, SIG_IGN);
    fcntl(m.ctl, F_SETFD, FD_CLOEXEC);

    struct stat st;
    {
        /* The monitor is spawned before the plan exists: wait until the spawner says it is written and sealed
         * (looking at the memfd's size instead would race with the writing). A spawner that gives up first (a bad
         * bundle) just closes the socket; nothing was created, so there is nothing to record. */
        struct bl_msg msg;
        ssize_t n = bl_msg_recv(m.ctl, &msg, -1);
        if (n == 0)
            return 0;
        if (n < 0 || msg.type != BL_MSG_PLAN) {
            report(&m, "wait for the launch plan", "", n < 0 ? (int)-n : EPROTO);
            return 1;
        }
    }
    if (fstat(3, &st) < 0 || st.st_size <= 0) {
        report(&m, "read launch plan (fd 3)", "", errno ? errno : EINVAL);
        return 1;
    }
    void *buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, 3, 0);
    close(3);
    if (buf == MAP_FAILED) {
        report(&m, "map launch plan", "", errno);
        return 1;
    }
    char why[256];
    if (bl_plan_parse(buf, (size_t)st.st_size, &m.plan, why, sizeof(why)) < 0) {
        report(&m, "parse launch plan", why, EINVAL);
        return 1;
    }
    const struct bl_plan *p = &m.plan;
    m.use_log = p->log_path != NULL;

    if (p->opts & BL_O_DETACH) {
        /* Double fork: the spawner reaps the intermediate at once and never owns the monitor. */
        pid_t f = fork();
        if (f < 0) {
            report(&m, "fork monitor", "", errno);
            return 1;
        }
        if (f > 0)
            _exit(0);
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    sigset_t set;
    sigemptyset(&set);
    int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 };
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&set, sigs[i]);
    sigprocmask(SIG_BLOCK, &set, NULL);
    m.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (m.sfd < 0) {
        report(&m, "create signalfd", "", errno);
        return 1;
    }

    struct bl_child_fds cf;
    memset(&cf, 0, sizeof(cf));
    for (int i = 0; i < 8; i++)
        cf.ns_fds[i] = -1;
    if (setup_stdio(&m, &cf) < 0)
        return 1;
    int sp[2];
    if (bl_seqpacket_pair(sp) < 0) {
        report(&m, "create child sync socket", "", errno);
        return 1;
    }
    for (unsigned i = 0; i < p->njoins; i++) {
        cf.ns_fds[i] = open(p->joins[i].path, O_RDONLY | O_CLOEXEC);
        if (cf.ns_fds[i] < 0) {
            report(&m, "open namespace to join", p->joins[i].path, errno);
            return 1;
        }
        /* A pid namespace only applies to children: the monitor itself enters it before cloning. */
        if (p->joins[i].type == CLONE_NEWPID && setns(cf.ns_fds[i], CLONE_NEWPID) < 0) {
            report(&m, "join pid namespace", p->joins[i].path, errno);
            return 1;
        }
    }
    m.oom_before = oom_kill_count(p->oom_file);
    m.rec.monitor_pid = getpid();

    /* A cgroup namespace must be created after the child joined its cgroups (so it is rooted there). */
    unsigned long flags = (unsigned long)(p->clone_flags & ~(uint64_t)CLONE_NEWCGROUP);
    pid_t pid = clone_into_cgroup(&m, flags);
    if (pid == -2)
        pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0) {
        close(sp[0]);
        cf.sync_fd = sp[1];
        for (unsigned i = 0; i < p->njoins; i++)
            if (p->joins[i].type == CLONE_NEWPID) { /* already in effect through the monitor */
                close(cf.ns_fds[i]);
                cf.ns_fds[i] = -1;
            }
        bl_child_main(p, &cf);
    }
    close(sp[1]);
    if (cf.stdout_fd >= 0)
        close(cf.stdout_fd);
    if (cf.stderr_fd >= 0)
        close(cf.stderr_fd);
    if (pid < 0) {
        report(&m, "clone container process with namespaces", "linux.namespaces", errno);
        return 1;
    }
    m.child = pid;
    m.rec.pid = pid;
    m.sync = sp[0];
    for (unsigned i = 0; i < p->njoins; i++)
        if (cf.ns_fds[i] >= 0)
            close(cf.ns_fds[i]);

    if (parent_setup(&m) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 1;
    }
    if ((p->clone_flags & CLONE_NEWUSER) || (p->opts & BL_O_CGROUP_BY_MONITOR)) {
        struct bl_msg go;
        memset(&go, 0, sizeof(go));
        go.type = BL_MSG_GO;
        (void)bl_msg_send(m.sync, &go);
    }
    struct bl_msg pm;
    memset(&pm, 0, sizeof(pm));
    pm.type = BL_MSG_PID;
    pm.value = pid;
    pm.value2 = getpid();
    send_ctl(&m, &pm);

    struct timespec drain_deadline = { 0, 0 };
    for (;;) {
        struct pollfd pfd[5];
        int n = 0, i_sync = -1, i_ctl = -1, i_out = -1, i_err = -1;
        pfd[n] = (struct pollfd){ .fd = m.sfd, .events = POLLIN };
        n++;
        if (m.sync >= 0) {
            i_sync = n;
            pfd[n++] = (struct pollfd){ .fd = m.sync, .events = POLLIN };
        }
        if (m.ctl >= 0) {
            i_ctl = n;
            pfd[n++] = (struct pollfd){ .fd = m.ctl, .events = POLLIN };
        }
        if (m.log.out.fd >= 0) {
            i_out = n;
            pfd[n++] = (struct pollfd){ .fd = m.log.out.fd, .events = POLLIN };
        }
        if (m.log.err.fd >= 0) {
            i_err = n;
            pfd[n++] = (struct pollfd){ .fd = m.log.err.fd, .events = POLLIN };
        }
        int logs_open = (m.log.out.fd >= 0 || m.log.err.fd >= 0);
        if (m.rec.exited && m.sync < 0 && !logs_open)
            break;
        int timeout = -1;
        if (m.rec.exited) {
            /* After the container exits, drain what it wrote; do not wait forever for pipes held open by
             * processes it left behind (only possible without a pid namespace). */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (drain_deadline.tv_sec == 0) {
                drain_deadline = now;
                drain_deadline.tv_sec += 1;
            }
            long ms = (drain_deadline.tv_sec - now.tv_sec) * 1000 + (drain_deadline.tv_nsec - now.tv_nsec) / 1000000;
            if (ms <= 0)
                break;
            timeout = (int)ms;
        }
        int r = poll(pfd, (nfds_t)n, timeout);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (pfd[0].revents)
            handle_signal(&m);
        if (i_sync >= 0 && pfd[i_sync].revents)
            handle_child_msg(&m);
        if (i_ctl >= 0 && pfd[i_ctl].revents && m.ctl >= 0)
            handle_ctl_msg(&m);
        if (i_out >= 0 && pfd[i_out].revents && crilog_pump(&m.log, &m.log.out) < 0) {
            crilog_flush(&m.log, &m.log.out);
            close(m.log.out.fd);
            m.log.out.fd = -1;
        }
        if (i_err >= 0 && pfd[i_err].revents && crilog_pump(&m.log, &m.log.err) < 0) {
            crilog_flush(&m.log, &m.log.err);
            close(m.log.err.fd);
            m.log.err.fd = -1;
        }
    }
    if (m.use_log) {
        crilog_flush(&m.log, &m.log.out);
        crilog_flush(&m.log, &m.log.err);
    }
    if (m.error_seen) {
        m.rec.exited = m.rec.started.tv_sec != 0; /* failed before exec: never started */
        m.rec.start_error = m.error_text;
    } else if (m.rec.started.tv_sec == 0) {
        m.rec.exited = 0;
        m.rec.start_error = "container init exited before exec";
    }
    long oom_after = oom_kill_count(p->oom_file);
    m.rec.oom_killed = (m.oom_before >= 0 && oom_after > m.oom_before);
    if (p->state_dir) {
        int r = exitfile_write(p->state_dir, &m.rec);
        if (r < 0)
            report(&m, "write exit record", p->state_dir, -r);
    }
    struct bl_msg em;
    memset(&em, 0, sizeof(em));
    em.type = BL_MSG_EXIT;
    em.value = m.rec.status;
    em.value2 = (int64_t)m.rec.finished.tv_sec * 1000000000LL + m.rec.finished.tv_nsec;
    em.err = m.rec.oom_killed;
    if (!m.rec.exited) {
        em.value = -1;
        snprintf(em.path, sizeof(em.path), "%s", m.rec.start_error ? m.rec.start_error : "");
    }
    send_ctl(&m, &em);
    return 0;
}
