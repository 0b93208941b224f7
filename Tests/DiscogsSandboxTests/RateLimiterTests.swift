import Testing

@testable import DiscogsSandbox

/// The sliding window, on explicit times (no waiting).
@Suite struct RateLimiterTests {
    @Test func slidingWindowPerTierAndAddress() {
        let limiter = RateLimiter(window: .seconds(60), limitLow: 3, limitHigh: 5, enabled: true, steal: 0)
        for second in 0..<3 {
            let decision = limiter.admit(address: "a", tier: .low, now: .seconds(second))
            #expect(decision.accepted)
            #expect(decision.used == second + 1)
            #expect(decision.remaining == 2 - second)
        }
        #expect(limiter.admit(address: "a", tier: .low, now: .seconds(10)) == .init(accepted: false, limit: 3, used: 3, remaining: 0))
        // other address and other tier have their own windows
        #expect(limiter.admit(address: "b", tier: .low, now: .seconds(10)).accepted)
        #expect(limiter.admit(address: "a", tier: .high, now: .seconds(10)).used == 1)
        // the first request leaves the window at 60 s: one slot frees up, not all
        #expect(limiter.admit(address: "a", tier: .low, now: .seconds(60)).accepted)
        #expect(!limiter.admit(address: "a", tier: .low, now: .milliseconds(60_500)).accepted)
        // after a whole idle window everything is free again
        #expect(limiter.peek(address: "a", tier: .low, now: .seconds(121)).used == 0)
        #expect(limiter.maxInWindow()[.low] == 3)
        #expect(limiter.maxInWindow()[.high] == 1)
    }

    @Test func stealHoldsPartOfEveryWindow() {
        let limiter = RateLimiter(window: .seconds(60), limitLow: 25, limitHigh: 60, enabled: true, steal: 10)
        let first = limiter.admit(address: "a", tier: .high, now: .zero)
        #expect(first == .init(accepted: true, limit: 60, used: 11, remaining: 49))
        for index in 1..<50 { #expect(limiter.admit(address: "a", tier: .high, now: .milliseconds(index)).accepted) }
        #expect(!limiter.admit(address: "a", tier: .high, now: .seconds(1)).accepted)
        #expect(limiter.maxInWindow()[.high] == 50)
    }

    @Test func disabledCountsNothing() {
        let limiter = RateLimiter(window: .seconds(60), limitLow: 1, limitHigh: 1, enabled: false, steal: 0)
        for _ in 0..<10 { #expect(limiter.admit(address: "a", tier: .low, now: .zero) == .init(accepted: true, limit: 1, used: 0, remaining: 1)) }
    }
}
