import Foundation
import Logging
import NIOConcurrencyHelpers

/// Executes a plan: paces every attempt through one `RateGovernor`, signs it, sends it, retries what
/// is safe to retry, walks pages, splits items, and writes one record per final outcome.
public final class JobRunner<C: Clock>: Sendable where C.Duration == Duration {
    let job: Job
    let plan: Plan
    let credentials: Credentials
    let auth: DiscogsAuth
    let redactor: Redactor
    let governor: RateGovernor<C>
    let policy: RetryPolicy
    let transport: any HTTPTransport
    let writer: NDJSONWriter
    let clock: C
    let logger: Logger
    let concurrency: Int
    let options: RunOptions
    let resumed: ResumeState?
    let state: NIOLockedValueBox<State>

    struct State: Sendable {
        var iterator: Plan.Iterator
        var seq = 0
        var summary = RunSummary()
        var sawSuccess = false
    }

    /// Thrown inside workers once the run is stopping: the request in hand writes no record.
    struct Stopping: Error {}

    /// Stops the run when the credentials are refused before anything succeeded.
    struct CredentialsRejected: Error {}

    /// Prepares a run: resolves credentials, applies `--sandbox`'s base URL, opens the output.
    public init(
        job: Job, options: RunOptions, transport: any HTTPTransport, clock: C, logger: Logger,
        retryRandom: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) throws {
        var job = job
        if let baseURL = options.baseURL { job.baseURL = baseURL }
        let credentials: Credentials
        do {
            credentials = try Credentials(job: job.auth)
        } catch {
            throw RunError.invalid("\(job.file): \(error)")
        }
        if case .none = credentials {
        } else if !TransportSecurity.credentialsAllowed(to: job.baseURL) {
            throw RunError.invalid(
                "\(job.file): refusing to send \(credentials.mode) credentials to \(job.baseURL): credentials go only over HTTPS or to a loopback address")
        }
        self.job = job
        self.plan = Plan(job: job)
        self.credentials = credentials
        self.auth = DiscogsAuth(credentials: credentials)
        self.redactor = Redactor(credentials: credentials)
        self.governor = RateGovernor(
            clock: clock, job: job, fingerprint: credentials.fingerprint, environment: options.environment, logger: logger)
        self.policy = RetryPolicy(
            maxAttempts: job.retry.maxAttempts, maxWait: job.retry.maxWait, baseDelay: options.retryBaseDelay,
            random: retryRandom)
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.concurrency = options.concurrency ?? job.concurrency
        self.options = options
        let path = options.outputPath ?? job.outputPath ?? "-"
        do {
            self.resumed = options.resume && path != "-" ? try ResumeState.load(path: path) : nil
        } catch {
            throw RunError.output("\(error)")
        }
        self.writer = try Self.openOutput(path, overwrite: options.overwrite, resume: options.resume)
        var state = State(iterator: plan.makeIterator())
        state.summary.planned = plan.count
        state.summary.truncatedBytes = resumed?.truncatedBytes ?? 0
        state.summary.output = writer.path ?? "standard output"
        self.state = NIOLockedValueBox(state)
    }

    static func openOutput(_ path: String, overwrite: Bool, resume: Bool) throws -> NDJSONWriter {
        if path == "-" { return NDJSONWriter() }
        let manager = FileManager.default
        if manager.fileExists(atPath: path) && !overwrite && !resume {
            throw RunError.output("\(path) exists; pass --overwrite to start it again (or --resume to continue it)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw RunError.output("cannot create the folder \(folder): \(error.localizedDescription)")
            }
        }
        do {
            return try NDJSONWriter(path: path, truncate: overwrite)
        } catch {
            throw RunError.output("\(error)")
        }
    }

    /// A copy of the counters, for progress lines.
    public func snapshot() -> RunSummary {
        state.withLockedValue { $0.summary }
    }

    /// Stops dispatching: requests in flight finish and write their records, nothing new starts.
    public func stop(_ reason: StopReason) {
        state.withLockedValue { state in
            if state.summary.stopped == nil { state.summary.stopped = reason }
        }
    }

    var isStopping: Bool {
        state.withLockedValue { $0.summary.stopped != nil || $0.summary.credentialsRejected != nil || $0.summary.outputFailure != nil }
    }

