import DiscogsBatch
import DiscogsSandbox
import Foundation
import Logging
import Testing

/// Runs jobs through the library against an in-process sandbox, and the real executable as a process.
enum Harness {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The sandbox's demo credentials as the environment a job reads them from.
    static let environment: [String: String] = [
        "DISCOGS_TOKEN": SandboxCredentials.demo.token,
        "DISCOGS_CONSUMER_KEY": SandboxCredentials.demo.consumerKey,
        "DISCOGS_CONSUMER_SECRET": SandboxCredentials.demo.consumerSecret,
        "DISCOGS_ACCESS_TOKEN": SandboxCredentials.demo.accessToken,
        "DISCOGS_ACCESS_TOKEN_SECRET": SandboxCredentials.demo.accessTokenSecret,
    ]

    static var secrets: [String] { Array(environment.values) }

    /// The executable `swift test` built beside this test bundle (so a `--sanitize` build's own, under
    /// its scratch path), else `.build/debug`'s.
    static let binary: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("discogs-batch")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : root.appendingPathComponent(".build/debug/discogs-batch")
    }()

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("discogs-batch-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Outcome {
        var summary: RunSummary
        var lines: [String]
        var records: [[String: Any]]
        var output: String
    }

    /// Loads `yaml` (with the sandbox's base URL and the demo credentials), runs it, reads the output.
    static func run(
        _ yaml: String, sandbox: Sandbox, environment: [String: String] = environment,
        concurrency: Int? = nil, transport: (any HTTPTransport)? = nil, cacheMode: CacheMode = .normal
    ) async throws -> Outcome {
        try await run(
            yaml, baseURL: sandbox.baseURL, environment: environment, concurrency: concurrency, transport: transport,
            cacheMode: cacheMode)
    }

    /// `run(_:sandbox:)` against any loopback server (a `ReplayServer` of recorded answers).
    static func run(
        _ yaml: String, baseURL: String, environment: [String: String] = environment,
        concurrency: Int? = nil, transport: (any HTTPTransport)? = nil, cacheMode: CacheMode = .normal
    ) async throws -> Outcome {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let jobPath = folder.appendingPathComponent("job.yaml").path
        try yaml.write(toFile: jobPath, atomically: true, encoding: .utf8)
        let job = try JobLoader.withCredentialStore(environment: environment).load(path: jobPath).get()
        var options = RunOptions()
        options.baseURL = baseURL
        options.outputPath = folder.appendingPathComponent("out.ndjson").path
        options.concurrency = concurrency
        options.retryBaseDelay = .milliseconds(20)
        options.cacheMode = cacheMode
        // Each run its own shared-budget folder: parallel tests must not pace one another.
        options.environment = ["DISCOGS_BATCH_STATE_DIR": folder.appendingPathComponent("state").path]
        var logger = Logger(label: "e2e")
        logger.logLevel = .critical
        let transport = transport ?? HTTPClientTransport(connectionsPerHost: concurrency ?? job.concurrency)
        let runner: JobRunner<ContinuousClock>
        do {
            runner = try JobRunner(job: job, options: options, transport: transport, clock: ContinuousClock(), logger: logger)
        } catch {
            await transport.shutdown()
            throw error
        }
        let summary = await runner.run()
        let output = (try? String(contentsOfFile: options.outputPath!, encoding: .utf8)) ?? ""
        let lines = output.split(separator: "\n").map(String.init)
        let records = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        return Outcome(summary: summary, lines: lines, records: records, output: output)
    }

    /// A job header pointing nowhere in particular: the run's base URL comes from the sandbox.
    static func job(auth: String = "{mode: none}", rate: String = "", concurrency: Int = 2, requests: String) -> String {
        """
        version: 1
        name: e2e
        user_agent: "discogs-batch-tests/1.0"
        auth: \(auth)
        \(rate.isEmpty ? "" : "rate: \(rate)")
        concurrency: \(concurrency)
        timeout: 5s
        retry: {max_attempts: 6, max_wait: 30s}
        requests:
        \(requests)
        """
    }

    /// Runs `body` on a thread of its own and returns its result. The waits on child processes go
    /// there: Swift Concurrency has as many threads as cores (two here), and a test that blocks one in
    /// `waitUntilExit` while its child talks to an in-process sandbox, whose handlers need them, can
    /// leave none for the sandbox when two such tests overlap; the child then never gets an answer.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Waits, off Swift Concurrency's threads (see `onOwnThread`), until `process` has exited.
    static func exit(of process: Process) async {
        struct Waiting: @unchecked Sendable { let process: Process }  // only waited on, from that one thread
        let waiting = Waiting(process: process)
        _ = try? await onOwnThread { waiting.process.waitUntilExit() }
    }

    /// Runs the built executable with arguments; returns exit status, stdout and stderr.
    /// Variables named in `removing` are taken out of the inherited environment.
    static func executable(
        _ arguments: [String], environment: [String: String] = [:], removing: [String] = []
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await onOwnThread { try executableBlocking(arguments, environment: environment, removing: removing) }
    }

    private static func executableBlocking(
        _ arguments: [String], environment: [String: String], removing: [String]
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DISCOGS_BATCH_STATE_DIR"] = FileManager.default.temporaryDirectory
            .appendingPathComponent("discogs-batch-state-\(UUID().uuidString)").path
        for (k, v) in environment { env[k] = v }
        for name in removing { env.removeValue(forKey: name) }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// GNU time, which reports the peak memory of the process it runs (Debian's `time`; `.ci/run` installs it).
    static let gnuTime = "/usr/bin/time"

    /// Runs the built executable under GNU time, standard input from /dev/null and its output and errors
    /// written to files; returns its exit status and its peak resident memory in KiB.
    ///
    /// Not wait4's `ru_maxrss` of a child spawned from here: posix_spawn starts the child in this
    /// process's memory, and Linux keeps that high-water mark across exec, so every child would seem as
    /// big as this test process. GNU time forks the executable from a process of a few hundred KiB.
    static func executablePeakMemory(
        _ arguments: [String], environment: [String: String], stdout: String, stderr: String
    ) async throws -> (status: Int32, peakKiB: Int) {
        try await onOwnThread { try executablePeakMemoryBlocking(arguments, environment: environment, stdout: stdout, stderr: stderr) }
    }

    private static func executablePeakMemoryBlocking(
        _ arguments: [String], environment: [String: String], stdout: String, stderr: String
    ) throws -> (status: Int32, peakKiB: Int) {
        let report = stderr + ".rss"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuTime)
        process.arguments = ["-f", "%M", "-o", report, binary.path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        guard FileManager.default.createFile(atPath: stdout, contents: nil), FileManager.default.createFile(atPath: stderr, contents: nil)
        else { throw CocoaError(.fileWriteUnknown) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        try process.run()
        process.waitUntilExit()
        let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
        return (process.terminationStatus, lines.last.flatMap { Int($0) } ?? -1)
    }

    /// Validates NDJSON records against schemas/record.schema.json with check-jsonschema (all lines in
    /// one call, through a wrapping array schema). Returns nil when valid, else the tool's report.
    static func schemaProblems(_ lines: [String]) throws -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        guard let tool = paths.map({ "\($0)/check-jsonschema" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { return "check-jsonschema is not installed" }
            return nil
        }
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let recordSchema = try JSONSerialization.jsonObject(
            with: Data(contentsOf: root.appendingPathComponent("schemas/record.schema.json"))) as! [String: Any]
        var items = recordSchema
        items.removeValue(forKey: "$schema")
        items.removeValue(forKey: "$id")
        let wrapper: [String: Any] = [
            "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array", "items": items,
        ]
        let schemaPath = folder.appendingPathComponent("schema.json").path
        try JSONSerialization.data(withJSONObject: wrapper).write(to: URL(fileURLWithPath: schemaPath))
        let dataPath = folder.appendingPathComponent("records.json").path
        try Data("[\(lines.joined(separator: ","))]".utf8).write(to: URL(fileURLWithPath: dataPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--schemafile", schemaPath, dataPath]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let report = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : String(decoding: report, as: UTF8.self)
    }
}
