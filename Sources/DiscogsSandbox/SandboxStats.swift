/// What the sandbox saw since start (or the last `POST /_sandbox/reset`): the server's view that
/// tests assert on. `GET /_sandbox/stats` serves the same data as JSON with the snake_case keys
/// given by ``CodingKeys``. Requests to `/_sandbox/*` are not counted.
public struct SandboxStats: Sendable, Equatable, Codable {
    /// API requests received (every answer, whatever its status).
    public var requests: Int
    /// Answers per HTTP status, keyed by the status as text (`"200"`). Reset and truncate faults
    /// are counted under the status their head carried.
    public var byStatus: [String: Int]
    /// 429 answers from the rate limiter (not those of the `retry-after` fault).
    public var rateLimited: Int
    /// 401 answers: unknown or malformed credentials, bad signatures, replayed nonces, stale
    /// timestamps, and endpoints that need a user.
    public var authFailures: Int
    /// The most requests accepted inside any one sliding window, per tier (`"low"`, `"high"`),
    /// over all source addresses.
    public var maxInWindow: [String: Int]
    /// How many times each fault fired, by fault name (`status`, `reset`, `slow`, `truncate`,
    /// `retry-after`).
    public var faults: [String: Int]
    /// The window length in seconds.
    public var windowSeconds: Double
    /// The limits per tier (`"low"`, `"high"`).
    public var limits: [String: Int]
    /// False when started with `--no-rate-limit`.
    public var rateLimiting: Bool

    public init(
        requests: Int = 0, byStatus: [String: Int] = [:], rateLimited: Int = 0, authFailures: Int = 0,
        maxInWindow: [String: Int] = [:], faults: [String: Int] = [:], windowSeconds: Double = 60,
        limits: [String: Int] = [:], rateLimiting: Bool = true
    ) {
        self.requests = requests
        self.byStatus = byStatus
        self.rateLimited = rateLimited
        self.authFailures = authFailures
        self.maxInWindow = maxInWindow
        self.faults = faults
        self.windowSeconds = windowSeconds
        self.limits = limits
        self.rateLimiting = rateLimiting
    }

    /// Answers with this status.
    public func count(status: Int) -> Int {
        byStatus[String(status)] ?? 0
    }

    public enum CodingKeys: String, CodingKey {
        case requests
        case byStatus = "by_status"
        case rateLimited = "rate_limited"
        case authFailures = "auth_failures"
        case maxInWindow = "max_in_window"
        case faults
        case windowSeconds = "window_seconds"
        case limits
        case rateLimiting = "rate_limiting"
    }

    var json: JSONValue {
        func object(_ dictionary: [String: Int]) -> JSONValue {
            .object(dictionary.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
        }
        return .object([
            ("requests", .int(requests)),
            ("by_status", object(byStatus)),
            ("rate_limited", .int(rateLimited)),
            ("auth_failures", .int(authFailures)),
            ("max_in_window", object(maxInWindow)),
            ("faults", object(faults)),
            ("window_seconds", .decimal(windowSeconds, places: 3)),
            ("limits", object(limits)),
            ("rate_limiting", .bool(rateLimiting)),
        ])
    }
}
