import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// Every fault of the sandbox at once over 5,000 requests, items and pagination included, through the
/// real executable: every planned request and every item comes out exactly once, a request fails only
/// after its retries ran out, the exit code says so, and the process's peak memory is that of a run of
/// 1,000 under the same faults (records are streamed, nothing grows with the run).
@Suite(
    "Fault soak", .timeLimit(.minutes(5)), .enabled(if: CommandLineTests.binaryExists),
    .enabled(if: FileManager.default.isExecutableFile(atPath: Harness.gnuTime) || ProcessInfo.processInfo.environment["CI"] == "true"))
struct SoakTests {
    struct Soak {
        var status: Int32
        var peakKiB: Int
        var lines: [String]
        var records: [[String: Any]]
        var stats: SandboxStats
    }

    static let wantPages = 164  // 327 wants, 2 a page

    /// `releases` releases and the whole wantlist against a sandbox with every fault on.
    func soak(releases: Int) async throws -> Soak {
        let faults = try [
            "status=503:0.05", "reset:0.02", "truncate:0.02", "slow=3s:0.02", "retry-after=1:0.002", "steal=100",
        ].map(SandboxFault.parse)
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 11, window: .seconds(1), limitHigh: 600, faults: faults))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = Harness.job(auth: "{mode: token}", rate: "{limit: 600, window: 1s}", concurrency: 8, requests: """
              - name: release
                path: /releases/{id}
                foreach: {id: {range: {from: 1, to: \(releases)}}}
              - name: wants
                path: /users/sandbox_user/wants
                query: {per_page: 2}
                paginate: true
                items: wants
            """)
            .replacingOccurrences(of: "version: 1\n", with: "version: 1\nbase_url: \(sandbox.baseURL)\n")
            .replacingOccurrences(of: "timeout: 5s", with: "timeout: 1s")
            .replacingOccurrences(of: "retry: {max_attempts: 6, max_wait: 30s}", with: "retry: {max_attempts: 8, max_wait: 5m}")
        let jobPath = folder.appendingPathComponent("job.yaml").path
        try job.write(toFile: jobPath, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.ndjson").path
        let run = try await Harness.executablePeakMemory(
            ["run", jobPath, "--output", output, "--quiet"],
            environment: Harness.environment.merging(["DISCOGS_BATCH_STATE_DIR": folder.appendingPathComponent("state").path]) { $1 },
            stdout: folder.appendingPathComponent("stdout").path, stderr: folder.appendingPathComponent("stderr").path)
        let stats = sandbox.stats()
        await sandbox.stop()
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        let records = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        return Soak(status: run.status, peakKiB: run.peakKiB, lines: lines, records: records, stats: stats)
    }

    @Test func fiveThousandRequestsUnderEveryFaultAtOnce() async throws {
        let releases = 4_836  // and 164 pages of wants: 5,000 requests in all
        let small = try await soak(releases: 836)
        let outcome = try await soak(releases: releases)

        let failed = outcome.records.filter { $0["status"] as? Int != 200 }
        #expect(failed.allSatisfy { $0["attempts"] as? Int == 8 }, "\(failed.prefix(3))")
        #expect(outcome.status == (failed.isEmpty ? 0 : 1))
        #expect(outcome.stats.requests > 5_300)
        for kind in ["status", "reset", "truncate", "slow", "retry-after"] {  // every fault did fire
            #expect((outcome.stats.faults[kind] ?? 0) > 0, "\(kind)")
        }

        let releaseKeys = outcome.records.compactMap { $0["request"] as? String == "release" ? $0["key"] as? String : nil }
        #expect(releaseKeys.count == releases && Set(releaseKeys).count == releases)
        let wants = outcome.records.filter { $0["request"] as? String == "wants" }
        let ids = wants.compactMap { ($0["item"] as? [String: Any])?["id"] as? Int }
        let lostPages = wants.filter { $0["item_index"] == nil }.count  // pages that failed for good
        #expect(Set(ids).count == ids.count)  // no item twice
        #expect(lostPages == 0 ? ids.count == 327 : ids.count >= 327 - 2 * lostPages)
        #expect(Set(wants.compactMap { $0["page"] as? Int }) == Set(1...Self.wantPages))
        #expect(try Harness.schemaProblems(outcome.lines) == nil)

        // Five times the requests, the same memory: at most 4 MiB more than the run of 1,000. Not under a
        // sanitizer (.ci/sanitizers sets its options): ASan's quarantine keeps freed memory by the
        // hundreds of megabytes, and TSan's shadow memory follows what was ever touched.
        #expect(small.records.count >= 1_000)
        let environment = ProcessInfo.processInfo.environment
        if environment["ASAN_OPTIONS"] == nil, environment["TSAN_OPTIONS"] == nil {
            #expect(outcome.peakKiB <= small.peakKiB + 4_096, "peak \(outcome.peakKiB) KiB against \(small.peakKiB) KiB for 1,000")
        }
        print("soak peak memory: \(small.peakKiB) KiB for 1,000 requests, \(outcome.peakKiB) KiB for 5,000")
    }

    /// Peak memory of fast requests under the longest attempt timeout: nothing of a finished attempt
    /// may wait for its timeout to pass (a cancelled `Task.sleep` racing each exchange held its task
    /// and timer until the deadline, one per request: about 0.6 KiB each, 12 MiB over 20,000).
    func fastRun(releases: Int) async throws -> (status: Int32, peakKiB: Int, stderr: String) {
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 5, limitHigh: 1_000_000, rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = Harness.job(auth: "{mode: token}", rate: "{limit: 100000, window: 1s, shared: false}", concurrency: 8, requests: """
              - name: release
                path: /releases/{id}
                foreach: {id: {range: {from: 1, to: \(releases)}}}
            """)
            .replacingOccurrences(of: "version: 1\n", with: "version: 1\nbase_url: \(sandbox.baseURL)\n")
            .replacingOccurrences(of: "timeout: 5s", with: "timeout: 1h")
        let jobPath = folder.appendingPathComponent("job.yaml").path
        try job.write(toFile: jobPath, atomically: true, encoding: .utf8)
        let run = try await Harness.executablePeakMemory(
            ["run", jobPath, "--output", folder.appendingPathComponent("out.ndjson").path, "--quiet"],
            environment: Harness.environment,
            stdout: folder.appendingPathComponent("stdout").path, stderr: folder.appendingPathComponent("stderr").path)
        await sandbox.stop()
        return (run.status, run.peakKiB, try String(contentsOfFile: folder.appendingPathComponent("stderr").path, encoding: .utf8))
    }

    @Test func aFinishedAttemptHoldsNothingUntilItsTimeout() async throws {
        let small = try await fastRun(releases: 2_000)
        let large = try await fastRun(releases: 20_000)
        #expect(small.status == 0, "\(small.stderr)")
        #expect(large.status == 0, "\(large.stderr)")
        let environment = ProcessInfo.processInfo.environment
        if environment["ASAN_OPTIONS"] == nil, environment["TSAN_OPTIONS"] == nil {
            #expect(large.peakKiB <= small.peakKiB + 4_096, "peak \(large.peakKiB) KiB against \(small.peakKiB) KiB for 2,000")
        }
    }
}
