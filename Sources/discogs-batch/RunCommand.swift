import ArgumentParser
import DiscogsBatch
import DiscogsSandbox
import Foundation
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job: send its requests, paced and retried, and write one NDJSON record per outcome.",
        discussion: """
            Records go to --output, else the job's output.path, else standard output (which then carries \
            records only). An existing output file is never overwritten or appended to silently: pass \
            --overwrite to start it again or --resume to continue it (a torn tail is dropped, complete \
            records are kept, only what is missing is sent). Logs and the summary go to standard error; \
            a live progress line too when it is a terminal (or with --progress always). SIGINT/SIGTERM \
            stop dispatching and give requests in flight --grace to finish; a second signal stops at once.

            Exit codes: 0 all requests succeeded · 1 finished, some failed (their lines are written) · \
            2 usage or job file invalid, nothing sent · 3 credentials rejected, stopped early · \
            4 output cannot be written, or exists without --resume/--overwrite · 75 stopped by \
            --deadline or --max-requests, resumable · 130/143 interrupted by SIGINT/SIGTERM, resumable.
            """
    )

    @Argument(help: ArgumentHelp("The job file.", valueName: "JOB.yaml"))
    var job: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file, or - for standard output.", valueName: "PATH"))
    var output: String?

    @Flag(help: "Start an existing output file again.")
    var overwrite = false

    @Flag(help: "Continue the output file: keep its complete records, drop a torn tail, send only what is missing. Without a file yet, simply start.")
    var resume = false

    @Option(help: ArgumentHelp("Stop after this many HTTP requests (exit 75, resumable).", valueName: "N"))
    var maxRequests: Int?

    @Option(help: ArgumentHelp("Stop dispatching after this long, e.g. 50m (exit 75, resumable).", valueName: "DURATION"))
    var deadline: String?

    @Option(help: ArgumentHelp("On SIGINT/SIGTERM, let requests in flight finish for this long (default 10s).", valueName: "DURATION"))
    var grace: String = "10s"

    @Option(help: ArgumentHelp("Run only shard K of N (1-based), chosen by a hash of each request's key.", valueName: "K/N"))
    var shard: String?

    @Flag(help: "Start the built-in Discogs sandbox on a loopback port and run the job against it.")
    var sandbox = false

    @Option(help: "Requests in flight at once (overrides the job's concurrency).")
    var concurrency: Int?

    @Option(help: "Progress line on standard error: auto (when it is a terminal), always or never.")
    var progress: ProgressMode = .auto

    @Flag(help: "Read nothing from the response cache; still store the new answers.")
    var refresh = false

    @Flag(name: .customLong("no-cache"), help: "Neither read nor write the response cache.")
    var noCache = false

    @Flag(help: "Only errors and the exit code; no summary.")
    var quiet = false

    @Flag(help: "Log every request (URLs with credentials masked).")
    var verbose = false

    @Option(help: ArgumentHelp(
        "Write one JSON object describing the run (schemas/summary.schema.json) to PATH at the end, on every exit path; - for the last line of standard error.",
        valueName: "PATH"))
    var summaryJson: String?

    @Option(help: ArgumentHelp(
        "Write Prometheus metrics of the run to PATH for node_exporter's textfile collector (a temporary file renamed into place).",
        valueName: "PATH"))
    var metricsFile: String?

    @Option(help: "Log lines on standard error: text, or json (one object per line: at, level, label, message, key).")
    var logFormat: LogFormat = .text

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        for (flag, path) in [("--summary-json", summaryJson), ("--metrics-file", metricsFile)] {
            guard let path, path != "-" || flag == "--summary-json" else { continue }
            if let problem = Self.unwritableFolder(of: path) { throw ValidationError("\(flag): \(problem)") }
        }
        do {
            try checkOptions()
        } catch let error as ValidationError {
            var summary = RunSummary()
            summary.startedAt = Date().timeIntervalSince1970
            summary.notStarted = .invalid("usage: \(error.message)")
            writeReports(summary)
            throw error
        }
    }

    func checkOptions() throws {
        if let concurrency, !(1...64).contains(concurrency) {
            throw ValidationError("--concurrency must be from 1 to 64")
        }
        if refresh && noCache { throw ValidationError("--refresh and --no-cache exclude each other") }
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if resume && output == "-" { throw ValidationError("--resume needs an output file, not standard output") }
        if let maxRequests, maxRequests < 1 { throw ValidationError("--max-requests must be at least 1") }
        if let deadline, Duration(parsing: deadline) == nil {
            throw ValidationError("--deadline: expected a duration such as 30s, 10m or 1h, found \"\(deadline)\"")
        }
        if Duration(parsing: grace) == nil {
            throw ValidationError("--grace: expected a duration such as 500ms, 10s or 1m, found \"\(grace)\"")
        }
        if let shard, Self.parseShard(shard) == nil {
            throw ValidationError("--shard: expected K/N with 1 ≤ K ≤ N, e.g. 2/4, found \"\(shard)\"")
        }
    }

    func run() async throws {
        var report = RunSummary()
        report.startedAt = Date().timeIntervalSince1970
        let result = JobLoader.withCredentialStore().load(path: job)
        bootstrapLogging(job: result.job)
        let logger = Logger(label: "discogs-batch")
        reportDiagnostics(result, logger: logger)
        guard let loaded = result.job else {
            report.identify(jobFile: job, name: nil)
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            report.notStarted = .invalid("\(job): the job file is invalid (\(errors) error\(errors == 1 ? "" : "s"))")
            writeReports(report)
            throw ExitCode(2)
        }
        report.identify(jobFile: job, name: loaded.name)

        var options = RunOptions()
        options.outputPath = output
        options.overwrite = overwrite
        options.concurrency = concurrency
        options.resume = resume
        options.maxRequests = maxRequests
        options.deadline = deadline.flatMap { Duration(parsing: $0) }
        options.shard = shard.flatMap(Self.parseShard)
        options.cacheMode = noCache ? .off : refresh ? .refresh : .normal
        var server: Sandbox?
        if sandbox {
            let started = try await Sandbox.start(SandboxConfiguration(credentials: .registering(loaded)))
            options.baseURL = started.baseURL
            server = started
            if !quiet { logInfo("discogs-batch: sandbox at \(started.baseURL)") }
        }
        let runner: JobRunner<ContinuousClock>
        let transport = try HTTPClientTransport.forCommand(connectionsPerHost: concurrency ?? loaded.concurrency)
        do {
            runner = try JobRunner(
                job: loaded, options: options, transport: transport, clock: ContinuousClock(), logger: logger)
        } catch let error as RunError {
            await transport.shutdown()
            await server?.stop()
            logError("discogs-batch: error: \(error)", logger: logger)
            report.notStarted = error
            report.output = options.outputPath ?? loaded.outputPath ?? "standard output"
            writeReports(report)
            throw ExitCode(error.exitCode)
        }
        let showProgress = progress == .always || (progress == .auto && isatty(2) == 1)
        let progressTask = showProgress ? Task { await ProgressLine.draw(runner) } : nil
        let waiter = SignalWaiter(signals: [SIGINT, SIGTERM])
        let running = Task { await runner.runOnContinuousClock() }
        let identity = report
        let signals = Task {
            await runner.handleStopSignals(
                waiter.numbers, running: running, grace: Duration(parsing: grace) ?? .seconds(10), say: { logInfo($0) }
            ) { first in
                var summary = runner.snapshot()
                summary.adopt(identity)
                summary.elapsed = .milliseconds(Int64((Date().timeIntervalSince1970 - identity.startedAt) * 1000))
                writeReports(summary)
                _exit(128 + first)
            }
        }
        var summary = await running.value
        signals.cancel()
        progressTask?.cancel()
        _ = await progressTask?.value
        await server?.stop()
        summary.adopt(identity)
        if !quiet || summary.exitCode > 1 { logInfo(summary.text) }
        writeReports(summary)
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

extension RunCommand {
    /// `K/N` → 0-based shard index and count.
    static func parseShard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else { return nil }
        return (k - 1, n)
    }
}

