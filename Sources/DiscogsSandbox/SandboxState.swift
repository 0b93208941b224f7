import Foundation

/// Everything a running sandbox shares between requests.
final class SandboxState: Sendable {
    let configuration: SandboxConfiguration
    /// Wall time (OAuth timestamps, token expiry): the start date plus what the injected clock has
    /// measured since.
    private let wallNow: @Sendable () -> Date
    let limiter: RateLimiter
    let stats = StatsRecorder()
    let oauth: OAuthStore
    let authenticator: Authenticator
    let releases = ReleaseCache()
    /// The faults drawn per request (everything but `steal`), with their index in the configuration.
    let requestFaults: [(index: Int, fault: SandboxFault)]
    private let started = ContinuousClock.now
    private let clockOffset = Locked<TimeInterval>(0)
    private let faultSequence = Locked<UInt64>(0)
    private let world: Locked<(catalogue: Catalogue, users: UserStore)>

    init<C: Clock>(configuration: SandboxConfiguration, clock: C, start: Date = Date()) where C.Duration == Duration {
        self.configuration = configuration
        let origin = clock.now
        self.wallNow = { start.addingTimeInterval(origin.duration(to: clock.now).sandboxSeconds) }
        let steal = configuration.faults.reduce(0) { total, fault in
            if case .steal(let count) = fault.kind { return total + count }
            return total
        }
        self.limiter = RateLimiter(
            window: configuration.window, limitLow: configuration.limitLow, limitHigh: configuration.limitHigh,
            enabled: configuration.rateLimited, steal: steal)
        let credentials = configuration.credentials
        self.oauth = OAuthStore(
            accessToken: credentials.accessToken, accessTokenSecret: credentials.accessTokenSecret,
            username: credentials.username)
        self.authenticator = Authenticator(credentials: credentials, store: oauth)
        self.requestFaults = configuration.faults.enumerated().compactMap { index, fault in
            if case .steal = fault.kind { return nil }
            return (index, fault)
        }
        let catalogue = Catalogue(seed: configuration.seed, baseURL: "http://\(configuration.host):\(configuration.port)")
        self.world = Locked((catalogue, UserStore(catalogue: catalogue, mainUser: credentials.username, collectionItems: configuration.collectionItems)))
    }

    /// Called once the port is known, before the first request.
    func setBaseURL(_ baseURL: String) {
        world.withLock { world in
            world.catalogue = Catalogue(seed: world.catalogue.seed, baseURL: baseURL)
        }
    }

    var catalogue: Catalogue { world.withLock { $0.catalogue } }
    var users: UserStore { world.withLock { $0.users } }
    var baseURL: String { catalogue.baseURL }

    /// The sandbox's own time: the injected clock plus every ``advance(by:)``. Request tokens and
    /// verifiers expire on it.
    var now: Date { wallNow().addingTimeInterval(clockOffset.withLock { $0 }) }

    /// Time that oauth_timestamp is checked against: the injected clock, not advanced, so a
    /// client with a real clock keeps working after a test moves the sandbox clock.
    var timestampNow: Date { wallNow() }

    func advance(by duration: Duration) {
        clockOffset.withLock { $0 += duration.sandboxSeconds }
    }

    var clockOffsetSeconds: TimeInterval { clockOffset.withLock { $0 } }

    /// Real time since start, for the rate-limit windows.
    var elapsed: Duration { ContinuousClock.now - started }

    /// The fault for the next API request, if one fires.
    func drawFault(path: String) -> SandboxFault? {
        guard !requestFaults.isEmpty else { return nil }
        let sequence = faultSequence.withLock { value -> UInt64 in
            value += 1
            return value
        }
        for (index, fault) in requestFaults {
            if let prefix = fault.pathPrefix, !path.hasPrefix(prefix) { continue }
            if SeededRandom.uniform(configuration.seed, sequence, UInt64(index)) < fault.rate {
                return fault
            }
        }
        return nil
    }

    func snapshot() -> SandboxStats {
        stats.snapshot(limiter: limiter)
    }

    /// Zeroes the statistics, the rate windows and the fault sequence.
    func reset() {
        stats.reset()
        limiter.reset()
        faultSequence.withLock { $0 = 0 }
    }
}
