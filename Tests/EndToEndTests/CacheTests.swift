import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// The response cache against the sandbox, asserting on the sandbox's own request count.
@Suite("Response cache", .timeLimit(.minutes(5)))
struct CacheTests {
    /// A record without the fields a hit may change (SPEC §3: `cached`, `ms`), as canonical JSON.
    static func comparable(_ record: [String: Any], dropping: Set<String> = ["cached", "ms"]) throws -> String {
        let kept = record.filter { !dropping.contains($0.key) }
        return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
    }

    static func job(cachePath: String, auth: String = "{mode: token}", requests: String) -> String {
        """
        version: 1
        name: cache-e2e
        user_agent: "discogs-batch-tests/1.0"
        auth: \(auth)
        rate: {limit: 100000, window: 1s}
        concurrency: 4
        timeout: 5s
        cache: {max_age: 1d, path: \(cachePath)}
        requests:
        \(requests)
        """
    }

    static let requests = """
          - name: release
            path: /releases/{id}
            foreach: {id: [1, 249504, 17]}
          - name: wants
            path: /users/sandbox_user/wants
            query: {per_page: 50}
            paginate: {max_pages: 3}
            items: wants
          - name: identity
            path: /oauth/identity
            cache: false
        """

    @Test func hitsMissesRefreshAndNoCache() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = Self.job(cachePath: folder.appendingPathComponent("c/cache.sqlite").path, requests: Self.requests)

        // First run: every request sent (3 releases, 3 pages, identity).
        let first = try await Harness.run(yaml, sandbox: sandbox)
        #expect(first.summary.exitCode == 0)
        #expect(first.summary.sent == 7)
        #expect(first.summary.cached == 0)
        #expect(sandbox.stats().requests == 7)
        #expect(first.records.allSatisfy { $0["cached"] == nil })

        // Second run: only identity (cache: false) is sent; the rest are hits, the same records.
        let second = try await Harness.run(yaml, sandbox: sandbox)
        #expect(second.summary.exitCode == 0)
        #expect(second.summary.sent == 1)
        #expect(second.summary.cached == 6)
        #expect(sandbox.stats().requests == 8)
        #expect(second.records.count == first.records.count)
        let again = Dictionary(uniqueKeysWithValues: second.records.map { ($0["key"] as? String ?? "", $0) })
        for a in first.records where a["request"] as? String != "identity" {
            let b = try #require(again[a["key"] as? String ?? ""])
            #expect(b["cached"] as? Bool == true)
            #expect(b["ms"] as? Int == 0)
            #expect(try Self.comparable(a) == Self.comparable(b))
        }
        // Lines byte for byte (bodies included) once `cached` and `ms` are taken out.
        let strip = { (line: String) in
            line.replacingOccurrences(of: #","cached":true"#, with: "")
                .replacingOccurrences(of: #","ms":[0-9]+"#, with: "", options: .regularExpression)
        }
        let identity = #""request":"identity""#
        #expect(Set(first.lines.filter { !$0.contains(identity) }.map(strip)) == Set(second.lines.filter { !$0.contains(identity) }.map(strip)))
        #expect(try Harness.schemaProblems(second.lines) == nil)

        // --refresh: nothing read, everything sent (and stored again).
        let refreshed = try await Harness.run(yaml, sandbox: sandbox, cacheMode: .refresh)
        #expect(refreshed.summary.sent == 7)
        #expect(refreshed.summary.cached == 0)
        #expect(sandbox.stats().requests == 15)
        // --no-cache: nothing read, nothing written.
        let uncached = try await Harness.run(yaml, sandbox: sandbox, cacheMode: .off)
        #expect(uncached.summary.sent == 7)
        #expect(sandbox.stats().requests == 22)
        // The refreshed answers are served now: their `at` is the refresh run's.
        let last = try await Harness.run(yaml, sandbox: sandbox)
        #expect(last.summary.sent == 1)
        #expect(sandbox.stats().requests == 23)
        let refreshedAt = refreshed.records.first { $0["key"] as? String == "release/id=1" }?["at"] as? String
        #expect(last.records.first { $0["key"] as? String == "release/id=1" }?["at"] as? String == refreshedAt)
        await sandbox.stop()
    }

    @Test func errorsAndWritesAreNeverStored() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = Self.job(cachePath: folder.appendingPathComponent("cache.sqlite").path, requests: """
              - name: missing
                path: /releases/{id}
                foreach: {id: [999999999]}
              - name: want
                method: PUT
                path: /users/sandbox_user/wants/{id}
                foreach: {id: [3]}
            """)
        _ = try await Harness.run(yaml, sandbox: sandbox)
        let second = try await Harness.run(yaml, sandbox: sandbox)
        #expect(second.summary.sent == 2)
        #expect(second.summary.cached == 0)
        #expect(sandbox.stats().requests == 4)
        await sandbox.stop()
        let stats = try await ResponseCache(path: folder.appendingPathComponent("cache.sqlite").path, logger: .init(label: "t")).stats()
        #expect(stats.entries == 0)
    }

    @Test func aCredentialOfAnotherUserDoesNotReadTheCache() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cache.sqlite").path
        let releases = "  - {name: release, path: \"/releases/{id}\", foreach: {id: [1, 2]}}"
        _ = try await Harness.run(Self.job(cachePath: path, auth: "{mode: token}", requests: releases), sandbox: sandbox)
        let other = try await Harness.run(Self.job(cachePath: path, auth: "{mode: none}", requests: releases), sandbox: sandbox)
        #expect(other.summary.sent == 2)
        let same = try await Harness.run(Self.job(cachePath: path, auth: "{mode: none}", requests: releases), sandbox: sandbox)
        #expect(same.summary.sent == 0)
        #expect(sandbox.stats().requests == 4)
        await sandbox.stop()
    }

    /// The cache is off for this run, with one warning: the run itself succeeds, uncached.
    @Test func aDamagedCacheNeverFailsARun() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cache.sqlite").path
        try Data(repeating: 0x42, count: 10_000).write(to: URL(fileURLWithPath: path))
        let outcome = try await Harness.run(Self.job(cachePath: path, requests: Self.requests), sandbox: sandbox)
        #expect(outcome.summary.exitCode == 0)
        #expect(outcome.summary.sent == 7)
        await sandbox.stop()
    }
}
