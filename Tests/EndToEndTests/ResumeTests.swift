import DiscogsSandbox
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Pipeline-grade runs of the real executable: killed at any instant and resumed, stopped by SIGTERM,
/// by --max-requests, split by --shard — the output always ends as an uninterrupted run's.
@Suite("Resume and stops", .serialized, .timeLimit(.minutes(5)), .enabled(if: CommandLineTests.binaryExists))
struct ResumeTests {
    static let binary = Harness.binary.path

    func job(_ baseURL: String, folder: URL) throws -> String {
        let path = folder.appendingPathComponent("job.yaml").path
        try """
            version: 1
            name: crash
            user_agent: "resume-tests/1.0"
            base_url: \(baseURL)
            auth: {mode: token, token: sandbox-demo-token}
            rate: {limit: 100000, window: 1s}
            concurrency: 3
            retry: {max_attempts: 8, max_wait: 10s}
            requests:
              - name: release
                path: /releases/{id}
                foreach: {id: {range: {from: 1, to: 40}}}
              - name: wants
                path: /users/sandbox_user/wants
                query: {per_page: 10}
                paginate: true
                items: wants
              - name: artist
                path: /artists/{id}/releases
                query: {per_page: 25}
                foreach: {id: [3, 4]}
                paginate: {max_pages: 3}
                items: releases
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Records as comparable text: volatile fields removed.
    static func normalized(_ path: String) throws -> (records: [String: String], lines: Int) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var records: [String: String] = [:]
        var lines = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            lines += 1
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for volatile in ["at", "ms", "attempts", "ratelimit"] { object.removeValue(forKey: volatile) }
            let key = try #require(object["key"] as? String)
            #expect(records[key] == nil, "duplicate key \(key)")
            records[key] = String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
        }
        #expect(text.isEmpty || text.hasSuffix("\n"))
        return (records, lines)
    }

    func start(_ arguments: [String], stderr: Pipe? = nil, state: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DISCOGS_BATCH_STATE_DIR"] = state ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("discogs-batch-state-\(UUID().uuidString)").path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedAtRandomMomentsAndResumedGivesTheUninterruptedRecords() async throws {
        let sandbox = try await Sandbox.start(
            SandboxConfiguration(seed: 11, rateLimited: false, faults: [try SandboxFault.parse("slow=30ms:0.3")]))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try job(sandbox.baseURL, folder: folder)
        let reference = folder.appendingPathComponent("reference.ndjson").path
        let crashed = folder.appendingPathComponent("crashed.ndjson").path

        let whole = try start(["run", job, "--output", reference, "--quiet"])
        await Harness.exit(of: whole)
        #expect(whole.terminationStatus == 0)

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var finished = false
        for _ in 0..<40 where !finished {
            let run = try start(["run", job, "--output", crashed, "--resume", "--quiet"])
            // The kill lands at a random instant of the run: that is the point of the test.
            usleep(UInt32.random(in: 5_000...150_000, using: &generator))
            if run.isRunning {
                kill(run.processIdentifier, SIGKILL)
                kills += 1
            }
            await Harness.exit(of: run)
            finished = run.terminationReason == .exit && run.terminationStatus == 0
        }
        while !finished {
            let run = try start(["run", job, "--output", crashed, "--resume", "--quiet"])
            await Harness.exit(of: run)
            finished = run.terminationStatus == 0
        }
        await sandbox.stop()

        #expect(kills >= 10)
        let expected = try Self.normalized(reference)
        let actual = try Self.normalized(crashed)
        #expect(actual.lines == expected.lines)
        #expect(actual.records == expected.records)
        #expect(expected.lines > 400)
    }

    @Test func sigtermStopsCleanlyWith143AndResumeCompletes() async throws {
        let sandbox = try await Sandbox.start(
            SandboxConfiguration(seed: 5, rateLimited: false, faults: [try SandboxFault.parse("slow=40ms:1")]))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try job(sandbox.baseURL, folder: folder)
        let output = folder.appendingPathComponent("out.ndjson").path
        let errors = Pipe()
        let run = try start(["run", job, "--output", output, "--verbose"], stderr: errors)
        // Wait until the run has sent its first request (the --verbose log says so), then terminate it.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("GET http") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        kill(run.processIdentifier, SIGTERM)
        let handle = errors.fileHandleForReading
        let rest = try await Harness.onOwnThread { handle.readDataToEndOfFile() }
        await Harness.exit(of: run)
        let stderr = String(decoding: seen + rest, as: UTF8.self)
        #expect(run.terminationStatus == 143)
        #expect(stderr.contains("terminated (SIGTERM)"))
        #expect(stderr.contains("planned requests done"))
        let partial = try Self.normalized(output)

        let resumed = try start(["run", job, "--output", output, "--resume", "--quiet"])
        await Harness.exit(of: resumed)
        await sandbox.stop()
        #expect(resumed.terminationStatus == 0)
        let complete = try Self.normalized(output)
        #expect(partial.lines < complete.lines)
        #expect(complete.records.keys.contains("release/id=40"))
        #expect(complete.records.count == complete.lines)
    }

    @Test func maxRequestsStopsWith75AndShardsSplitTheWork() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try job(sandbox.baseURL, folder: folder)
        let whole = folder.appendingPathComponent("whole.ndjson").path
        let stopped = try start(["run", job, "--output", whole, "--max-requests", "7", "--quiet"])
        await Harness.exit(of: stopped)
        #expect(stopped.terminationStatus == 75)
        let resumed = try start(["run", job, "--output", whole, "--resume", "--quiet"])
        await Harness.exit(of: resumed)
        #expect(resumed.terminationStatus == 0)

        var union: [String: String] = [:]
        for k in 1...3 {
            let part = folder.appendingPathComponent("shard\(k).ndjson").path
            let shard = try start(["run", job, "--output", part, "--shard", "\(k)/3", "--quiet"])
            await Harness.exit(of: shard)
            #expect(shard.terminationStatus == 0)
            let records = try Self.normalized(part).records
            #expect(Set(records.keys).isDisjoint(with: union.keys))
            union.merge(records) { a, _ in a }
        }
        await sandbox.stop()
        #expect(union == (try Self.normalized(whole).records))
    }

    /// Three processes with one token share one budget: the server never sees more than the limit
    /// in a window. With `shared: false` each paces only itself, and together they overrun it.
    @Test(arguments: [true, false])
    func threeProcessesShareOneBudget(_ shared: Bool) async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(window: .seconds(2), limitHigh: 10))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = folder.appendingPathComponent("job.yaml").path
        try """
            version: 1
            user_agent: "shared-budget-tests/1.0"
            base_url: \(sandbox.baseURL)
            auth: {mode: token, token: sandbox-demo-token}
            rate: {limit: 10, window: 2s, shared: \(shared)}
            concurrency: 2
            requests:
              - name: release
                path: /releases/{id}
                foreach: {id: {range: {from: 1, to: 12}}}
            """.write(toFile: job, atomically: true, encoding: .utf8)
        let state = folder.appendingPathComponent("state").path
        let runs = try (1...3).map { n in
            try start(["run", job, "--output", folder.appendingPathComponent("out\(n).ndjson").path, "--quiet"], state: state)
        }
        for run in runs { await Harness.exit(of: run) }
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(runs.allSatisfy { $0.terminationStatus == 0 })
        if shared {
            #expect(stats.rateLimited == 0)
            #expect((stats.maxInWindow["high"] ?? 0) <= 10)
            let name = try #require(FileManager.default.contentsOfDirectory(atPath: state).first)
            let file = try Data(contentsOf: URL(fileURLWithPath: "\(state)/\(name)"))
            #expect(name.hasSuffix(".stamps") && file.count % 8 == 0)
            #expect(file.range(of: Data("sandbox-demo-token".utf8)) == nil)
        } else {
            #expect(stats.rateLimited > 0)
        }
    }
}
