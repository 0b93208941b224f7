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
    /// Per source request: the dependent requests that take values from its records.
    let consumers: ResumeState.Consumers
    /// The response cache (JobRunner+Cache.swift); nil when the job caches nothing or with --no-cache.
    let cache: ResponseCache?
    let state: NIOLockedValueBox<State>

    struct State: @unchecked Sendable {  // only ever touched under `state`'s lock
        var queue: WorkQueue
        var summary = RunSummary()
        var sawSuccess = false
        /// Bumped whenever the queue may have something new; a worker waits only on the generation it saw.
        var generation = 0
        var waiters: [(generation: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// Dependent requests already warned of a `select` that found objects or lists.
        var warnedNotScalar: Set<Int> = []
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
        if credentials != Credentials.none, let refusal = TransportSecurity.credentialsRefusal(to: job.baseURL) {
            throw RunError.invalid("\(job.file): \(refusal)")
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
        self.consumers = Self.consumers(of: job)
        do {
            self.resumed = options.resume && path != "-" ? try ResumeState.load(path: path, consumers: consumers) : nil
        } catch {
            throw RunError.output("\(error)")
        }
        self.writer = try Self.openOutput(path, overwrite: options.overwrite, resume: options.resume)
        self.cache = Self.makeCache(job: job, options: options, logger: logger)
        var state = State(queue: WorkQueue(job: job, shard: options.shard, resumed: resumed))
        state.summary.planned = state.queue.counts.planned
        state.summary.growing = state.queue.isGrowing
        state.summary.missingValues = resumed?.missingValues ?? 0
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
        let waiters = state.withLockedValue { state in
            if state.summary.stopped == nil { state.summary.stopped = reason }
            return state.wakeAll()
        }
        for waiter in waiters { waiter.resume() }
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
        await cache?.close()
        await governor.finish()
        await transport.shutdown()
        return state.withLockedValue { state in
            state.summary.elapsed = start.duration(to: clock.now)
            return state.summary
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

    /// One worker: takes items from the queue until it is done or the run stops.
    private func work() async throws {
        while let item = try await nextItem() {
            do {
                try Task.checkCancellation()
                let report = try await RequestLogContext.$key.withValue(item.request.key) { try await perform(item) }
                let waiters = state.withLockedValue { state in
                    state.queue.finished(item, report)
                    state.fold()
                    return state.wakeAll()
                }
                for waiter in waiters { waiter.resume() }
            } catch {
                let waiters = state.withLockedValue { state in
                    state.queue.abandoned(item)
                    return state.wakeAll()
                }
                for waiter in waiters { waiter.resume() }
                throw error
            }
        }
    }

    /// The next item, waiting while items in flight may still make more; nil when the run is over.
    private func nextItem() async throws -> WorkQueue.Item? {
        while true {
            let step = state.withLockedValue { state -> (WorkQueue.Next, Int) in
                if state.summary.stopped != nil || state.summary.credentialsRejected != nil || state.summary.outputFailure != nil {
                    return (.done, state.generation)
                }
                let next = state.queue.next()
                state.fold()
                return (next, state.generation)
            }
            switch step.0 {
            case .work(let item): return item
            case .done: return nil
            case .wait:
                try Task.checkCancellation()
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let now = state.withLockedValue { state -> Bool in
                            guard state.generation == step.1, !Task.isCancelled else { return true }
                            state.waiters.append((step.1, continuation))
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: {
                    for waiter in state.withLockedValue({ $0.wakeAll() }) { waiter.resume() }
                }
            }
        }
    }

    /// Fetches one item, checks its page, writes its records and says what it gave.
    private func perform(_ item: WorkQueue.Item) async throws -> WorkQueue.Report {
        var url = item.request.url
        if let page = item.page { url += "\(url.contains("?") ? "&" : "?")page=\(page)" }
        var outcome = try await fetch(item.request, url: url)
        var pages: Int?
        if let page = item.page, let response = outcome.response, (200..<300).contains(response.status),
            let body = outcome.document
        {
            let scanner = JSONScanner(body.bytes)
            let pagination = scanner.value(at: ["pagination"], in: body.range)
            pages = pagination.flatMap { scanner.value(at: ["pages"], in: $0) }.flatMap(scanner.integer)
            let reported = pagination.flatMap { scanner.value(at: ["page"], in: $0) }.flatMap(scanner.integer)
            if let reported, reported != page {
                outcome.failure = RecordFailure(.decode, "pagination did not advance: asked for page \(page), the answer is page \(reported)")
            }
        }
        return try finish(item, outcome: outcome, pages: pages)
    }

    /// Per source request name, the dependent requests that take values from it.
    static func consumers(of job: Job) -> ResumeState.Consumers {
        var consumers: ResumeState.Consumers = [:]
        for (index, request) in job.requests.enumerated() {
            if let dependency = request.dependency { consumers[dependency.from, default: []].append((index, dependency.select)) }
        }
        return consumers
    }
}

extension JobRunner.State {
    /// Everyone waiting, to be resumed outside the lock, and a new generation.
    mutating func wakeAll() -> [CheckedContinuation<Void, Never>] {
        generation += 1
        defer { waiters = [] }
        return waiters.map(\.continuation)
    }

    /// The queue's counters into the summary.
    mutating func fold() {
        summary.planned = queue.counts.planned
        summary.completed = queue.counts.completed
        summary.failed = queue.counts.failed
        summary.skipped = queue.counts.skipped
        summary.growing = queue.isGrowing
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