extension SandboxCredentials {
    /// The sandbox's demo credentials, with the job's own values registered in their place, so any
    /// job runs unchanged under --sandbox.
    static func registering(_ job: Job) -> SandboxCredentials {
        var credentials = SandboxCredentials.demo
        if let token = job.auth.token { credentials.token = token }
        if let key = job.auth.consumerKey { credentials.consumerKey = key }
        if let secret = job.auth.consumerSecret { credentials.consumerSecret = secret }
        if let token = job.auth.accessToken { credentials.accessToken = token }
        if let secret = job.auth.accessTokenSecret { credentials.accessTokenSecret = secret }
        if let username = job.vars["username"] ?? job.vars["seller"] { credentials.username = username }
        return credentials
    }
}

/// `done/total · rate · 429s · ETA` redrawn on standard error twice a second.
enum ProgressLine {
    static func draw<C: Clock>(_ runner: JobRunner<C>) async where C.Duration == Duration {
        let start = ContinuousClock.now
        while !Task.isCancelled {
            let s = runner.snapshot()
            let seconds = Double((ContinuousClock.now - start).milliseconds) / 1000
            let rate = seconds > 0 ? Double(s.sent) / seconds : 0
            let left = max(0, s.planned - s.completed)
            let eta = rate > 0 && s.completed > 0 ? "\(Int(Double(left) * seconds / Double(s.completed)))s" : "?"
            let line = "\r\u{1B}[K\(s.completed)/\(s.planned)\(s.growing ? "+" : "") done · \(String(format: "%.1f", rate)) req/s · \(s.rateLimited) 429s · ETA \(eta)"
            FileHandle.standardError.write(Data(line.utf8))
            try? await Task.sleep(for: .milliseconds(500))
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
