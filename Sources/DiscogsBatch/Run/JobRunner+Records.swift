extension JobRunner {
    /// Writes the records of one outcome (one line, or one per item) with one write, counts them, and
    /// gives back what the queue needs: success, the page count, and values for dependent requests.
    func finish(_ item: WorkQueue.Item, outcome: Outcome, pages: Int?) throws -> WorkQueue.Report {
        let request = item.request
        var key = request.key
        if let page = item.page { key += "/page=\(page)" }
        var record = Record(
            job: job.name, request: request.name, key: key, seq: item.seq, vars: request.vars, from: item.from,
            method: request.method.rawValue, url: outcome.url, status: outcome.response?.status,
            attempts: outcome.attempts, at: outcome.at, ms: outcome.ms,
            rateLimit: outcome.rateLimit, page: item.page, pages: pages)
        record.cached = outcome.cached
        var failure = outcome.failure
        if let error = outcome.transportError {
            failure = RecordFailure(error.recordKind, error.message)
        } else if let response = outcome.response, failure == nil, !(200..<300).contains(response.status) {
            failure = RecordFailure(Self.isCredentialFailure(response.status, credentials) ? .auth : .http, httpMessage(response, outcome))
            if let page = item.page, let cap = Self.capMessage(url: outcome.url, page: page), let message = failure?.message {
                failure?.message = message + (message.hasSuffix(".") ? " " : ": ") + cap
            }
        }
        if let document = outcome.document {
            record.payload = .json(Array(document.bytes[document.range]))
        } else if let response = outcome.response, !response.body.isEmpty {
            record.payload = .text(redactor.redact(String(decoding: response.body, as: UTF8.self)))
        }

        var lines: [UInt8] = []
        var count = 1
        // The ranges whose values dependent requests take, with the key of the record each one is.
        var contents: [(key: String, range: Range<Int>)] = []
        if failure == nil, let path = request.items, let document = outcome.document {
            let scanner = JSONScanner(document.bytes)
            let segments = path.split(separator: ".")
            if let list = scanner.value(at: segments, in: document.range), let items = scanner.elements(ofArrayAt: list) {
                count = max(1, items.count)
                if items.isEmpty { record.payload = .noItems }
                for (index, range) in items.enumerated() {
                    var line = record
                    line.key = "\(key)/item=\(index)"
                    line.payload = .item(Array(document.bytes[range]), index: index, count: items.count)
                    lines += line.encoded()
                    contents.append((line.key, range))
                }
            } else {
                failure = RecordFailure(.decode, "items path \"\(path)\" is not a list in the response body")
            }
        } else if failure == nil, let document = outcome.document {
            contents.append((key, document.range))
        }
        if lines.isEmpty {
            record.error = failure
            lines = record.encoded()
        }
        if item.writes { try writer.write(lines) }

        var report = WorkQueue.Report(succeeded: failure == nil, pages: pages)
        if failure == nil, let wanted = consumers[request.name], let document = outcome.document {
            report.values = select(wanted, from: contents, in: document.bytes, seq: item.seq)
        }
        let rejected = failure != nil && outcome.response.map { Self.isCredentialFailure($0.status, credentials) } == true
        let stop = state.withLockedValue { state -> Bool in
            if item.writes { state.summary.records += count }
            if failure == nil {
                state.sawSuccess = true
            } else if rejected && !state.sawSuccess {
                state.summary.credentialsRejected = credentialsMessage(outcome.response?.status ?? 0)
            }
            return state.summary.credentialsRejected != nil
        }
        if let failure, item.writes { logger.warning("\(key): \(failure.message)") }
        if stop { throw CredentialsRejected() }
        return report
    }

    /// The values the dependent requests `wanted` take from these records; what was skipped is counted
    /// in the summary and warned of once per dependent request.
    private func select(
        _ wanted: [(consumer: Int, select: ValuePath)], from contents: [(key: String, range: Range<Int>)],
        in bytes: [UInt8], seq: Int
    ) -> [SourceValue] {
        let scanner = JSONScanner(bytes)
        var values: [SourceValue] = []
        var missing = 0
        var notScalar: [Int] = []
        for (consumer, path) in wanted {
            for content in contents {
                let selection = scanner.select(path, in: content.range)
                values += selection.values.map { SourceValue(consumer: consumer, value: $0, from: content.key, seq: seq) }
                missing += selection.missing + selection.notScalar
                if selection.notScalar > 0 { notScalar.append(consumer) }
                if selection.missing > 0 {
                    logger.debug("\(content.key): \(path) has no value for \(job.requests[consumer].name); skipped")
                }
            }
        }
        let warn = state.withLockedValue { state -> [Int] in
            state.summary.missingValues += missing
            return notScalar.filter { state.warnedNotScalar.insert($0).inserted }
        }
        for (consumer, path) in wanted where warn.contains(consumer) {
            logger.warning(
                "\(job.requests[consumer].name): select \(path) found an object or a list where a value was expected; those records give no value")
        }
        return values
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

    /// Only a 401 says the credentials are refused: Discogs's edge answers some clients 403 with an HTML
    /// page, and a private collection answers 403 to everyone else; those are failed records.
    static func isCredentialFailure(_ status: Int, _ credentials: Credentials) -> Bool {
        guard status == 401 else { return false }
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
