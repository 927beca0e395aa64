# Helpers for conformance case checks (sourced; see conformance/README.md). The driver exports the world:
# W NODE PORT MANIFESTS ROOT_DIR POD_LOGS CONTAINER_LOGS RUNTIME_ROOT IMAGE_ROOT CNI_NET BRIDGE SUBNET_PREFIX
# IPAM_DIR CNI_CACHE RUNNER_LOG RUNNER_PID LOG_MAX_SIZE LOG_MAX_FILES CASE CASE_DIR CASE_TMP BOOTLET.
set -uo pipefail
: "${PORT:?run through conformance/run}" "${CASE_TMP:?}" "${CASE_DIR:?}"

# ---- outcome -------------------------------------------------------------------------------------------------
# fail REASON: the case fails with REASON (one line in the summary).
fail() {
    printf '%s\n' "$*" > "$CASE_TMP/reason"
    note "FAIL: $*"
    exit 1
}
note() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
# expect_eq WHAT ACTUAL EXPECTED
expect_eq() { [ "$2" == "$3" ] || fail "$1: got '$2', want '$3'"; }
# expect_match WHAT ACTUAL REGEX (bash ERE)
expect_match() { [[ "$2" =~ $3 ]] || fail "$1: '$2' does not match /$3/"; }
# expect_contains WHAT HAYSTACK NEEDLE
expect_contains() { [[ "$2" == *"$3"* ]] || fail "$1: '$2' does not contain '$3'"; }

# log_has NEEDLE...: some runner log line contains every NEEDLE (fixed strings). No pipes: `grep | grep -q` under
# pipefail fails when the first grep is cut off by SIGPIPE.
log_has() { awk -v n="$#" 'BEGIN { for (i = 1; i <= n; i++) want[i] = ARGV[i]; ARGC = 1 }
    { ok = 1; for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) { ok = 0; break } } ok { found = 1; exit }
    END { exit !found }' "$@" < "$RUNNER_LOG"; }

# ---- manifests -----------------------------------------------------------------------------------------------
# put FILE [DEST]: install a manifest of the case atomically (rename from a dot-file, which the source ignores),
# with @CASE_TMP@ and @NODE@ replaced. DEST defaults to <case>-<file>. Every manifest put is removed when the
# check exits.
put() {
    local src=$1 dest=${2:-$CASE-$(basename "$1")}
    [ -f "$src" ] || src=$CASE_DIR/$1
    sed -e "s|@CASE_TMP@|$CASE_TMP|g" -e "s|@NODE@|$NODE|g" "$src" > "$MANIFESTS/.$dest.tmp" \
        && mv -f "$MANIFESTS/.$dest.tmp" "$MANIFESTS/$dest" || fail "install manifest $dest"
    echo "$dest" >> "$CASE_TMP/manifests"
}
# put_text DEST TEXT: install a manifest given as text.
put_text() {
    printf '%s' "$2" > "$MANIFESTS/.$1.tmp" && mv -f "$MANIFESTS/.$1.tmp" "$MANIFESTS/$1" || fail "install manifest $1"
    echo "$1" >> "$CASE_TMP/manifests"
}
unput() { rm -f "$MANIFESTS/${1}"; }
_cleanup_manifests() {
    [ -f "$CASE_TMP/manifests" ] || return 0
    sort -u "$CASE_TMP/manifests" | while read -r m; do rm -f "$MANIFESTS/$m"; done
}
trap _cleanup_manifests EXIT

# ---- status --------------------------------------------------------------------------------------------------
pods_json() { curl -sf --max-time 5 "http://127.0.0.1:$PORT/pods"; }
# pod NAME: the /pods item of the static pod NAME (its runtime name is NAME-<node>), empty if absent.
pod() { pods_json | jq -c --arg n "$1-$NODE" '(.items // []) | map(select(.metadata.name == $n)) | .[0] // empty'; }
# pq NAME JQ: evaluate JQ (raw output) on the pod.
pq() { pod "$1" | jq -r "$2"; }
# count_pods NAME: how many items carry that name.
count_pods() { pods_json | jq --arg n "$1-$NODE" '(.items // []) | map(select(.metadata.name == $n)) | length'; }
uid_of() { local u; u=$(pq "$1" '.metadata.uid // empty'); [ -n "$u" ] && echo "$u" >> "$W/uids"; echo "$u"; }
# cstatus NAME CONTAINER: the container's status (regular or init).
cstatus() { pod "$1" | jq -c --arg c "$2" '[(.status.containerStatuses // [])[], (.status.initContainerStatuses // [])[]] | map(select(.name == $c)) | .[0] // empty'; }
cq() { cstatus "$1" "$2" | jq -r "$3"; }
# container_id NAME CONTAINER: the current 64-hex runtime id.
container_id() { cq "$1" "$2" '.containerID // "" | sub("^[a-z]+://"; "")'; }

