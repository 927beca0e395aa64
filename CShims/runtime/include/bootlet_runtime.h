#ifndef BOOTLET_RUNTIME_H
#define BOOTLET_RUNTIME_H
/*
 * bootlet C runtime shims.
 *
 * Everything here is C for one of three reasons (docs/CONVENTIONS.md rule 1): it runs between clone and exec, it is a
 * call Swift cannot make (variadic syscall()/prctl(), macros, GNU-only declarations), or it is glue to libcap.
 * Functions called from Swift return 0 / a value >= 0 on success and -errno on failure; they never print.
 *
 * The Swift side (BootletRuntime) turns an OCI spec into a *launch plan*: a flat, self-describing byte buffer
 * (format below). The monitor (`bootlet-monitor`, C) reads the plan, clones the container and runs the child
 * steps in `child*.c` on the parsed plan. No Swift code and no allocation run in the container child.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>   /* re-exported: Swift's Glibc module does not include these */
#include <sys/eventfd.h>
#include <sys/types.h>

/* ---- launch plan wire format ----------------------------------------------------------------------------
 * header: u32 magic BL_PLAN_MAGIC, u32 version BL_PLAN_VERSION, u32 total length (incl. header), u32 reserved
 * then records, each: u16 tag, u16 flags, u32 length of payload, payload, zero padding to a multiple of 8.
 * Payloads start with the fixed fields listed per tag (native endian), followed by NUL-terminated strings.
 */
#define BL_PLAN_MAGIC 0x4e4c5042u /* "BPLN" */
#define BL_PLAN_VERSION 2u

enum bl_plan_tag {
    BL_T_ID = 1,            /* str id */
    BL_T_ROOTFS,            /* u64 propagation (MS_* for "/"), str path; flags: BL_F_READONLY */
    BL_T_CLONE,             /* u64 CLONE_NEW* flags of namespaces to create */
    BL_T_NSJOIN,            /* u32 CLONE_NEW* type, u32 pad, str path */
    BL_T_UIDMAP,            /* str uid_map content */
    BL_T_GIDMAP,            /* str gid_map content */
    BL_T_HOSTNAME,          /* str */
    BL_T_DOMAINNAME,        /* str */
    BL_T_MOUNT,             /* u64 flags, u64 propagation, u32 kind, u32 mflags, str source, str dest, str fstype, str data */
    BL_T_CGMOUNT,           /* str name under the preceding BL_K_CGROUP mount, str host source dir (or "=target" symlink) */
    BL_T_DEVICE,            /* u32 S_IF* type, u32 mode, u32 major, u32 minor, u32 uid, u32 gid, str path */
    BL_T_MASKED,            /* str path */
    BL_T_READONLY,          /* str path */
    BL_T_SYSCTL,            /* str key (path below /proc/sys), str value */
    BL_T_RLIMIT,            /* u32 resource, u32 pad, u64 soft, u64 hard */
    BL_T_OOMSCORE,          /* i32 value */
    BL_T_CWD,               /* str */
    BL_T_ARG,               /* str (repeated, in order) */
    BL_T_ENV,               /* str "K=V" (repeated) */
    BL_T_USER,              /* u32 uid, u32 gid, u32 umask (BL_NO_UMASK = unset) */
    BL_T_GROUP,             /* u32 additional gid (repeated) */
    BL_T_CAPS,              /* u64 bounding, effective, permitted, inheritable, ambient */
    BL_T_SECCOMP,           /* u32 SECCOMP_FILTER_FLAG_*, u32 count, count * struct sock_filter */
    BL_T_CGPROCS,           /* str path of a cgroup.procs file to join (repeated) */
    BL_T_FIFO,              /* str exec fifo path: child waits on it before exec (create/start) */
    BL_T_PERSONALITY,       /* u32 persona */
    BL_T_STATEDIR,          /* str container state directory (monitor writes `exit` there) */
    BL_T_LOG,               /* u32 max line bytes, u32 pad, str CRI log path */
    BL_T_OOMFILE,           /* str path of the memory cgroup's oom_kill counter (v1 memory.oom_control, v2 memory.events) */
    BL_T_OPTS,              /* u32 BL_O_* option bits */
    BL_T_CGTASKS,           /* str path of a cgroup v1 `tasks` file the child joins itself by writing "0" (repeated) */
    BL_T_MAX
};

/* record flags */
#define BL_F_READONLY 0x1

/* mount kinds */
enum bl_mount_kind {
    BL_K_FS = 0,       /* mount(source, dest, fstype, flags, data) */
    BL_K_BIND = 1,     /* bind (MS_REC in flags for rbind), then remount with the other flags when any */
    BL_K_CGROUP = 2,   /* /sys/fs/cgroup view: tmpfs + per-hierarchy binds from BL_T_CGMOUNT, or cgroup2 */
};
/* BL_T_MOUNT mflags */
#define BL_M_FILE 0x1          /* destination is a file (bind of a non-directory) */
#define BL_M_SYSFS_FALLBACK 0x2 /* sysfs: fall back to an rbind of /sys when mounting fails (no netns) */
#define BL_M_MQUEUE_FALLBACK 0x4
#define BL_M_CGROUP2 0x8       /* BL_K_CGROUP: mount cgroup2 (in a cgroup ns) instead of binds */
#define BL_M_RRO 0x10          /* recursive read-only via mount_setattr */

