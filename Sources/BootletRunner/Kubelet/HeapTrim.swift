/// When the runner hands free heap back to the system (`malloc_trim`), decided once per housekeeping pass.
///
/// Starting containers (planning buffers, JSON) and removing pods free memory between the records that stay, and
/// glibc keeps those pages; after a burst of 100 pod starts that was 1.4 MiB of the runner's RSS. Trimming holds
/// malloc's locks while it walks the arenas, so it waits until the churn has settled: the first pass without starts
/// or removals after a pass with some. An idle runner never trims.
struct HeapTrimPolicy {
    private var churned = false

    /// Called every housekeeping pass with what happened since the previous one; true means trim now.
    mutating func pass(launches: Int, removals: Int) -> Bool {
        if launches > 0 || removals > 0 {
            churned = true
            return false
        }
        defer { churned = false }
        return churned
    }
}