# wait_pod TIMEOUT NAME JQ-CONDITION [DESCRIPTION]: poll until the condition holds on the pod item.
wait_pod() {
    local t=$1 n=$2 cond=$3 desc=${4:-$3} last end
    end=$(( $(date +%s%N) + t * 1000000000 ))
    while :; do
        last=$(pod "$n")
        if [ -n "$last" ] && jq -e "$cond" >/dev/null 2>&1 <<< "$last"; then return 0; fi
        [ "$(date +%s%N)" -ge "$end" ] && fail "$n: no '$desc' within ${t}s; status: $(jq -c '.status | del(.conditions)' <<< "$last" 2>/dev/null | cut -c1-900)"
        sleep 0.25
    done
}
# wait_gone TIMEOUT NAME: until /pods no longer lists NAME.
wait_gone() {
    local t=$1 n=$2 end
    end=$(( $(date +%s%N) + t * 1000000000 ))
    while [ -n "$(pod "$n")" ]; do
        [ "$(date +%s%N)" -ge "$end" ] && fail "$n still listed in /pods ${t}s after its manifest was removed"
        sleep 0.2
    done
}
# wait_until TIMEOUT DESCRIPTION COMMAND...: poll a command.
wait_until() {
    local t=$1 desc=$2 end; shift 2
    end=$(( $(date +%s%N) + t * 1000000000 ))
    until "$@"; do
        [ "$(date +%s%N)" -ge "$end" ] && fail "no '$desc' within ${t}s"
        sleep 0.25
    done
}
# rfc3339 seconds since the epoch.
epoch() { date -u -d "$1" +%s; }