/* BL_T_OPTS bits */
#define BL_O_DEFAULT_DEVICES 0x1 /* create /dev/null, zero, full, random, urandom, tty and the /dev symlinks */
#define BL_O_NNP 0x2             /* no_new_privs */
#define BL_O_NO_PIVOT 0x4        /* chroot instead of pivot_root (runc --no-pivot) */
#define BL_O_HOOK_SYNC 0x8       /* stop before pivot_root until the runtime ran prestart/createRuntime hooks */
#define BL_O_DETACH 0x10         /* monitor detaches (double fork) from its spawner */
#define BL_O_STDIO_NULL 0x20     /* container stdin is /dev/null (log mode always uses it) */
#define BL_O_CGROUP_BY_MONITOR 0x40 /* monitor attaches the child to its cgroups (needed with a user namespace) */
#define BL_O_CGROUP_LATE 0x100   /* with CGROUP_BY_MONITOR: the child sets up its mounts while the monitor attaches it,
                                  * and waits for the monitor's GO only before the first step that needs the cgroups
                                  * (cgroup view, device nodes, hooks, pivot_root); moving a task between cgroups can
                                  * wait for an RCU grace period, which this overlaps with the mount work */

#define BL_NO_UMASK 0xffffffffu

/* ---- parsed plan (monitor side; pointers into the plan buffer) ------------------------------------------ */
struct bl_mount {
    uint64_t flags, propagation;
    uint32_t kind, mflags;
    const char *source, *dest, *fstype, *data;
    unsigned cg_first, cg_count; /* BL_T_CGMOUNT entries for BL_K_CGROUP */
};
struct bl_cgmount { const char *name, *source; };
struct bl_device { uint32_t type, mode, major, minor, uid, gid; const char *path; };
struct bl_sysctl { const char *key, *value; };
struct bl_rlimit { uint32_t resource; uint64_t soft, hard; };
struct bl_nsjoin { uint32_t type; const char *path; };

struct bl_plan {
    const char *id, *rootfs, *uid_map, *gid_map, *hostname, *domainname, *cwd, *fifo, *state_dir, *log_path;
    const char *oom_file;
    uint32_t log_max_line;
    uint64_t root_propagation, clone_flags;
    int rootfs_readonly, has_oom_score, has_personality;
    int32_t oom_score;
    uint32_t personality, opts;
    uint32_t uid, gid, umask;
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    int has_caps;
    uint32_t seccomp_flags, seccomp_count;
    const void *seccomp_filter;
    struct bl_nsjoin *joins; unsigned njoins;
    struct bl_mount *mounts; unsigned nmounts;
    struct bl_cgmount *cgmounts; unsigned ncgmounts;
    struct bl_device *devices; unsigned ndevices;
    const char **masked; unsigned nmasked;
    const char **readonly; unsigned nreadonly;
    struct bl_sysctl *sysctls; unsigned nsysctls;
    struct bl_rlimit *rlimits; unsigned nrlimits;
    const char **cgprocs; unsigned ncgprocs;
    const char **cgtasks; unsigned ncgtasks;
    char **argv; unsigned nargv;  /* NULL-terminated */
    char **envp; unsigned nenvp;  /* NULL-terminated */
    uint32_t *groups; unsigned ngroups;
    const char *path_env;         /* value of PATH in envp, for executable lookup */
};

/* Parse `buf` (the whole plan). Allocates the arrays with malloc (monitor only, before clone).
 * On error returns -EINVAL and writes a reason into `why`. */
int bl_plan_parse(const void *buf, size_t len, struct bl_plan *out, char *why, size_t whylen);

/* ---- messages between spawner (Swift), monitor and child (SOCK_SEQPACKET) ------------------------------- */
enum bl_msg_type {
    BL_MSG_PID = 1,     /* monitor -> spawner: value = container pid, value2 = monitor pid */
    BL_MSG_ERROR,       /* child/monitor -> spawner: err = errno, step, path */
    BL_MSG_WARN,        /* child -> spawner: step = what, path = detail (non-fatal) */
    BL_MSG_HOOKS,       /* child -> spawner: namespaces and mounts are ready; waiting for BL_MSG_GO */
    BL_MSG_GO,          /* spawner -> monitor -> child */
    BL_MSG_READY,       /* child -> spawner: created, waiting on the exec fifo */
    BL_MSG_STARTED,     /* monitor -> spawner: exec succeeded; value = start time (ns since epoch) */
    BL_MSG_EXIT,        /* monitor -> spawner: value = wait status, value2 = finish time ns, err = oom killed */
    BL_MSG_PLAN,        /* spawner -> monitor: the plan memfd (fd 3) is written and sealed */
};
struct bl_msg {
    uint32_t type;
    int32_t err;
    int64_t value;
    int64_t value2;
    char step[96];
    char path[800];
};

