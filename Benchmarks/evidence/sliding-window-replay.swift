// Replays, on SlidingWindow as committed (copied verbatim), what a run at concurrency 4 sees when two
// responses come back in the opposite order from the one the server counted them in.
let clock = ContinuousClock()
let t0 = clock.now
var w = SlidingWindow<ContinuousClock.Instant>(limit: 60, window: .seconds(6), margin: .milliseconds(120))
func at(_ ms: Int) -> ContinuousClock.Instant { t0.advanced(by: .milliseconds(ms)) }
// A and B are sent; the server counts A (used 1) then B (used 2); B's answer is processed first.
w.grant(at: at(0))   // A
w.grant(at: at(1))   // B
w.settle(grantedAt: at(1), at: at(5)); w.observe(limit: 60, used: 2, remaining: 58, at: at(5))
print("after B's answer: foreign sends =", w.foreignSends.count)
w.settle(grantedAt: at(0), at: at(6)); w.observe(limit: 60, used: 2, remaining: 58, at: at(6))
print("after A's answer: foreign sends =", w.foreignSends.count, "(not cleared although the server counted nothing foreign)")
// the rest of the window's burst
var sent = 2
var t = 7
while w.earliestSlot(now: at(t)) <= at(t) {
    w.grant(at: at(t)); w.settle(grantedAt: at(t), at: at(t)); sent += 1
    w.observe(limit: 60, used: sent, remaining: 60 - sent, at: at(t)); t += 1
}
print("own sends allowed in the first window:", sent, "of 60; next slot at", at(t).duration(to: w.earliestSlot(now: at(t))) + .milliseconds(t))
