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
        var failure: RecordFailure?
        /// Served from the response cache (JobRunner+Cache.swift): nothing was sent.
        var cached = false
    }

    static var defaultAccept: String { "application/vnd.discogs.v2.discogs+json" }

    /// Sends one URL until it has a final outcome: the request's life (`RequestLifecycle`) says what to
    /// send and whether to follow, wait or retry; this does the pacing, signing and sending it asks for.
    func fetch(_ request: PlannedRequest, url: String) async throws -> Outcome {
        if let hit = await cachedOutcome(request, url: url) { return hit }
        var outcome = Outcome()
        var life = RequestLifecycle(method: request.method.rawValue, url: url, body: request.body.map { Array($0.utf8) }, policy: policy)
        var after429 = false
        var headers: [(name: String, value: String)] = [("User-Agent", job.userAgent)]
        if !request.headers.contains(where: { TransportResponse.sameName($0.name, "Accept") }) {
            headers.append(("Accept", Self.defaultAccept))
        }
        headers += request.headers

        while true {
            try Task.checkCancellation()
            guard reserveSend() else { throw Stopping() }
            life.sending()
            outcome.attempts = life.attempts
            let asked = clock.now
            let granted = try await governor.acquire()
            if after429 { life.waitedForBudget(asked.duration(to: clock.now)) }
            after429 = false

            var sendHeaders = headers
            if life.body != nil { sendHeaders.append(("Content-Type", "application/json")) }
            var sendURL = life.url
            if !life.dropCredentials, let constant = auth.constantHeaders {
                sendHeaders += constant
            } else if !life.dropCredentials, let additions = auth.additions(method: life.method, url: life.url) {
                sendHeaders += additions.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                if !additions.queryItems.isEmpty, let components = URLComponents(string: life.url) {
                    sendURL = additions.apply(to: components).string ?? life.url
                }
            }
            outcome.url = redactor.redactURL(sendURL)
            logger.debug("\(life.method) \(outcome.url) (attempt \(outcome.attempts))")

            let sentAt = clock.now
            let step: RequestLifecycle.Step
            do {
                let response = try await transport.send(
                    TransportRequest(method: life.method, url: sendURL, headers: sendHeaders, body: life.body),
                    timeout: job.timeout)
                outcome.ms = Int(sentAt.duration(to: clock.now).milliseconds)
                outcome.at = Date().timeIntervalSince1970
                outcome.response = response
                state.withLockedValue { $0.summary.countResponse(status: response.status) }
                outcome.transportError = nil
                outcome.document = nil
                let rate = Self.rateLimit(response)
                outcome.rateLimit = rate
                await governor.settle(
                    grantedAt: granted, limit: rate.limit, used: rate.used, remaining: rate.remaining,
                    refused: response.status == 429)
                if response.status == 429 {
                    after429 = true
                    state.withLockedValue { $0.summary.rateLimited += 1 }
                    let retryAfter = response.header("Retry-After").flatMap { RetryPolicy.parseRetryAfter($0) }
                    await governor.penalize(retryAfter: retryAfter, free: Self.freeBudget(rate))
                }
                step = life.answered(response) {
                    outcome.document = document(response)
                    return outcome.document != nil
                }
                if life.cutShort {
                    outcome.failure = RecordFailure(.decode, "the response body is not valid JSON (\(response.body.count) bytes)")
                }
            } catch let error as TransportError {
                if error.kind == .cancelled { throw CancellationError() }
                await governor.settle(grantedAt: granted)
                outcome.ms = Int(sentAt.duration(to: clock.now).milliseconds)
                outcome.at = Date().timeIntervalSince1970
                outcome.response = nil
                outcome.rateLimit = nil
                outcome.document = nil
                outcome.transportError = error
                step = life.failed(error.kind)
            }
            switch step {
            case .finish:
                if let response = outcome.response, outcome.document == nil, !life.cutShort {
                    outcome.document = document(response)
                }
                await storeInCache(request, url: url, outcome)
                return outcome
            case .follow(let target):
                logger.debug("redirect \(outcome.response?.status ?? 0) to \(redactor.redactURL(target))")
            case .rateLimited:
                logger.info("429 from Discogs; waiting for the rate window before retrying \(outcome.url)")
            case .retry(let delay):
                state.withLockedValue { $0.summary.retries += 1 }
                let reason = outcome.response.map { "HTTP \($0.status)" } ?? outcome.transportError?.message ?? "error"
                logger.info("\(reason) on \(outcome.url); retry in \(delay.humanDescription)")
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
}