/* ---- child (runs in the cloned process; async-signal-safe, no allocation) ---------------------------- */
struct bl_child_fds {
    int sync_fd;    /* SEQPACKET to the monitor: child writes bl_msg, reads GO; CLOEXEC */
    int stdin_fd, stdout_fd, stderr_fd; /* dup2'ed onto 0..2 unless -1 (inherit) */
    int ns_fds[8];  /* pre-opened namespace fds for BL_T_NSJOIN (same order), -1 if none */
};
/* Never returns: execs the container process or reports a bl_msg ERROR on sync_fd and _exit(1)s. */
void bl_child_main(const struct bl_plan *plan, const struct bl_child_fds *fds) __attribute__((noreturn));

/* ---- helpers for Swift --------------------------------------------------------------------------------- */

/* Install a classic-BPF seccomp filter on the calling thread (seccomp_install.c).
 * `filter` points to `count` `struct sock_filter` records (8 bytes each); `flags` are SECCOMP_FILTER_FLAG_*. */
int bl_seccomp_install(const void *filter, unsigned short count, unsigned int flags);

/* Capability number for a name like "CAP_SYS_ADMIN" through libcap (capnames.c); -EINVAL if unknown. */
int bl_cap_from_name(const char *name);
/* Highest capability number the running kernel supports (/proc/sys/kernel/cap_last_cap via libcap). */
int bl_cap_last(void);
/* 1 if the calling process has `cap` in its effective set, 0 if not, -errno on failure. */
int bl_cap_effective(int cap);

/* Spawn `path` with argv/envp; child fds: fdmap[i] is dup2'ed to fd i for i < nfd (-1 = close),
 * all other fds closed; signals reset to default and unblocked; new session when `setsid_` is set.
 * Returns the pid or -errno (also when exec fails). Uses vfork semantics (posix_spawn). */
pid_t bl_spawn(const char *path, char *const argv[], char *const envp[], const int *fdmap, int nfd, int setsid_);

int bl_pidfd_open(pid_t pid);
int bl_pidfd_send_signal(int pidfd, int sig);
int bl_memfd_create(const char *name);
/* SOCK_SEQPACKET|SOCK_CLOEXEC socketpair */
int bl_seqpacket_pair(int fds[2]);
int bl_set_cloexec(int fd, int on);
/* Read one framed message with a timeout in ms (-1 = forever). Returns bytes, 0 on EOF, -ETIMEDOUT, -errno. */
ssize_t bl_msg_recv(int fd, struct bl_msg *m, int timeout_ms);
int bl_msg_send(int fd, const struct bl_msg *m);
/* Block SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH and return a signalfd for them. */
int bl_forward_signalfd(void);
/* Read one signal number from a signalfd; 0 if none. */
int bl_signalfd_read(int sfd);

/* ---- network namespaces (netns.c) ---------------------------------------------------------------------------
 * Both run a short-lived clone(CLONE_VM|CLONE_VFORK) child (safe from a multithreaded caller). On failure they
 * return -errno and set *step to the step that failed. */
enum bl_netns_step {
    BL_NETNS_STEP_CLONE = 1, /* clone/wait of the helper child */
    BL_NETNS_STEP_MOUNT,     /* bind-mount of /proc/self/ns/net onto the target */
    BL_NETNS_STEP_OPEN,      /* open of the namespace path */
    BL_NETNS_STEP_SETNS,     /* setns(CLONE_NEWNET) */
    BL_NETNS_STEP_SOCKET,    /* socket(AF_INET) inside the namespace */
    BL_NETNS_STEP_GETFLAGS,  /* SIOCGIFFLAGS on lo */
    BL_NETNS_STEP_SETFLAGS,  /* SIOCSIFFLAGS on lo */
};
/* Create a new network namespace and pin it by bind-mounting it onto `target` (an existing empty file). */
int bl_netns_pin(const char *target, int *step);
/* Bring the loopback interface up inside the network namespace at `netns_path`. */
int bl_netns_lo_up(const char *netns_path, int *step);
/* 1 if `path` is on nsfs (a pinned namespace or /proc/<pid>/ns/<type>), 0 if not, -errno if statfs fails.
 * (statfs is not exported by Swift's Glibc module.) */
int bl_netns_is_nsfs(const char *path);

/* glibc malloc: limit the number of arenas (mallopt M_ARENA_MAX; call before threads start), and give free heap
 * memory back to the system (malloc_trim). */
int bl_malloc_arena_max(int n);
int bl_malloc_trim(void);

#endif
