import Foundation
import Testing

@testable import DiscogsBatch

@Suite struct RetryPolicyTests {
    /// Jitter pinned to the top of its range, so delays equal the backoff cap.
    static let maxJitter = RetryPolicy(maxAttempts: 5, maxWait: .seconds(600), random: { $0.upperBound })

    typealias Outcome = RetryPolicy.Outcome
    typealias Decision = RetryPolicy.Decision

    struct Row: Sendable, CustomTestStringConvertible {
        let method: String
        let attempt: Int
        let outcome: Outcome
        let elapsed: Duration
        let expected: Decision
        var testDescription: String { "\(method) #\(attempt) \(outcome) at \(elapsed) → \(expected)" }

        init(_ method: String, _ attempt: Int, _ outcome: Outcome, _ expected: Decision, elapsed: Duration = .zero) {
            self.method = method
            self.attempt = attempt
            self.outcome = outcome
            self.elapsed = elapsed
            self.expected = expected
        }
    }

    static let rows: [Row] = [
        // 429: always retried, any method, not counted; Retry-After passed on.
        Row("GET", 1, .status(429, retryAfter: nil), .rateLimited(wait: nil)),
        Row("POST", 1, .status(429, retryAfter: .seconds(7)), .rateLimited(wait: .seconds(7))),
        Row("DELETE", 5, .status(429, retryAfter: nil), .rateLimited(wait: nil)),  // attempts exhausted: still waits
        Row("GET", 9, .status(429, retryAfter: .seconds(2)), .rateLimited(wait: .seconds(2))),
        // …but bounded by max_wait.
        Row("GET", 1, .status(429, retryAfter: .seconds(30)), .giveUp, elapsed: .seconds(580)),
        Row("POST", 1, .status(429, retryAfter: nil), .giveUp, elapsed: .seconds(601)),
        // Transient statuses and errors, idempotent methods: backoff 1, 2, 4, 8 s (cap at max jitter).
        Row("GET", 1, .status(500, retryAfter: nil), .retry(after: .seconds(1))),
        Row("GET", 2, .status(502, retryAfter: nil), .retry(after: .seconds(2))),
        Row("PUT", 3, .status(503, retryAfter: nil), .retry(after: .seconds(4))),
        Row("DELETE", 4, .status(504, retryAfter: nil), .retry(after: .seconds(8))),
        Row("get", 1, .status(408, retryAfter: nil), .retry(after: .seconds(1))),
        Row("GET", 1, .timeout, .retry(after: .seconds(1))),
        Row("PUT", 2, .connection, .retry(after: .seconds(2))),
        Row("GET", 1, .connectionRefused, .retry(after: .seconds(1))),
        // A Retry-After on a 503 is honoured instead of the jitter.
        Row("GET", 1, .status(503, retryAfter: .seconds(20)), .retry(after: .seconds(20))),
        // max_attempts reached.
        Row("GET", 5, .status(500, retryAfter: nil), .giveUp),
        Row("GET", 6, .timeout, .giveUp),
        // max_wait would be exceeded by the next delay.
        Row("GET", 3, .status(500, retryAfter: nil), .giveUp, elapsed: .seconds(597)),
        Row("GET", 3, .status(500, retryAfter: nil), .retry(after: .seconds(4)), elapsed: .seconds(596)),
        // POST: only 429 or a connection that never opened.
        Row("POST", 1, .status(500, retryAfter: nil), .giveUp),
        Row("POST", 1, .status(503, retryAfter: .seconds(1)), .giveUp),
        Row("POST", 1, .timeout, .giveUp),
        Row("POST", 1, .connection, .giveUp),
        Row("POST", 1, .connectionRefused, .retry(after: .seconds(1))),
        Row("POST", 5, .connectionRefused, .giveUp),
        Row("PATCH", 1, .status(502, retryAfter: nil), .giveUp),
        // Final outcomes.
        Row("GET", 1, .status(200, retryAfter: nil), .giveUp),
        Row("GET", 1, .status(404, retryAfter: nil), .giveUp),
        Row("GET", 1, .status(401, retryAfter: nil), .giveUp),
        Row("GET", 1, .status(501, retryAfter: nil), .giveUp),
        Row("GET", 1, .tls, .giveUp),
        Row("GET", 1, .cancelled, .giveUp),
    ]

    @Test(arguments: rows)
    func decisions(row: Row) {
        #expect(
            Self.maxJitter.decision(
                method: row.method, attempt: row.attempt, outcome: row.outcome, elapsed: row.elapsed)
                == row.expected)
    }

    @Test func backoffCapDoublesUpToMaxDelay() {
        let policy = RetryPolicy(maxAttempts: 20, baseDelay: .seconds(1), maxDelay: .seconds(60))
        #expect((1...8).map(policy.backoffCap) == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(policy.backoffCap(attempt: 1000) == .seconds(60))
        #expect(policy.backoffCap(attempt: 0) == .seconds(1))
    }

    @Test func fullJitterScalesTheCap() {
        let policy = RetryPolicy(
            maxAttempts: 10,
            random: { range in
                #expect(range == 0...1)
                return 0.25
            })
        #expect(
            policy.decision(method: "GET", attempt: 3, outcome: .timeout, elapsed: .zero) == .retry(after: .seconds(1)))
        let zero = RetryPolicy(random: { $0.lowerBound })
        #expect(zero.decision(method: "GET", attempt: 4, outcome: .connection, elapsed: .zero) == .retry(after: .zero))
    }

    @Test func defaultRandomStaysWithinCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(500))
        for _ in 0..<200 {
            guard case .retry(let delay) = policy.decision(method: "GET", attempt: 3, outcome: .timeout, elapsed: .zero)
            else {
                Issue.record("expected a retry")
                return
            }
            #expect(delay >= .zero && delay <= .seconds(2))
        }
    }

    // MARK: Retry-After

    static let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test(arguments: [
        ("120", Duration.seconds(120)),
        (" 0 ", Duration.zero),
        ("Sun, 06 Nov 1994 08:51:37 GMT", Duration.seconds(120)),  // IMF-fixdate
        ("Sunday, 06-Nov-94 08:50:07 GMT", Duration.seconds(30)),  // RFC 850
        ("Sun Nov  6 08:49:47 1994", Duration.seconds(10)),  // asctime
        ("Sun, 06 Nov 1994 08:00:00 GMT", Duration.zero),  // in the past
    ])
    func parsesRetryAfter(value: String, expected: Duration) {
        #expect(RetryPolicy.parseRetryAfter(value, now: Self.now) == expected)
    }

    @Test(arguments: ["", "-5", "1.5", "soon", "Sun, 99 Nov 1994 08:49:37 GMT"])
    func rejectsMalformedRetryAfter(value: String) {
        #expect(RetryPolicy.parseRetryAfter(value, now: Self.now) == nil)
    }

    @Test func hugeDeltaSecondsExceedsAnyMaxWait() throws {
        let wait = try #require(RetryPolicy.parseRetryAfter("99999999999999999999999", now: Self.now))
        #expect(wait > .seconds(1_000_000_000))
    }
}
