@testable import BootletRunner
import Testing

@Suite("Heap trim policy (housekeeping)")
struct HeapTrimPolicyTests {
    @Test func trimsOnceInTheFirstQuietPassAfterChurn() {
        var p = HeapTrimPolicy()
        // (launches, removals) per housekeeping pass -> trim?
        let passes: [(Int, Int, Bool, String)] = [
            (0, 0, false, "an idle runner never trims"),
            (3, 0, false, "not while pods start"),
            (1, 0, false, "not while pods start"),
            (0, 0, true, "the first quiet pass after starts trims"),
            (0, 0, false, "and only once"),
            (0, 2, false, "not while pods are removed"),
            (0, 0, true, "the first quiet pass after removals trims"),
            (0, 0, false, "and only once"),
        ]
        for (launches, removals, want, why) in passes {
            let got = p.pass(launches: launches, removals: removals)
            #expect(got == want, "\(why)")
        }
    }
}
