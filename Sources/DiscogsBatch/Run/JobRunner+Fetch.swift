import Foundation

extension JobRunner {
    /// The final outcome of one URL after retries: a response, or the reason none came.
    struct Outcome {
        var response: TransportResponse?
        /// The response's `X-Discogs-Ratelimit*` headers (nil without a response).
        var rateLimit: Record.RateLimit?
        var transportError: TransportError?
        var attempts = 0
        var ms = 0
        var at = 0.0
        /// The URL last sent, credentials masked.
        var url = ""
        /// The body with credentials masked and newlines removed, when it is valid JSON.
        var document: (bytes: [UInt8], range: Range<Int>)?
        /// Why the request failed despite a response (HTTP status, bad JSON, pagination).
        var failure: (kind: String, message: String)?
    }

    static var defaultAccept: String { "application/vnd.discogs.v2.discogs+json" }
    static func isRedirect(_ status: Int) -> Bool {
        switch status {
        case 301, 302, 303, 307, 308: true
        default: false
        }
    }

    /// Sends one URL until it has a final outcome: paced, signed, retried per `RetryPolicy`,
    /// redirects followed (credentials dropped across origins).
    func fetch(_ request: PlannedRequest, url: String) async throws -> Outcome {
        var outcome = Outcome()
        var failures = 0
        var currentURL = url
        var method = request.method.rawValue
        var body = request.body.map { Array($0.utf8) }
        var dropCredentials = false
        var redirects = 0
        // Time spent waiting because of failures (backoff, and the governor's wait after a 429):
        // what retry.max_wait bounds. Waiting for the rate budget in the normal course is not counted.
        var waited = Duration.zero
        var after429 = false
        var headers: [(name: String, value: String)] = [("User-Agent", job.userAgent)]
        if !request.headers.contains(where: { TransportResponse.sameName($0.name, "Accept") }) {
            headers.append(("Accept", Self.defaultAccept))
        }
        headers += request.headers

        while true {
            try Task.checkCancellation()
            guard reserveSend() else { throw Stopping() }
            outcome.attempts += 1
            let asked = clock.now
            let granted = try await governor.acquire()
            if after429 { waited += asked.duration(to: clock.now) }
            after429 = false

            var sendHeaders = headers
            if body != nil { sendHeaders.append(("Content-Type", "application/json")) }
            var sendURL = currentURL
            if !dropCredentials, let constant = auth.constantHeaders {
                sendHeaders += constant
            } else if !dropCredentials, let additions = auth.additions(method: method, url: currentURL) {
                sendHeaders += additions.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                if !additions.queryItems.isEmpty, let components = URLComponents(string: currentURL) {
                    sendURL = additions.apply(to: components).string ?? currentURL
                }
            }
            outcome.url = redactor.redactURL(sendURL)
            logger.debug("\(method) \(outcome.url) (attempt \(outcome.attempts))")

            let sentAt = clock.now
            let decision: RetryPolicy.Decision
            do {
                let response = try await transport.send(
                    TransportRequest(method: method, url: sendURL, headers: sendHeaders, body: body),
                    timeout: job.timeout)
                outcome.ms = Int(sentAt.duration(to: clock.now).milliseconds)
                outcome.at = Date().timeIntervalSince1970
                outcome.response = response
                state.withLockedValue { $0.summary.countResponse(status: response.status) }
                outcome.transportError = nil
                let rate = Self.rateLimit(response)
                outcome.rateLimit = rate
                await governor.settle(
                    grantedAt: granted, limit: rate.limit, used: rate.used, remaining: rate.remaining,
                    refused: response.status == 429)

                if Self.isRedirect(response.status), redirects < 5,
                    let location = response.header("Location"),
                    let target = URL(string: location, relativeTo: URL(string: currentURL))?.absoluteString
                {
                    redirects += 1
                    if TransportSecurity.shouldDropCredentials(onRedirectFrom: currentURL, to: target) {
                        dropCredentials = true
                    }
                    if response.status == 303 || (response.status != 307 && response.status != 308 && method == "POST") {
                        method = "GET"
                        body = nil
                    }
                    logger.debug("redirect \(response.status) to \(redactor.redactURL(target))")
                    currentURL = target
                    continue
                }
                let retryable = RetryPolicy.retryableStatuses.contains(response.status)
                // Read only where it counts: most answers are neither.
                let retryAfter = response.status == 429 || retryable
                    ? response.header("Retry-After").flatMap { RetryPolicy.parseRetryAfter($0) } : nil
                if response.status == 429 {
                    after429 = true
                    state.withLockedValue { $0.summary.rateLimited += 1 }
                    await governor.penalize(retryAfter: retryAfter)
                    decision = policy.decision(
                        method: method, attempt: failures + 1, outcome: .status(429, retryAfter: retryAfter),
                        elapsed: waited)
                } else if retryable {
                    failures += 1
                    decision = policy.decision(
                        method: method, attempt: failures, outcome: .status(response.status, retryAfter: retryAfter),
                        elapsed: waited)
                } else if let document = document(response) {
                    outcome.document = document
                    return outcome
                } else if (200..<300).contains(response.status) && Self.claimsJSON(response) {
                    // A JSON answer cut short: treat like a dropped connection.
                    failures += 1
                    outcome.failure = ("decode", "the response body is not valid JSON (\(response.body.count) bytes)")
                    decision = policy.decision(
                        method: method, attempt: failures, outcome: .connection, elapsed: waited)
                    if case .giveUp = decision { return outcome }
                    outcome.failure = nil
                } else {
                    return outcome
                }
            } catch let error as TransportError {
                if error.kind == .cancelled { throw CancellationError() }
                await governor.settle(grantedAt: granted)
                outcome.ms = Int(sentAt.duration(to: clock.now).milliseconds)
                outcome.at = Date().timeIntervalSince1970
                outcome.response = nil
                outcome.rateLimit = nil
                outcome.transportError = error
                failures += 1
                let mapped: RetryPolicy.Outcome =
                    switch error.kind {
                    case .timeout: .timeout
                    case .connectionRefused: .connectionRefused
                    case .tls: .tls
                    case .cancelled: .cancelled
                    case .invalid: .invalid
                    case .connection, .decode: .connection
                    }
                decision = policy.decision(
                    method: method, attempt: failures, outcome: mapped, elapsed: waited)
            }
            switch decision {
            case .giveUp:
                if let response = outcome.response { outcome.document = document(response) }
                return outcome
            case .rateLimited:
                logger.info("429 from Discogs; waiting for the rate window before retrying \(outcome.url)")
            case .retry(let delay):
                state.withLockedValue { $0.summary.retries += 1 }
                let reason = outcome.response.map { "HTTP \($0.status)" } ?? outcome.transportError?.message ?? "error"
                logger.info("\(reason) on \(outcome.url); retry \(failures) in \(delay.humanDescription)")
                waited += delay
                try await clock.sleep(for: delay)
            }
        }
    }

    /// The body as embeddable JSON (the scan checks UTF-8 too): credentials masked, line breaks
    /// (whitespace outside strings) removed.
    func document(_ response: TransportResponse) -> (bytes: [UInt8], range: Range<Int>)? {
        guard !response.body.isEmpty else { return nil }
        var bytes = redactor.redact(bytes: response.body)
        let hasLineBreak = bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress.unsafelyUnwrapped  // the body is not empty
            return memchr(base, 0x0A, raw.count) != nil || memchr(base, 0x0D, raw.count) != nil
        }
        if hasLineBreak {
            for i in bytes.indices where bytes[i] == 0x0A || bytes[i] == 0x0D { bytes[i] = 0x20 }
        }
        guard let range = JSONScanner(bytes).document() else { return nil }
        return (bytes, range)
    }

    static func claimsJSON(_ response: TransportResponse) -> Bool {
        response.header("Content-Type")?.lowercased().contains("json") ?? false
    }
}
