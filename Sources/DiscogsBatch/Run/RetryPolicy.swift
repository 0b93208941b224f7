import Foundation

/// Decides, after each attempt of a request, whether and when to try again (SPEC §5). Pure: the
/// random source is injected and time comes in as `elapsed`.
///
/// - 429 is always retried, for every method, and does not count as an attempt (`.rateLimited`);
///   it is bounded by `maxWait` only.
/// - 408, 500, 502, 503, 504, timeouts and connection errors are retried with exponential backoff
///   and full jitter — for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) only.
/// - POST (and any non-idempotent method) is retried only on 429 or when the connection was refused,
///   i.e. the request provably never left.
/// - TLS failures, cancellation and every other status are final.
public struct RetryPolicy: Sendable {
    /// What one attempt ended with.
    public enum Outcome: Sendable, Hashable {
        /// An HTTP response, with its `Retry-After` when sent.
        case status(Int, retryAfter: Duration?)
        /// No response within the per-attempt timeout (the request may have been acted upon).
        case timeout
        /// The connection could not be opened: the request provably never left.
        case connectionRefused
        /// The connection failed after it was opened (reset, closed): the request may have been sent.
        case connection
        /// TLS handshake or certificate failure: not transient.
        case tls
        /// The run was cancelled.
        case cancelled
        /// The request cannot be sent as it is (its URL or a header): it would fail the same way again.
        case invalid
    }

    /// What to do next.
    public enum Decision: Sendable, Hashable {
        /// Try again after this delay; the attempt counted.
        case retry(after: Duration)
        /// 429: wait (`Retry-After` when known, else until the rate governor frees a slot) and try again;
        /// not a failure and not counted against `maxAttempts`.
        case rateLimited(wait: Duration?)
        /// Stop: the outcome is final (success, a non-retryable error, or retries exhausted).
        case giveUp
    }

    /// Counted attempts allowed in all, the first included (429 answers are not counted).
    public var maxAttempts: Int
    /// Total time a request may spend, from its first attempt, before it is given up.
    public var maxWait: Duration
    /// The backoff cap of the first retry; it doubles with each counted attempt.
    public var baseDelay: Duration
    /// The largest backoff cap.
    public var maxDelay: Duration
    /// Returns a uniformly random value in the range (injected for tests).
    public var random: @Sendable (ClosedRange<Double>) -> Double

    /// Methods retried after the server may have acted.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]
    /// Statuses retried with backoff (429 is handled separately).
    public static let retryableStatuses: Set<Int> = [408, 500, 502, 503, 504]

    /// A policy; SPEC's job defaults are 5 attempts and 10 minutes.
    public init(
        maxAttempts: Int = 5, maxWait: Duration = .seconds(600), baseDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(60),
        random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) {
        self.maxAttempts = maxAttempts
        self.maxWait = maxWait
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
    }

    /// The decision after counted attempt number `attempt` (1-based) of a `method` request ended with
    /// `outcome`, `elapsed` after the request's first attempt started.
    public func decision(method: String, attempt: Int, outcome: Outcome, elapsed: Duration) -> Decision {
        let idempotent = Self.idempotentMethods.contains(method.uppercased())
        switch outcome {
        case .status(429, let retryAfter):
            if elapsed + (retryAfter ?? .zero) > maxWait { return .giveUp }
            return .rateLimited(wait: retryAfter)
        case .status(let code, let retryAfter) where Self.retryableStatuses.contains(code):
            return idempotent ? backoff(attempt: attempt, elapsed: elapsed, retryAfter: retryAfter) : .giveUp
        case .timeout, .connection:
            return idempotent ? backoff(attempt: attempt, elapsed: elapsed, retryAfter: nil) : .giveUp
        case .connectionRefused:
            return backoff(attempt: attempt, elapsed: elapsed, retryAfter: nil)
        case .status, .tls, .cancelled, .invalid:
            return .giveUp
        }
    }

    /// The backoff cap before the retry that follows counted attempt `attempt`:
    /// `min(maxDelay, baseDelay × 2^(attempt-1))`.
    public func backoffCap(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let cap = baseDelay * (1 << exponent)
        return min(cap, maxDelay)
    }

    /// Full jitter: a random delay in `0...cap`; the server's `Retry-After` wins when given.
    private func backoff(attempt: Int, elapsed: Duration, retryAfter: Duration?) -> Decision {
        guard attempt < maxAttempts else { return .giveUp }
        let cap = backoffCap(attempt: attempt)
        let delay = retryAfter ?? cap * random(0...1)
        if elapsed + delay > maxWait { return .giveUp }
        return .retry(after: delay)
    }

    /// Parses a `Retry-After` value: delta-seconds (`120`) or an HTTP-date (IMF-fixdate, RFC 850 or
    /// asctime form), measured from `now`. A date in the past gives zero; anything else is nil.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return .seconds(Int(text) ?? Int.max)  // absurdly large: exceeds any max_wait
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                let seconds = date.timeIntervalSince(now)
                return seconds <= 0 ? .zero : .milliseconds(Int64((seconds * 1000).rounded()))
            }
        }
        return nil
    }
}
