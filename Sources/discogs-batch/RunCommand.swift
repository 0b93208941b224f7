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
            records only). An existing output file is never overwritten silently: pass --overwrite to start \
            it again. Logs and the summary go to standard error; a live progress line too when it is a \
            terminal (or with --progress always).

            Exit codes: 0 all requests succeeded · 1 finished, some failed (their lines are written) · \
            2 usage or job file invalid, nothing sent · 3 credentials rejected, stopped early · \
            4 output cannot be written or exists without --overwrite · 130/143 interrupted.
            """
    )

    @Argument(help: ArgumentHelp("The job file.", valueName: "JOB.yaml"))
    var job: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file, or - for standard output.", valueName: "PATH"))
    var output: String?

    @Flag(help: "Start an existing output file again.")
    var overwrite = false

    @Flag(help: "Continue an existing output file (not available yet).")
    var resume = false

    @Flag(help: "Start the built-in Discogs sandbox on a loopback port and run the job against it.")
    var sandbox = false

    @Option(help: "Requests in flight at once (overrides the job's concurrency).")
    var concurrency: Int?

    @Option(help: "Progress line on standard error: auto (when it is a terminal), always or never.")
    var progress: ProgressMode = .auto

    @Flag(help: "Only errors and the exit code; no summary.")
    var quiet = false

    @Flag(help: "Log every request (URLs with credentials masked).")
    var verbose = false

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    func validate() throws {
        if let concurrency, !(1...64).contains(concurrency) {
            throw ValidationError("--concurrency must be from 1 to 64")
        }
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if resume { throw ValidationError("--resume is not available yet; pass --overwrite to start the output again") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : quiet ? .error : .warning
            return handler
        }
        let logger = Logger(label: "discogs-batch")
        let result = JobLoader().load(path: job)
        Console.report(result)
        guard let loaded = result.job else { throw ExitCode(2) }

        var options = RunOptions()
        options.outputPath = output
        options.overwrite = overwrite
        options.concurrency = concurrency
        var server: Sandbox?
        if sandbox {
            let started = try await Sandbox.start(SandboxConfiguration(credentials: .registering(loaded)))
            options.baseURL = started.baseURL
            server = started
            if !quiet { Console.error("discogs-batch: sandbox at \(started.baseURL)") }
        }
        let runner: JobRunner<ContinuousClock>
        let transport = AsyncHTTPTransport(connectionsPerHost: concurrency ?? loaded.concurrency)
        do {
            runner = try JobRunner(
                job: loaded, options: options, transport: transport, clock: ContinuousClock(), logger: logger)
        } catch let error as RunError {
            await transport.shutdown()
            await server?.stop()
            Console.error("discogs-batch: error: \(error)")
            throw ExitCode(error.exitCode)
        }
        let showProgress = progress == .always || (progress == .auto && isatty(2) == 1)
        let progressTask = showProgress ? Task { await ProgressLine.draw(runner) } : nil
        let summary = await runner.run()
        progressTask?.cancel()
        _ = await progressTask?.value
        await server?.stop()
        if !quiet || summary.exitCode > 1 { Console.error(summary.text) }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
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
            let line = "\r\u{1B}[K\(s.completed)/\(s.planned) done · \(String(format: "%.1f", rate)) req/s · \(s.rateLimited) 429s · ETA \(eta)"
            FileHandle.standardError.write(Data(line.utf8))
            try? await Task.sleep(for: .milliseconds(500))
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
