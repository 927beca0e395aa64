# Shared helpers for bench/ scripts (sourced). Timing uses bash's $EPOCHREALTIME (no fork per sample).

# busybox_rootfs DIR: a minimal busybox-static root filesystem.
busybox_rootfs() {
    local root=$1
    mkdir -p "$root"/{bin,proc,sys,dev,tmp,etc}
    cp /bin/busybox "$root/bin/busybox"
    for a in sh true ls cat echo sleep; do ln -sf busybox "$root/bin/$a"; done
}

# now_us: microseconds since the epoch.
now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# median FILE [DIV]: median of the numbers in FILE (one per line) divided by DIV (default 1000: µs -> ms).
median() { sort -n "$1" | awk -v d="${2:-1000}" '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/d}'; }
# pct FILE P [DIV]: P-th percentile divided by DIV (default 1000).
pct() { sort -n "$1" | awk -v p="$2" -v d="${3:-1000}" '{a[NR]=$1} END {i=int((NR-1)*p/100)+1; printf "%.2f", a[i]/d}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.2f", a / b }'; }

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is required (apt-get install $2)" >&2; exit 2; }; }
