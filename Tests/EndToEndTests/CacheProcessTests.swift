import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The cache shared by processes of the real executable: at once, and killed mid-run.
@Suite("Response cache across processes", .serialized, .timeLimit(.minutes(5)), .enabled(if: CommandLineTests.binaryExists))
struct CacheProcessTests {
    static func job(_ baseURL: String, folder: URL, name: String = "job", count: Int) throws -> String {
        let path = folder.appendingPathComponent("\(name).yaml").path
        try """
            version: 1
            name: cache-processes
            user_agent: "cache-tests/1.0"
            base_url: \(baseURL)
            auth: {mode: token, token: sandbox-demo-token}
            rate: {limit: 100000, window: 1s, shared: false}
            concurrency: 4
            cache: {max_age: 1d, path: \(folder.appendingPathComponent("cache.sqlite").path)}
            requests:
              - name: release
                path: /releases/{id}
                foreach: {id: {range: {from: 1, to: \(count)}}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// key → body (canonical JSON) of an output file.
    static func bodies(_ path: String) throws -> [String: String] {
        var bodies: [String: String] = [:]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let body = try #require(object["body"])
            bodies[try #require(object["key"] as? String)] =
                String(decoding: try JSONSerialization.data(withJSONObject: body, options: .sortedKeys), as: UTF8.self)
        }
        return bodies
    }

    @Test func twoProcessesWritingOneCacheAtOnce() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 3, rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try Self.job(sandbox.baseURL, folder: folder, count: 300)
        let a = folder.appendingPathComponent("a.ndjson").path
        let b = folder.appendingPathComponent("b.ndjson").path
        async let first = Harness.executable(["run", job, "--output", a])
        async let second = Harness.executable(["run", job, "--output", b])
        let (one, two) = try await (first, second)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(two.status == 0, "\(two.stderr)")
        #expect(!one.stderr.contains("cache:"), "\(one.stderr)")
        #expect(!two.stderr.contains("cache:"), "\(two.stderr)")

        // A third run is served whole from the cache, the same bodies as the first runs had.
        let c = folder.appendingPathComponent("c.ndjson").path
        let third = try await Harness.executable(["run", job, "--output", c])
        #expect(third.status == 0)
        #expect(sandbox.stats().requests == one.stderr.sentCount + two.stderr.sentCount)
        #expect(third.stderr.contains("300 served from the cache"), "\(third.stderr)")
        await sandbox.stop()
        let reference = try Self.bodies(a)
        #expect(reference.count == 300)
        #expect(try Self.bodies(b) == reference)
        #expect(try Self.bodies(c) == reference)
        let stats = try await ResponseCache(path: folder.appendingPathComponent("cache.sqlite").path, logger: .init(label: "t")).stats()
        #expect(stats.entries == 300)
    }

    @Test func killedMidRunTheNextRunsHitsAreAllWhole() async throws {
        let sandbox = try await Sandbox.start(
            SandboxConfiguration(seed: 7, rateLimited: false, faults: [try SandboxFault.parse("slow=20ms:0.3")]))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try Self.job(sandbox.baseURL, folder: folder, count: 200)
        let reference = folder.appendingPathComponent("reference.ndjson").path
        let whole = try await Harness.executable(["run", job, "--output", reference, "--no-cache"])
        #expect(whole.status == 0)
        let cachePath = folder.appendingPathComponent("cache.sqlite").path
        #expect(!FileManager.default.fileExists(atPath: cachePath))

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        let crashed = folder.appendingPathComponent("crashed.ndjson").path
        for _ in 0..<12 {
            let run = try ResumeTests().start(["run", job, "--output", crashed, "--overwrite", "--refresh", "--quiet"])
            // The kill lands at a random instant of the run, mid-write included: that is the point.
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            if run.isRunning {
                kill(run.processIdentifier, SIGKILL)
                kills += 1
            }
            await Harness.exit(of: run)
        }
        #expect(kills >= 6)

        let after = folder.appendingPathComponent("after.ndjson").path
        let next = try await Harness.executable(["run", job, "--output", after])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(!next.stderr.contains("cache:"), "\(next.stderr)")
        await sandbox.stop()
        let expected = try Self.bodies(reference)
        let text = try String(contentsOfFile: after, encoding: .utf8)
        var hits = 0
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard object["cached"] as? Bool == true else { continue }
            hits += 1
            let key = try #require(object["key"] as? String)
            let body = String(decoding: try JSONSerialization.data(withJSONObject: try #require(object["body"]), options: .sortedKeys), as: UTF8.self)
            #expect(body == expected[key], "\(key) served from the cache differs from its answer")
        }
        #expect(hits > 0)
        #expect(try Self.bodies(after) == expected)
    }
}

extension String {
    /// `N sent` from a run's summary on standard error.
    var sentCount: Int {
        guard let range = range(of: #"[0-9]+ sent"#, options: .regularExpression) else { return -1 }
        return Int(self[range].split(separator: " ")[0]) ?? -1
    }
}
