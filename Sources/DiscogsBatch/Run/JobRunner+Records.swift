extension JobRunner {
    /// Writes the records of one outcome (one line, or one per item) with one write, and counts it.
    func finish(_ request: PlannedRequest, seq: Int, outcome: Outcome, page: (number: Int, of: Int)?) throws {
        var key = request.key
        if let page { key += "/page=\(page.number)" }
        var record = Record(
            job: job.name, request: request.name, key: key, seq: seq, vars: request.vars,
            method: request.method.rawValue, url: outcome.url, status: outcome.response?.status,
            attempts: outcome.attempts, at: outcome.at, ms: outcome.ms,
            rateLimit: outcome.rateLimit, page: page?.number, pages: page?.of)
        record.cached = outcome.cached
        var failure = outcome.failure
        if let error = outcome.transportError {
            failure = (error.recordKind, error.message)
        } else if let response = outcome.response, failure == nil, !(200..<300).contains(response.status) {
            failure = (Self.isCredentialFailure(response.status, credentials) ? "auth" : "http", httpMessage(response, outcome))
        }
        if let document = outcome.document {
            record.payload = .json(Array(document.bytes[document.range]))
        } else if let response = outcome.response, !response.body.isEmpty {
            record.payload = .text(redactor.redact(String(decoding: response.body, as: UTF8.self)))
        }

        var lines: [UInt8] = []
        var count = 1
        if failure == nil, let path = request.items, let document = outcome.document {
            let scanner = JSONScanner(document.bytes)
            let segments = path.split(separator: ".")
            if let list = scanner.value(at: segments, in: document.range), let items = scanner.elements(ofArrayAt: list) {
                count = max(1, items.count)
                if items.isEmpty { record.payload = .noItems }
                for (index, range) in items.enumerated() {
                    var item = record
                    item.key = "\(key)/item=\(index)"
                    item.payload = .item(Array(document.bytes[range]), index: index, count: items.count)
                    lines += item.encoded()
                }
            } else {
                failure = ("decode", "items path \"\(path)\" is not a list in the response body")
            }
        }
        if lines.isEmpty {
            record.error = failure
            lines = record.encoded()
        }
        try writer.write(lines)

        let rejected = failure != nil && outcome.response.map { Self.isCredentialFailure($0.status, credentials) } == true
        let stop = state.withLockedValue { state -> Bool in
            state.summary.records += count
            if failure == nil {
                state.sawSuccess = true
            } else if rejected && !state.sawSuccess {
                state.summary.credentialsRejected = credentialsMessage(outcome.response?.status ?? 0)
            }
            if page == nil || failure != nil || page.map({ $0.number >= $0.of }) == true {
                state.summary.completed += 1
                if failure != nil { state.summary.failed += 1 }
            }
            return state.summary.credentialsRejected != nil
        }
        if let failure { logger.warning("\(key): \(failure.message)") }
        if stop { throw CredentialsRejected() }
    }

    /// The three `X-Discogs-Ratelimit*` headers (the first of each), in one pass over the headers.
    static func rateLimit(_ response: TransportResponse) -> Record.RateLimit {
        var limit: String?
        var used: String?
        var remaining: String?
        let headers = response.headers
        for index in headers.indices {
            // Most names are none of the three, by length alone (looked at in place, not copied).
            switch headers[index].name.utf8.count {
            case 19 where limit == nil && TransportResponse.sameName(headers[index].name, "X-Discogs-Ratelimit"):
                limit = headers[index].value
            case 24 where used == nil && TransportResponse.sameName(headers[index].name, "X-Discogs-Ratelimit-Used"):
                used = headers[index].value
            case 29 where remaining == nil && TransportResponse.sameName(headers[index].name, "X-Discogs-Ratelimit-Remaining"):
                remaining = headers[index].value
            default: continue
            }
        }
        return Record.RateLimit(limit: limit.flatMap { Int($0) }, used: used.flatMap { Int($0) }, remaining: remaining.flatMap { Int($0) })
    }

    static func isCredentialFailure(_ status: Int, _ credentials: Credentials) -> Bool {
        guard status == 401 || status == 403 else { return false }
        if case .none = credentials { return false }
        return true
    }

    /// `HTTP 404: Release not found.`, keeping Discogs's message.
    func httpMessage(_ response: TransportResponse, _ outcome: Outcome) -> String {
        var message = "HTTP \(response.status)"
        if let document = outcome.document {
            let scanner = JSONScanner(document.bytes)
            if let range = scanner.value(at: ["message"], in: document.range), document.bytes[range.lowerBound] == UInt8(ascii: "\"") {
                let text = (try? JSONDecoderLite.string(Array(document.bytes[range]))) ?? ""
                if !text.isEmpty { message += ": \(text)" }
            }
        }
        return message
    }

    /// What to check when Discogs refuses the credentials; names the mode, never a value.
    func credentialsMessage(_ status: Int) -> String {
        let check: String
        switch credentials {
        case .none: check = "nothing"
        case .token: check = "the personal access token (auth.token or DISCOGS_TOKEN)"
        case .keySecret: check = "the consumer key and secret (DISCOGS_CONSUMER_KEY, DISCOGS_CONSUMER_SECRET)"
        case .oauth:
            check = "the consumer key/secret and the OAuth access token/secret (or the profile); sign in again with auth login if it was revoked"
        }
        return "credentials rejected: the server answered \(status) to the first \(credentials.mode) request; check \(check)"
    }
}