# ---- files -----------------------------------------------------------------------------------------------------
pod_dir() { echo "$ROOT_DIR/pods/$1"; }
# pod_log_dir NAME UID [NAMESPACE]
pod_log_dir() { echo "$POD_LOGS/${3:-default}_$1-${NODE}_$2"; }
# cri_decode FILE: kubectl-logs view of a CRI log (prefix stripped, P records joined).
cri_decode() {
    awk '{
        line = $0
        if (match(line, /^[^ ]+ (stdout|stderr) [^ ]+/) == 0) next
        tag = $3; c = substr(line, RLENGTH + 1); if (substr(c, 1, 1) == " ") c = substr(c, 2)
        if (tag ~ /^P/) printf "%s", c; else printf "%s\n", c
    }' "$1"
}
# logs NAME CONTAINER [ATTEMPT]: decoded log of an attempt (default 0).
logs() {
    local u ns; read -r u ns < <(pq "$1" '"\(.metadata.uid) \(.metadata.namespace)"')
    cri_decode "$(pod_log_dir "$1" "$u" "$ns")/$2/${3:-0}.log" 2>/dev/null
}
mode_of() { stat -c %a "$1" 2>/dev/null; }
# cgroup directories of a pod UID in the v1 hierarchies and cgroup2 (any QoS level).
pod_cgroups() { ls -d /sys/fs/cgroup/*/kubepods/pod"$1" /sys/fs/cgroup/*/kubepods/*/pod"$1" 2>/dev/null; }
# processes (pids) of a container's cgroup in the pids hierarchy

# ---- runtime objects of a pod (for cleanup checks) -------------------------------------------------------------
# state_of UID: the runtime records (state.json) of a pod's containers and sandbox, one JSON per line.
state_of() {
    # One jq over every record. The files go through cat: jq 1.6 skips the file after one it cannot open (records
    # are removed all the time while cases run), cat just reports it.
    local files
    files=$(compgen -G "$RUNTIME_ROOT/*/state.json") || return 0
    mapfile -t files <<< "$files"
    cat "${files[@]}" 2>/dev/null | jq -c --arg u "$1" 'select(.annotations["io.kubernetes.pod.uid"] == $u)' 2>/dev/null
    return 0
}
sandbox_of() { state_of "$1" | jq -r 'select(.annotations["io.bootlet.kind"] == "sandbox") | .id' | head -n1; }
# facts NAME [NAMESPACE]: record what a running pod owns on the host into $CASE_TMP/facts/<uid> (uid, name,
# namespace, sandbox, container ids, process ids, host veth) for `leftovers`.
facts() {
    local n=$1 ns=${2:-default} u sb f
    u=$(uid_of "$n"); [ -n "$u" ] || fail "facts: $n has no uid"
    mkdir -p "$CASE_TMP/facts"; f=$CASE_TMP/facts/$u
    sb=$(sandbox_of "$u")
    {
        echo "uid $u"; echo "name $n-$NODE"; echo "namespace $ns"
        [ -n "$sb" ] && echo "sandbox $sb"
        state_of "$u" | jq -r '"id \(.id)", "pid \(.pid)", "pid \(.monitorPid)"'
        if [ -n "$sb" ] && [ -f "$CNI_CACHE/$CNI_NET-$sb-eth0" ]; then
            jq -r --arg b "$BRIDGE" '.result.interfaces[]? | select((.sandbox // "") == "" and .name != $b) | "veth \(.name)"' \
                "$CNI_CACHE/$CNI_NET-$sb-eth0"
        fi
    } | sort -u > "$f"
    echo "$f"
}
# leftovers FACTS-FILE: print every trace of that pod still on the host (nothing when it is fully cleaned up).
leftovers() {
    local f=$1 u name ns sb k v p
    u=$(awk '$1 == "uid" {print $2}' "$f"); name=$(awk '$1 == "name" {print $2}' "$f")
    ns=$(awk '$1 == "namespace" {print $2}' "$f"); sb=$(awk '$1 == "sandbox" {print $2}' "$f")
    [ -e "$ROOT_DIR/pods/$u" ] && echo "pod directory $ROOT_DIR/pods/$u"
    [ -e "$POD_LOGS/${ns}_${name}_$u" ] && echo "pod log directory ${ns}_${name}_$u"
    for p in "$CONTAINER_LOGS/${name}_${ns}_"*; do
        [ -L "$p" ] && [[ "$(readlink "$p")" == *"_$u/"* ]] && echo "log symlink $(basename "$p")"
    done
    for p in $(pod_cgroups "$u"); do echo "cgroup $p"; done
    while read -r k v; do
        case $k in
        id)
            for p in "$RUNTIME_ROOT/$v" "$RUNTIME_ROOT/bundles/$v" "$RUNTIME_ROOT/sandboxes/$v" "$IMAGE_ROOT/containers/$v"; do
                [ -e "$p" ] && echo "runtime path $p"
            done;;
        pid)
            [ "$v" -gt 1 ] 2>/dev/null && [ -r "/proc/$v/stat" ] && [ "$(awk '{print $3}' "/proc/$v/stat" 2>/dev/null)" != Z ] \
                && echo "process $v ($(tr '\0' ' ' < "/proc/$v/cmdline" 2>/dev/null | cut -c1-60))";;
        veth) ip link show "$v" >/dev/null 2>&1 && echo "host veth $v";;
        esac
    done < "$f"
    if [ -n "$sb" ]; then
        [ -e "$RUNTIME_ROOT/netns/$sb" ] && echo "netns $RUNTIME_ROOT/netns/$sb"
        for p in "$CNI_CACHE"/*-"$sb"-*; do [ -e "$p" ] && echo "CNI cache $p"; done
        # host-local writes "<container id>\r\n<ifname>" into the lease file: match the id at the start of a line
        grep -rls "^$sb" "$IPAM_DIR" 2>/dev/null | sed 's/^/IPAM lease /'
    fi
    local ids; ids=$(awk '$1 == "id" || $1 == "uid" {print $2}' "$f" | paste -sd'|')
    [ -n "$ids" ] && grep -E "$ids" /proc/self/mountinfo | awk '{print "mount " $5}'
    return 0
}
# wait_clean TIMEOUT FACTS-FILE: until nothing of the pod is left; fails listing what stayed.
wait_clean() {
    local t=$1 f=$2 end left
    end=$(( $(date +%s%N) + t * 1000000000 ))
    while :; do
        left=$(leftovers "$f")
        [ -z "$left" ] && return 0
        [ "$(date +%s%N)" -ge "$end" ] && fail "$(awk '$1 == "name" {print $2}' "$f") not cleaned up ${t}s after removal: $(echo "$left" | head -n 8 | paste -sd';')"
        sleep 0.25
    done
}

# ---- helpers for cases 20+ (probes, hooks, sidecars, networking) -------------------------------------------------
# at_exit COMMAND: run COMMAND (a string, eval'd) when the check exits, before its manifests are removed.
_AT_EXIT=()
_run_at_exit() { local c; for c in "${_AT_EXIT[@]}"; do eval "$c"; done; _cleanup_manifests; }
at_exit() { _AT_EXIT+=("$1"); trap _run_at_exit EXIT; }
# host_port: a TCP port free on the host now.
host_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'; }
# now_ms: milliseconds since the epoch.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# subst FILE KEY=VALUE...: the case's FILE with @KEY@ replaced, written to $CASE_TMP/FILE; prints that path.
subst() {
    local src=$1 out=$CASE_TMP/$(basename "$1") kv; shift
    [ -f "$src" ] || src=$CASE_DIR/$src
    cp "$src" "$out.tmp" || fail "subst: no $src"
    for kv in "$@"; do sed -i "s|@${kv%%=*}@|${kv#*=}|g" "$out.tmp"; done
    mv "$out.tmp" "$out"; echo "$out"
}
# condition NAME TYPE: "<status> <reason> <message>" of a pod condition.
condition() { pq "$1" ".status.conditions[] | select(.type == \"$2\") | \"\\(.status) \\(.reason // \"\") \\(.message // \"\")\""; }
# iptables_of ID: iptables rules (nat and filter) that mention ID (portmap tags its jumps with the sandbox id in a
# comment), plus the rules of the CNI-* chains those rules jump to (portmap's per-sandbox CNI-DN-* chain).
iptables_of() {
    local t rules c
    for t in nat filter; do
        rules=$(iptables -w -t "$t" -S 2>/dev/null | grep -e "$1")
        [ -n "$rules" ] || continue
        echo "$rules" | sed "s/^/$t: /"
        for c in $(echo "$rules" | grep -o -- '-j CNI-[A-Za-z0-9-]*' | cut -d' ' -f2 | grep -v '^CNI-HOSTPORT-' | sort -u); do
            iptables -w -t "$t" -S "$c" 2>/dev/null | sed "s/^/$t: /"
        done
    done
}
# grpc_health_server PORT STATUSFILE HITSFILE: a gRPC health server (grpc.health.v1.Health/Check) on 127.0.0.1:PORT
# in the background, answering the status named in STATUSFILE (SERVING / NOT_SERVING; per service: lines
# "service status") and appending one line per Check to HITSFILE. Stopped when the check exits.
grpc_health_server() {
    python3 -c 'import grpc' 2>/dev/null || fail "python3 has no grpc module (grpcio): .ci/install-deps installs it"
    python3 "$(dirname "${BASH_SOURCE[0]}")/grpc_health_server.py" "$1" "$2" "$3" >> "$CASE_TMP/grpc-server.log" 2>&1 &
    local pid=$!
    at_exit "kill $pid 2>/dev/null"
    wait_until 10 "gRPC health server on :$1" python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null
}
# container_pid NAME CONTAINER: host pid of the container's current process (from its runtime state).
container_pid() { local id; id=$(container_id "$1" "$2"); [ -n "$id" ] && jq -r '.pid // empty' "$RUNTIME_ROOT/$id/state.json" 2>/dev/null; }
# proc_alive PID: the process exists and is not a zombie.
proc_alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# death_ms TIMEOUT PID: poll (20 ms) until PID is gone; prints the time of death in epoch milliseconds.
death_ms() {
    local end=$(( $(now_ms) + $1 * 1000 ))
    while proc_alive "$2"; do [ "$(now_ms)" -ge "$end" ] && fail "process $2 still alive after ${1}s"; sleep 0.02; done
    now_ms
}
# ms_of EPOCHREALTIME: "1795963785.643356" -> 1795963785643
ms_of() { local s=${1%.*} f=${1#*.}000; echo $(( s * 1000 + 10#${f:0:3} )); }
# net_gone_why SANDBOX: a hint when a live pod's network vanished: which of its CNI cache entry, netns pin and
# host-local lease are gone (all gone while the pod runs = its network was torn down behind the runner's back,
# e.g. by another runner's orphan cleanup through a shared CNI cache).
net_gone_why() {
    local sb=$1 out=""
    ls "$CNI_CACHE"/*-"$sb"-eth0 >/dev/null 2>&1 || out="$out no CNI cache entry;"
    [ -e "$RUNTIME_ROOT/netns/$sb" ] || out="$out no netns pin;"
    grep -rqs "^$sb" "$IPAM_DIR" || out="$out no IPAM lease;"
    local others; others=$(ls -d /tmp/bltconf.* 2>/dev/null | grep -v "^$W\$" | wc -l)
    echo "${out:- cache entry, netns and lease present};$others other conformance worlds on the host"
}
