/* The container child: runs in the process cloned by the monitor and ends in execve of the container process.
 * Order of steps follows runc (standard_init_linux.go) so that security settings are applied in the same order:
 * namespaces and cgroups, hostname, mounts and devices, [hooks], pivot_root, sysctls, read-only and masked paths,
 * rlimits, [seccomp without NNP], credentials and capabilities, cwd, no_new_privs, [exec fifo], [seccomp with
 * NNP], exec. Only async-signal-safe calls on the already parsed plan; no allocation. */
#include "bootlet_child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

static void wait_go(int fd)
{
    struct bl_msg m;
    ssize_t n;
    do
        n = recv(fd, &m, sizeof(m), 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0 || m.type != BL_MSG_GO)
        _exit(1); /* the monitor or spawner gave up; nothing to report to */
}

/* BL_O_CGROUP_LATE: the monitor's GO for the cgroups is still to come. */
static int cgroup_pending;
static int cgroup_sync_fd = -1;
static int cgroup_newns;

void bl_cgroup_barrier(void)
{
    if (!cgroup_pending)
        return;
    cgroup_pending = 0;
    wait_go(cgroup_sync_fd); /* cgroups joined */
    if (cgroup_newns && unshare(CLONE_NEWCGROUP) < 0)
        bl_die("create cgroup namespace", "linux.namespaces", errno);
}

static void write_file(const char *path, const char *value, const char *step)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        bl_die(step, path, errno);
    size_t len = strlen(value);
    if (write(fd, value, len) != (ssize_t)len)
        bl_die(step, path, errno);
    close(fd);
}

static void fix_stdio_owner(const struct bl_plan *p)
{
    /* runc's fixStdioPerms: pipes and sockets handed to the container belong to root; give them to the
     * container user so it can reopen /dev/stdout and /proc/self/fd/1. */
    for (int fd = 0; fd <= 2; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0)
            continue;
        if ((S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) && st.st_uid != p->uid)
            (void)fchown(fd, p->uid, p->gid);
    }
}

static void load_seccomp(const struct bl_plan *p)
{
    int r = bl_seccomp_install(p->seccomp_filter, (unsigned short)p->seccomp_count, p->seccomp_flags);
    if (r < 0)
        bl_die("load seccomp filter", "linux.seccomp", -r);
}

