/// Counts answers as they leave; the source of ``SandboxStats``.
final class StatsRecorder: Sendable {
    private struct Counts {
        var requests = 0
        var byStatus: [Int: Int] = [:]
        var rateLimited = 0
        var authFailures = 0
        var faults: [String: Int] = [:]
    }

    private let counts = Locked(Counts())

    func record(status: Int, rateLimited: Bool = false, fault: String? = nil) {
        counts.withLock { counts in
            counts.requests += 1
            counts.byStatus[status, default: 0] += 1
            if rateLimited { counts.rateLimited += 1 }
            if status == 401 { counts.authFailures += 1 }
            if let fault { counts.faults[fault, default: 0] += 1 }
        }
    }

    func snapshot(limiter: RateLimiter) -> SandboxStats {
        let counts = counts.withLock { $0 }
        var maxima: [String: Int] = [:]
        for tier in RateTier.allCases {
            maxima[tier.rawValue] = limiter.maxInWindow()[tier] ?? 0
        }
        return SandboxStats(
            requests: counts.requests,
            byStatus: Dictionary(uniqueKeysWithValues: counts.byStatus.map { (String($0.key), $0.value) }),
            rateLimited: counts.rateLimited,
            authFailures: counts.authFailures,
            maxInWindow: maxima,
            faults: counts.faults,
            windowSeconds: limiter.window.sandboxSeconds,
            limits: [RateTier.low.rawValue: limiter.limit(for: .low), RateTier.high.rawValue: limiter.limit(for: .high)],
            rateLimiting: limiter.enabled
        )
    }

    func reset() {
        counts.withLock { $0 = Counts() }
    }
}
