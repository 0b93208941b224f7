/// Sliding-window rate limiting per (source address, tier), as Discogs does it: a request is
/// accepted when fewer than `limit` requests were accepted in the last `window`; after a full
/// idle window the count is back to zero. Time is passed in (elapsed real time) so the logic can
/// be tested without waiting.
final class RateLimiter: Sendable {
    struct Decision: Equatable {
        var accepted: Bool
        var limit: Int
        var used: Int
        var remaining: Int
    }

    private struct Bucket {
        var stamps: [Duration] = []
        var head = 0

        var count: Int { stamps.count - head }

        mutating func prune(before cutoff: Duration) {
            while head < stamps.count && stamps[head] <= cutoff { head += 1 }
            if head > 64 && head * 2 > stamps.count {
                stamps.removeFirst(head)
                head = 0
            }
        }
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var maxInWindow: [RateTier: Int] = [:]
    }

    let window: Duration
    let enabled: Bool
    let steal: Int
    private let limits: [RateTier: Int]
    private let state = Locked(State())

    init(window: Duration, limitLow: Int, limitHigh: Int, enabled: Bool, steal: Int) {
        self.window = window
        self.enabled = enabled
        self.steal = steal
        self.limits = [.low: limitLow, .high: limitHigh]
    }

    func limit(for tier: RateTier) -> Int { limits[tier] ?? 0 }

    /// Counts the request if the window has room (the `steal` fault's phantom client holds
    /// `steal` of every window) and reports the headers' values.
    func admit(address: String, tier: RateTier, now: Duration) -> Decision {
        let limit = limit(for: tier)
        guard enabled else { return Decision(accepted: true, limit: limit, used: 0, remaining: limit) }
        let key = "\(tier.rawValue) \(address)"
        return state.withLock { state in
            var bucket = state.buckets[key] ?? Bucket()
            bucket.prune(before: now - window)
            let stolen = min(steal, limit)
            var accepted = false
            if bucket.count + stolen < limit {
                bucket.stamps.append(now)
                accepted = true
                state.maxInWindow[tier] = max(state.maxInWindow[tier] ?? 0, bucket.count)
            }
            state.buckets[key] = bucket
            let used = min(limit, bucket.count + stolen)
            return Decision(accepted: accepted, limit: limit, used: used, remaining: limit - used)
        }
    }

    /// The headers' values without counting a request.
    func peek(address: String, tier: RateTier, now: Duration) -> Decision {
        let limit = limit(for: tier)
        guard enabled else { return Decision(accepted: true, limit: limit, used: 0, remaining: limit) }
        let key = "\(tier.rawValue) \(address)"
        return state.withLock { state in
            var bucket = state.buckets[key] ?? Bucket()
            bucket.prune(before: now - window)
            state.buckets[key] = bucket
            let used = min(limit, bucket.count + min(steal, limit))
            return Decision(accepted: used < limit, limit: limit, used: used, remaining: limit - used)
        }
    }

    /// The most requests this limiter accepted inside any one window, per tier, over all
    /// addresses (the phantom `steal` client not included).
    func maxInWindow() -> [RateTier: Int] {
        state.withLock { $0.maxInWindow }
    }

    /// Forgets every window and the maxima.
    func reset() {
        state.withLock { $0 = State() }
    }
}
