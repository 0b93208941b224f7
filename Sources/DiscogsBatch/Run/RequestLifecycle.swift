import Foundation

/// The life of one request, apart from I/O: what to send next (method, URL, body, with or without
/// credentials), and after each answer or failure whether it is final, a redirect to follow, a 429 to
/// wait out, or a failure to retry after a backoff. The runner does the pacing, signing, sending and
/// sleeping it asks for; the tests drive it with answers alone.
struct RequestLifecycle {
    enum Step: Equatable {
        /// Follow a redirect to this URL (already resolved): send again at once.
        case follow(String)
        /// A 429 the policy allows to wait out: the governor decides when to send again.
        case rateLimited
        /// A failure to try again after this backoff.
        case retry(after: Duration)
        /// The outcome is final.
        case finish
    }

    let policy: RetryPolicy
    private(set) var method: String
    private(set) var url: String
    private(set) var body: [UInt8]?
    /// True once a redirect left the origin the credentials belong to.
    private(set) var dropCredentials = false
    /// Sends so far, 429s and redirects included.
    private(set) var attempts = 0
    /// True when the final answer is a JSON body cut short on every attempt.
    private(set) var cutShort = false
    /// Counted failures (429s and redirects are not).
    private var failures = 0
    private var redirects = 0
    /// Time spent waiting because of failures (backoff, and the budget's wait after a 429): what
    /// `retry.max_wait` bounds. Waiting for the rate budget in the normal course is not counted.
    private(set) var waited = Duration.zero

    static let maxRedirects = 5

    init(method: String, url: String, body: [UInt8]?, policy: RetryPolicy) {
        self.method = method
        self.url = url
        self.body = body
        self.policy = policy
    }

    static func isRedirect(_ status: Int) -> Bool {
        switch status {
        case 301, 302, 303, 307, 308: true
        default: false
        }
    }

    /// A send is about to go out.
    mutating func sending() {
        attempts += 1
    }

    /// After a 429, the time the budget made the next send wait counts against `max_wait`.
    mutating func waitedForBudget(_ duration: Duration) {
        waited += duration
    }

    /// What to do after an answer. `isDocument` says whether the body is embeddable JSON; it is asked
    /// only for answers that may be final, since finding out means scanning the body.
    mutating func answered(_ response: TransportResponse, isDocument: () -> Bool) -> Step {
        let status = response.status
        if Self.isRedirect(status), redirects < Self.maxRedirects, let location = response.header("Location"),
            let target = URL(string: location, relativeTo: URL(string: url))?.absoluteString
        {
            redirects += 1
            if TransportSecurity.shouldDropCredentials(onRedirectFrom: url, to: target) { dropCredentials = true }
            if status == 303 || (status != 307 && status != 308 && method == "POST") {
                method = "GET"
                body = nil
            }
            url = target
            return .follow(target)
        }
        let retryable = RetryPolicy.retryableStatuses.contains(status)
        let retryAfter = status == 429 || retryable ? response.header("Retry-After").flatMap { RetryPolicy.parseRetryAfter($0) } : nil
        if status == 429 {
            return step(policy.decision(method: method, attempt: failures + 1, outcome: .status(429, retryAfter: retryAfter), elapsed: waited))
        }
        if retryable {
            failures += 1
            return step(policy.decision(method: method, attempt: failures, outcome: .status(status, retryAfter: retryAfter), elapsed: waited))
        }
        if isDocument() { return .finish }
        guard (200..<300).contains(status), Self.claimsJSON(response) else { return .finish }
        // A JSON answer cut short: like a dropped connection.
        failures += 1
        let next = step(policy.decision(method: method, attempt: failures, outcome: .connection, elapsed: waited))
        cutShort = next == .finish
        return next
    }

    /// What to do after a send that got no answer.
    mutating func failed(_ kind: TransportError.Kind) -> Step {
        failures += 1
        let outcome: RetryPolicy.Outcome =
            switch kind {
            case .timeout: .timeout
            case .connectionRefused: .connectionRefused
            case .tls: .tls
            case .cancelled: .cancelled
            case .invalid: .invalid
            case .connection, .decode: .connection
            }
        return step(policy.decision(method: method, attempt: failures, outcome: outcome, elapsed: waited))
    }

    private mutating func step(_ decision: RetryPolicy.Decision) -> Step {
        switch decision {
        case .giveUp: return .finish
        case .rateLimited: return .rateLimited
        case .retry(let delay):
            waited += delay
            return .retry(after: delay)
        }
    }

    static func claimsJSON(_ response: TransportResponse) -> Bool {
        response.header("Content-Type")?.lowercased().contains("json") ?? false
    }
}
