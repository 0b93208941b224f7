import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// Issue 15's headline: a collection of 1,000 items listed with `cache: false`, each release fetched
/// by a dependent request with the cache on; the collection grows by 1%; the second run sends exactly
/// the list pages and the new releases, and writes what an uncached run writes, record for record,
/// apart from `cached`, `at`, `ms`, `ratelimit`.
@Suite("Response cache headline", .timeLimit(.minutes(8)))
struct CacheHeadlineTests {
    static let user = SandboxCredentials.demo.username

    static func grow(_ sandbox: Sandbox, by count: Int) async throws {
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let answer = try await transport.send(
            TransportRequest(method: "POST", url: "\(sandbox.baseURL)/_sandbox/collection/grow?count=\(count)", headers: [], body: nil),
            timeout: .seconds(10))
        await transport.shutdown()
        #expect(answer.status == 200)
    }

    static let collection = """
          - name: collection
            path: /users/\(user)/collection/folders/0/releases
            query: {per_page: 100}
            paginate: true
            items: releases
            cache: false
        """

    static func job(cachePath: String) -> String {
        """
        version: 1
        name: headline
        user_agent: "discogs-batch-tests/1.0"
        auth: {mode: token}
        rate: {limit: 100000, window: 1s}
        concurrency: 8
        timeout: 10s
        cache: {max_age: 30d, path: \(cachePath)}
        requests:
        \(collection)
          - name: release
            path: /releases/{release_id}
            foreach: {release_id: {from: collection, select: basic_information.id}}
        """
    }

    /// The release ids of the collection, in order, without repeats (as a dependent foreach takes them).
    static func ids(_ sandbox: Sandbox) async throws -> [Int] {
        let listed = try await Harness.run(
            Harness.job(auth: "{mode: token}", rate: "{limit: 100000, window: 1s}", requests: collection), sandbox: sandbox)
        var seen = Set<Int>()
        return listed.records.compactMap { (($0["item"] as? [String: Any])?["basic_information"] as? [String: Any])?["id"] as? Int }
            .filter { seen.insert($0).inserted }
    }

    static func comparable(_ records: [[String: Any]]) throws -> [String] {
        try records.map { try CacheTests.comparable($0, dropping: ["cached", "at", "ms", "ratelimit"]) }.sorted()
    }

    @Test func secondRunSendsOnlyTheListPagesAndTheNewItems() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cachePath = folder.appendingPathComponent("cache.sqlite").path
        try await Self.grow(sandbox, by: 1000 - 240)

        let before = try await Self.ids(sandbox)
        #expect(before.count >= 940)  // the sandbox user owns every 20th release twice
        var sent = sandbox.stats().requests
        let first = try await Harness.run(Self.job(cachePath: cachePath), sandbox: sandbox)
        #expect(first.summary.exitCode == 0)
        #expect(sandbox.stats().requests - sent == 10 + before.count)

        try await Self.grow(sandbox, by: 10)
        let after = try await Self.ids(sandbox)
        let new = Set(after).subtracting(before)
        #expect(new.count >= 9)
        sent = sandbox.stats().requests
        let second = try await Harness.run(Self.job(cachePath: cachePath), sandbox: sandbox)
        #expect(second.summary.exitCode == 0)
        // 1,010 items: 11 list pages, and the new releases.
        #expect(sandbox.stats().requests - sent == 11 + new.count)
        #expect(second.summary.sent == 11 + new.count)
        #expect(second.summary.cached == before.count)

        let uncached = try await Harness.run(Self.job(cachePath: cachePath), sandbox: sandbox, cacheMode: .off)
        await sandbox.stop()
        #expect(try Self.comparable(second.records) == Self.comparable(uncached.records))
        #expect(second.records.filter { $0["cached"] as? Bool == true }.count == before.count)
    }
}
