/* Network namespaces for pod sandboxes.
 *
 * Pinning a new network namespace needs a task that *is* in it while it bind-mounts /proc/self/ns/net onto a file
 * (what `ip netns add` and containerd's netns.NewNetNS do). unshare(CLONE_NEWNET) would move the calling thread of
 * the multithreaded runner; a Go-style locked thread is not available to Swift. Instead a short-lived child is
 * cloned with CLONE_NEWNET|CLONE_VM|CLONE_VFORK: it shares our memory (no copy), the parent is suspended until it
 * exits, and it runs only syscalls on data prepared here (async-signal-safe: no allocation, no Swift). glibc's
 * clone() is variadic, so this is C. The same pattern enters an existing namespace by path to bring `lo` up when
 * no CNI configuration exists.
 *
 * All signals are blocked around the clone: the child shares our memory, so a handler running in it could corrupt
 * the parent. The child inherits the blocked mask and _exits without unblocking. */
#include "bootlet_runtime.h"

#include <errno.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define BL_NETNS_STACK (64 * 1024)

struct bl_netns_args {
    const char *path;
    int err;  /* errno of the failed step, written by the child (shared memory) */
    int step; /* enum bl_netns_step */
};

static int fail(struct bl_netns_args *a, int step)
{
    a->err = errno ? errno : EIO;
    a->step = step;
    _exit(1);
}

static int set_lo_up(struct bl_netns_args *a)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return fail(a, BL_NETNS_STEP_SOCKET);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, "lo", 3);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return fail(a, BL_NETNS_STEP_GETFLAGS);
    if (!(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            return fail(a, BL_NETNS_STEP_SETFLAGS);
    }
    close(s);
    return 0;
}

/* Runs in a new network namespace: pin it by bind-mounting our own nsfs file onto the target. */
static int pin_child(void *p)
{
    struct bl_netns_args *a = p;
    if (mount("/proc/self/ns/net", a->path, NULL, MS_BIND, NULL) < 0)
        return fail(a, BL_NETNS_STEP_MOUNT);
    _exit(0);
}

/* Joins the namespace at a->path and brings its loopback interface up. */
static int lo_up_child(void *p)
{
    struct bl_netns_args *a = p;
    int fd = open(a->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(a, BL_NETNS_STEP_OPEN);
    if (setns(fd, CLONE_NEWNET) < 0)
        return fail(a, BL_NETNS_STEP_SETNS);
    close(fd);
    set_lo_up(a);
    _exit(0);
}

static int run_child(int (*fn)(void *), int flags, const char *path, int *step)
{
    struct bl_netns_args a = { .path = path, .err = 0, .step = 0 };
    void *stack = mmap(NULL, BL_NETNS_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        if (step)
            *step = BL_NETNS_STEP_CLONE;
        return -errno;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone(fn, (char *)stack + BL_NETNS_STACK, flags | CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
    int clone_err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    int rc = 0;
    if (pid < 0) {
        a.step = BL_NETNS_STEP_CLONE;
        rc = -clone_err;
    } else {
        int st = 0;
        int w;
        while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
            ;
        if (a.err)
            rc = -a.err;
        else if (w == pid && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            a.step = BL_NETNS_STEP_CLONE;
            rc = -ECHILD;
        }
    }
    munmap(stack, BL_NETNS_STACK);
    if (step)
        *step = rc ? a.step : 0;
    return rc;
}

int bl_netns_pin(const char *target, int *step)
{
    return run_child(pin_child, CLONE_NEWNET, target, step);
}

int bl_netns_lo_up(const char *netns_path, int *step)
{
    return run_child(lo_up_child, 0, netns_path, step);
}

int bl_netns_is_nsfs(const char *path)
{
    struct statfs fs;
    if (statfs(path, &fs) < 0)
        return -errno;
    return fs.f_type == NSFS_MAGIC;
}