    /// Runs every planned request; returns the summary (its `exitCode` is the run's).
    public func run() async -> RunSummary {
        let start = clock.now
        let deadline = options.deadline.map { limit in
            Task {
                try await clock.sleep(for: limit)
                stop(.deadline(limit))
            }
        }
        defer { deadline?.cancel() }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, concurrency) {
                    group.addTask { try await self.work() }
                }
                try await group.waitForAll()
            }
        } catch let failure as NDJSONWriter.Failure {
            state.withLockedValue { $0.summary.outputFailure = failure.description }
        } catch is Stopping {
        } catch {
            logger.debug("run stopped early: \(error)")
        }
        writer.sync()
        await governor.finish()
        await transport.shutdown()
        return state.withLockedValue { state in
            state.summary.elapsed = start.duration(to: clock.now)
            return state.summary
        }
    }

    private func next() -> (Int, PlannedRequest)? {
        state.withLockedValue { state in
            while state.summary.stopped == nil, state.summary.credentialsRejected == nil,
                state.summary.outputFailure == nil, let request = state.iterator.next()
            {
                state.seq += 1
                if let shard = options.shard, Plan.shard(of: request.key, count: shard.count) != shard.index {
                    continue
                }
                if request.paginate == nil, resumed?.done[request.key] != nil {
                    state.summary.skipped += 1
                    state.summary.completed += 1
                    continue
                }
                return (state.seq, request)
            }
            return nil
        }
    }

    /// Takes one HTTP request from `--max-requests`; false (and the run stops) when none is left.
    func reserveSend() -> Bool {
        state.withLockedValue { state in
            if state.summary.stopped != nil { return false }
            if let max = options.maxRequests, state.summary.sent >= max {
                state.summary.stopped = .maxRequests(max)
                return false
            }
            state.summary.sent += 1
            return true
        }
    }

    private func work() async throws {
        while let (seq, request) = next() {
            try Task.checkCancellation()
            if request.paginate != nil {
                try await paginate(request, seq: seq)
            } else {
                let outcome = try await fetch(request, url: request.url)
                try finish(request, seq: seq, outcome: outcome, page: nil)
            }
        }
    }

    /// Walks `page=1...` until `pagination.pages`, `max_pages`, an error, or a page that does not advance.
    private func paginate(_ request: PlannedRequest, seq: Int) async throws {
        let maxPages = request.paginate?.maxPages ?? Int.max
        var previous: Int?
        var page = 1
        while true {
            if let done = resumed?.done["\(request.key)/page=\(page)"] {
                state.withLockedValue { $0.summary.skipped += 1 }
                let pages = done.pages ?? page
                if done.failed || page >= pages || page >= maxPages {
                    state.withLockedValue { $0.summary.completed += 1 }
                    return
                }
                page += 1
                previous = nil
                continue
            }
            let separator = request.url.contains("?") ? "&" : "?"
            var outcome = try await fetch(request, url: "\(request.url)\(separator)page=\(page)")
            var pages: Int?
            if let response = outcome.response, (200..<300).contains(response.status), let body = outcome.document {
                let scanner = JSONScanner(body.bytes)
                let pagination = scanner.value(at: ["pagination"], in: body.range)
                pages = pagination.flatMap { scanner.value(at: ["pages"], in: $0) }.flatMap(scanner.integer)
                let reported = pagination.flatMap { scanner.value(at: ["page"], in: $0) }.flatMap(scanner.integer)
                let content = Self.contentHash(body.bytes, excluding: pagination)
                if let reported, reported != page {
                    outcome.failure = ("decode", "pagination did not advance: asked for page \(page), the answer is page \(reported)")
                } else if page > 1, previous != nil, content == previous {
                    outcome.failure = ("decode", "page \(page) repeats page \(page - 1); stopping instead of looping")
                }
                previous = content
            }
            try finish(request, seq: seq, outcome: outcome, page: (page, pages ?? page))
            guard outcome.failure == nil, let pages, page < pages, page < maxPages else { return }
            page += 1
        }
    }

    static func contentHash(_ bytes: [UInt8], excluding range: Range<Int>?) -> Int {
        var hasher = Hasher()
        if let range {
            bytes[..<range.lowerBound].withUnsafeBytes { hasher.combine(bytes: $0) }
            bytes[range.upperBound...].withUnsafeBytes { hasher.combine(bytes: $0) }
        } else {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        return hasher.finalize()
    }
}

extension JobRunner where C == ContinuousClock {
    /// `run()` on the real clock, called from inside this module so that the optimiser compiles the
    /// whole data path (workers, governor, sliding window) for `ContinuousClock` instead of running it
    /// generically through the executable's call (generic metadata lookups and witness calls in the
    /// profile before; specialised frames after).
    public func runOnContinuousClock() async -> RunSummary {
        await run()
    }
}
