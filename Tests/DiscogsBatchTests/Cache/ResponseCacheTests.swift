import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLiteNIO
import Testing
@testable import DiscogsBatch

/// Collects warnings, so tests can assert on "one warning".
final class WarningLog: LogHandler, @unchecked Sendable {
    let lines = NIOLockedValueBox<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        lines.withLockedValue { $0.append("\(event.message)") }
    }
    var logger: Logger { Logger(label: "test") { _ in self } }
}

/// A clock the tests move by hand, for `max_age`.
final class ManualNow: Sendable {
    let value = NIOLockedValueBox(1_800_000_000.0)
    func advance(_ seconds: Double) { value.withLockedValue { $0 += seconds } }
    var closure: @Sendable () -> Double { { self.value.withLockedValue { $0 } } }
}

@Suite("Response cache store")
struct ResponseCacheTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cache-tests-\(UUID().uuidString)").path
        return path
    }

    static func entry(_ n: Int, size: Int = 100) -> CacheEntry {
        let filler = String(repeating: "x", count: max(0, size - 20))
        return CacheEntry(
            request: n % 2 == 0 ? "even" : "odd", url: "https://api.discogs.com/releases/\(n)", status: 200, attempts: 1,
            at: 1_800_000_000 + Double(n), rateLimit: Record.RateLimit(limit: 60, used: n % 60, remaining: 60 - n % 60),
            body: Array(#"{"id":\#(n),"f":"\#(filler)"}"#.utf8))
    }

    static func key(_ n: Int) -> CacheKey {
        CacheKey(method: "GET", url: "https://api.discogs.com/releases/\(n)", accept: "a", fingerprint: "f")
    }

    @Test func storedEntryComesBackWholeWithItsAtAndRateLimit() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = ManualNow()
        let cache = ResponseCache(path: "\(dir)/sub/cache.sqlite", logger: WarningLog().logger, now: now.closure)
        await cache.store(Self.key(1), Self.entry(1))
        let hit = try #require(await cache.lookup(Self.key(1), maxAge: .seconds(3600)))
        #expect(hit.body == Self.entry(1).body)
        #expect(hit.at == Self.entry(1).at)
        #expect(hit.rateLimit == Self.entry(1).rateLimit)
        #expect(hit.url == Self.entry(1).url)
        #expect(hit.request == "odd")
        #expect(await cache.lookup(Self.key(2), maxAge: .seconds(3600)) == nil)
        await cache.close()
        // 0700 folder, 0600 file.
        let folderMode = try FileManager.default.attributesOfItem(atPath: "\(dir)/sub")[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: "\(dir)/sub/cache.sqlite")[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        #expect(fileMode == 0o600)
    }

    @Test func entriesOlderThanMaxAgeAreNotServed() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = ManualNow()
        let cache = ResponseCache(path: "\(dir)/cache.sqlite", logger: WarningLog().logger, now: now.closure)
        var entry = Self.entry(1)
        entry.at = now.closure()
        await cache.store(Self.key(1), entry)
        now.advance(86_400)
        #expect(await cache.lookup(Self.key(1), maxAge: .seconds(86_400)) != nil)
        now.advance(1)
        #expect(await cache.lookup(Self.key(1), maxAge: .seconds(86_400)) == nil)
        #expect(await cache.lookup(Self.key(1), maxAge: .seconds(2 * 86_400)) != nil)
        await cache.close()
    }

    @Test func leastRecentlyUsedEntriesAreEvictedPastMaxSize() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = ManualNow()
        // Room for 10 bodies of 1000 bytes.
        let cache = ResponseCache(path: "\(dir)/cache.sqlite", maxSize: 10_000, logger: WarningLog().logger, now: now.closure)
        for n in 0..<10 {
            now.advance(1)
            await cache.store(Self.key(n), Self.entry(n, size: 1000))
        }
        now.advance(1)
        #expect(await cache.lookup(Self.key(0), maxAge: .seconds(1 << 40)) != nil)  // 0 is now the most recent
        for n in 10..<13 {
            now.advance(1)
            await cache.store(Self.key(n), Self.entry(n, size: 1000))
        }
        let stats = try await cache.stats()
        #expect(stats.bytes <= 10_000)
        #expect(await cache.lookup(Self.key(0), maxAge: .seconds(1 << 40)) != nil)
        for n in 1...3 { #expect(await cache.lookup(Self.key(n), maxAge: .seconds(1 << 40)) == nil, "entry \(n)") }
        for n in 4..<13 { #expect(await cache.lookup(Self.key(n), maxAge: .seconds(1 << 40)) != nil, "entry \(n)") }
        await cache.close()
    }

    @Test func statsPruneAndClear() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = ManualNow()
        let cache = ResponseCache(path: "\(dir)/cache.sqlite", logger: WarningLog().logger, now: now.closure)
        for n in 0..<5 { await cache.store(Self.key(n), Self.entry(n)) }
        let stats = try await cache.stats()
        #expect(stats.entries == 5)
        #expect(stats.bytes == Int64((0..<5).map { Self.entry($0).body.count }.reduce(0, +)))
        #expect(stats.oldest == Self.entry(0).at)
        #expect(stats.requests.map(\.name) == ["even", "odd"])
        #expect(stats.requests.map(\.entries) == [3, 2])
        // `at` is 1_800_000_000 + n: at now = +4.5, entries 0, 1 and 2 are older than 2 s.
        now.value.withLockedValue { $0 = 1_800_000_000 + 4.5 }
        #expect(try await cache.prune(olderThan: .milliseconds(2000)) == 3)
        #expect(try await cache.stats().entries == 2)
        try await cache.clear()
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/cache.sqlite"))
    }

    @Test func aDamagedFileTurnsTheCacheOffWithOneWarning() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: "\(dir)/cache.sqlite"))
        let log = WarningLog()
        let cache = ResponseCache(path: "\(dir)/cache.sqlite", logger: log.logger)
        #expect(await cache.lookup(Self.key(1), maxAge: .seconds(60)) == nil)
        await cache.store(Self.key(1), Self.entry(1))
        #expect(await cache.lookup(Self.key(1), maxAge: .seconds(60)) == nil)
        let lines = log.lines.withLockedValue { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("without the cache") == true)
        // `cache clear` fixes it.
        try await cache.clear()
        let fresh = ResponseCache(path: "\(dir)/cache.sqlite", logger: log.logger)
        await fresh.store(Self.key(1), Self.entry(1))
        #expect(await fresh.lookup(Self.key(1), maxAge: .seconds(1 << 40)) != nil)
        await fresh.close()
    }

    @Test func anUnknownSchemaVersionIsNeitherReadNorWritten() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/cache.sqlite"
        let cache = ResponseCache(path: path, logger: WarningLog().logger)
        await cache.store(Self.key(1), Self.entry(1))
        await cache.close()
        let db = try await SQLiteConnection.open(storage: .file(path: path))
        _ = try await db.query("PRAGMA user_version = 99")
        try await db.close()
        let log = WarningLog()
        let later = ResponseCache(path: path, logger: log.logger)
        #expect(await later.lookup(Self.key(1), maxAge: .seconds(1 << 40)) == nil)
        await later.store(Self.key(2), Self.entry(2))
        let lines = log.lines.withLockedValue { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("schema version 99") == true)
    }

    @Test func aLockHeldTooLongTurnsTheCacheOffInsteadOfWaitingForever() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/cache.sqlite"
        let first = ResponseCache(path: path, logger: WarningLog().logger)
        await first.store(Self.key(1), Self.entry(1))
        await first.close()
        let holder = try await SQLiteConnection.open(storage: .file(path: path))
        _ = try await holder.query("BEGIN EXCLUSIVE")
        let log = WarningLog()
        let cache = ResponseCache(path: path, busyTimeout: .milliseconds(200), logger: log.logger)
        await cache.store(Self.key(2), Self.entry(2))
        _ = try await holder.query("ROLLBACK")
        try await holder.close()
        let lines = log.lines.withLockedValue { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("locked") == true)
    }

    @Test func aBodyThatDoesNotMatchItsDigestIsNotServed() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/cache.sqlite"
        let cache = ResponseCache(path: path, logger: WarningLog().logger)
        await cache.store(Self.key(1), Self.entry(1))
        await cache.close()
        let db = try await SQLiteConnection.open(storage: .file(path: path))
        _ = try await db.query("UPDATE entries SET body = substr(body, 1, 5)")
        try await db.close()
        let later = ResponseCache(path: path, logger: WarningLog().logger)
        #expect(await later.lookup(Self.key(1), maxAge: .seconds(1 << 40)) == nil)
        #expect(try await later.stats().entries == 0)
        await later.close()
    }

    @Test func theKeyTellsMethodURLAcceptAndCredentialApart() {
        let base = CacheKey(method: "GET", url: "u", accept: "a", fingerprint: "f")
        #expect(base == CacheKey(method: "GET", url: "u", accept: "a", fingerprint: "f"))
        #expect(base != CacheKey(method: "PUT", url: "u", accept: "a", fingerprint: "f"))
        #expect(base != CacheKey(method: "GET", url: "v", accept: "a", fingerprint: "f"))
        #expect(base != CacheKey(method: "GET", url: "u", accept: "b", fingerprint: "f"))
        #expect(base != CacheKey(method: "GET", url: "u", accept: "a", fingerprint: "g"))
        #expect(CacheKey(method: "GET", url: "ua", accept: "", fingerprint: "f") != CacheKey(method: "GET", url: "u", accept: "a", fingerprint: "f"))
    }

    @Test(arguments: [
        ("500MB", Int64(500_000_000)), ("2GB", 2_000_000_000), ("64KB", 64_000), ("1KiB", 1024), ("3MiB", 3 << 20),
        ("1GiB", 1 << 30), ("1234", 1234), ("10B", 10),
    ])
    func sizesParse(_ text: String, _ bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "MB", "1.5GB", "500 MB", "500mb", "1TB", "-1MB", "99999999999999999GB"])
    func badSizesDoNotParse(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test func durationsTakeDays() {
        #expect(Duration(parsing: "30d") == .seconds(30 * 86_400))
        #expect(Duration.seconds(2 * 86_400).humanDescription == "2d")
    }
}