void bl_child_main(const struct bl_plan *p, const struct bl_child_fds *fds)
{
    char buf[4096];
    bl_report_init(fds->sync_fd);

    /* The monitor blocks signals for its signalfd and ignores SIGPIPE; the container starts clean. */
    sigset_t none;
    sigemptyset(&none);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        (void)sigaction(sig, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Die with the monitor (it records the exit), and stay non-dumpable until exec so that no process in the
     * container's namespaces can open /proc/<pid>/exe or our memory before the container binary replaces us. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    umask(0);

    int in_userns = (p->clone_flags & CLONE_NEWUSER) != 0;
    int late = (p->opts & BL_O_CGROUP_BY_MONITOR) && (p->opts & BL_O_CGROUP_LATE) && !in_userns;
    if (late) {
        cgroup_pending = 1;
        cgroup_sync_fd = fds->sync_fd;
        cgroup_newns = (p->clone_flags & CLONE_NEWCGROUP) != 0;
    } else if (in_userns || (p->opts & BL_O_CGROUP_BY_MONITOR))
        wait_go(fds->sync_fd); /* user namespace maps written, cgroups joined */
    if (in_userns) {
        if (setresgid(0, 0, 0) < 0)
            bl_die("become root in the user namespace (setgid 0)", "linux.gidMappings", errno);
        if (setresuid(0, 0, 0) < 0)
            bl_die("become root in the user namespace (setuid 0)", "linux.uidMappings", errno);
    }
    /* cgroups first: their paths are host paths, which a joined mount namespace would hide (exec).
     * v1 hierarchies: the child moves itself by writing "0" to `tasks`. A thread moving itself is the one migration
     * the kernel does without taking the global threadgroup rwsem for writing, which waits for an RCU grace period
     * (~10 ms on our VMs) unless another writer came just before; the child is single-threaded, so its thread is
     * the whole process. cgroup2 has no such path (its thread files only move threads within a domain): the monitor
     * clones the child into it (CLONE_INTO_CGROUP) or moves it meanwhile (BL_O_CGROUP_BY_MONITOR); a plan without
     * that option (none from bootlet today) has the child join through cgroup.procs below. */
    for (unsigned i = 0; i < p->ncgtasks; i++)
        write_file(p->cgtasks[i], "0", "join cgroup");
    if (!(p->opts & BL_O_CGROUP_BY_MONITOR))
        for (unsigned i = 0; i < p->ncgprocs; i++)
            write_file(p->cgprocs[i], "0", "join cgroup");
    for (unsigned i = 0; i < p->njoins; i++) {
        if (fds->ns_fds[i] < 0)
            continue; /* the pid namespace was entered by the monitor before clone */
        if (setns(fds->ns_fds[i], (int)p->joins[i].type) < 0)
            bl_die("join namespace (setns)", p->joins[i].path, errno);
        close(fds->ns_fds[i]);
    }
    if (!late && (p->clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
        bl_die("create cgroup namespace", "linux.namespaces", errno);

    if (fds->stdin_fd >= 0 && dup2(fds->stdin_fd, 0) < 0)
        bl_die("set up stdin", "", errno);
    if (fds->stdout_fd >= 0 && dup2(fds->stdout_fd, 1) < 0)
        bl_die("set up stdout", "", errno);
    if (fds->stderr_fd >= 0 && dup2(fds->stderr_fd, 2) < 0)
        bl_die("set up stderr", "", errno);
    /* Nothing but stdio survives exec. */
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);

    if (p->has_oom_score) {
        char v[16];
        int32_t s = p->oom_score;
        char *q = v;
        if (s < 0) {
            *q++ = '-';
            s = -s;
        }
        bl_utoa(q, sizeof(v) - 1, (unsigned)s);
        write_file("/proc/self/oom_score_adj", v, "set oom_score_adj");
    }
    if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
        bl_die("sethostname", p->hostname, errno);
    if (p->domainname && setdomainname(p->domainname, strlen(p->domainname)) < 0)
        bl_die("setdomainname", p->domainname, errno);

    /* The exec fifo is opened now, while its host path is still reachable; it is reopened for writing through
     * /proc/self/fd after pivot_root. */
    int fifo_fd = -1;
    if (p->fifo && (fifo_fd = open(p->fifo, O_PATH | O_CLOEXEC)) < 0)
        bl_die("open exec fifo", p->fifo, errno);

    int new_mountns = (p->clone_flags & CLONE_NEWNS) != 0;
    if (new_mountns && p->rootfs) {
        bl_setup_mounts(p);
        bl_cgroup_barrier(); /* device nodes are subject to the devices cgroup, as under runc */
        bl_setup_devices(p, in_userns);
    }
    bl_cgroup_barrier();
    if (p->opts & BL_O_HOOK_SYNC) {
        struct bl_msg m;
        memset(&m, 0, sizeof(m));
        m.type = BL_MSG_HOOKS;
        if (send(fds->sync_fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
            _exit(1);
        wait_go(fds->sync_fd); /* hooks ran */
    }
    if (new_mountns && p->rootfs)
        bl_pivot_root(p);
    else if (p->rootfs && !new_mountns && chroot(p->rootfs) < 0)
        bl_die("chroot into rootfs (no mount namespace)", p->rootfs, errno);
    bl_apply_sysctls(p);
    bl_readonly_paths(p);
    bl_masked_paths(p);
    if (new_mountns)
        bl_finish_rootfs(p);

    if (p->has_personality && personality(p->personality) < 0)
        bl_die("set personality", "linux.personality", errno);
    bl_apply_rlimits(p);
    fix_stdio_owner(p);
    if (p->seccomp_filter && !(p->opts & BL_O_NNP))
        load_seccomp(p); /* needs CAP_SYS_ADMIN, so before the capability drop (runc) */
    bl_apply_creds(p, in_userns);
    umask(p->umask == BL_NO_UMASK ? 022 : (mode_t)p->umask);
    if (p->cwd && p->cwd[0] && chdir(p->cwd) < 0)
        bl_die("chdir to cwd", p->cwd, errno);
    if ((p->opts & BL_O_NNP) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        bl_die("set no_new_privs", "process.noNewPrivileges", errno);

    const char *exe = bl_lookup_exec(p, buf, sizeof(buf));
    if (!exe) {
        char what[600];
        bl_die(bl_join(what, sizeof(what), "exec: \"", p->argv[0], "\": executable file not found in $PATH", (char *)0),
               p->argv[0], ENOENT);
    }
    if (fifo_fd >= 0) {
        struct bl_msg m;
        memset(&m, 0, sizeof(m));
        m.type = BL_MSG_READY;
        (void)send(fds->sync_fd, &m, sizeof(m), MSG_NOSIGNAL);
        char fdp[64];
        int w = open(bl_fd_path(fdp, sizeof(fdp), fifo_fd), O_WRONLY | O_CLOEXEC); /* blocks until `start` */
        if (w < 0)
            bl_die("open exec fifo for writing (waiting for start)", p->fifo, errno);
        if (write(w, "0", 1) != 1)
            bl_die("write exec fifo", p->fifo, errno);
        close(w);
        close(fifo_fd);
    }
    if (p->seccomp_filter && (p->opts & BL_O_NNP))
        load_seccomp(p); /* as late as possible so the filter need not allow the setup syscalls */
    execve(exe, p->argv, p->envp);
    int e = errno;
    char what[600];
    bl_die(bl_join(what, sizeof(what), "exec ", exe, (char *)0), exe, e);
}
