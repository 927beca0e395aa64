/* Thin syscall wrappers Swift cannot call directly (no glibc wrapper, variadic, or GNU-only declarations). */
#include "bootlet_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int bl_pidfd_open(pid_t pid)
{
    long r = syscall(SYS_pidfd_open, pid, 0);
    return r < 0 ? -errno : (int)r;
}

int bl_pidfd_send_signal(int pidfd, int sig)
{
    long r = syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
    return r < 0 ? -errno : 0;
}

int bl_memfd_create(const char *name)
{
    int r = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return r < 0 ? -errno : r;
}

int bl_seqpacket_pair(int fds[2])
{
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0 ? -errno : 0;
}

int bl_set_cloexec(int fd, int on)
{
    int f = fcntl(fd, F_GETFD);
    if (f < 0)
        return -errno;
    f = on ? (f | FD_CLOEXEC) : (f & ~FD_CLOEXEC);
    return fcntl(fd, F_SETFD, f) < 0 ? -errno : 0;
}

ssize_t bl_msg_recv(int fd, struct bl_msg *m, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    for (;;) {
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -ETIMEDOUT;
        break;
    }
    memset(m, 0, sizeof(*m));
    ssize_t n;
    do
        n = recv(fd, m, sizeof(*m), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == ECONNRESET) ? 0 : -errno;
    m->step[sizeof(m->step) - 1] = 0;
    m->path[sizeof(m->path) - 1] = 0;
    return n;
}

int bl_msg_send(int fd, const struct bl_msg *m)
{
    ssize_t n;
    do
        n = send(fd, m, sizeof(*m), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : 0;
}

int bl_forward_signalfd(void)
{
    sigset_t set;
    sigemptyset(&set);
    int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&set, sigs[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -errno;
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    return fd < 0 ? -errno : fd;
}

int bl_signalfd_read(int sfd)
{
    struct signalfd_siginfo si;
    ssize_t n = read(sfd, &si, sizeof(si));
    return n == (ssize_t)sizeof(si) ? (int)si.ssi_signo : 0;
}
