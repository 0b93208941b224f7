import Crypto
import Foundation
import Logging
import NIOCore
import SQLiteNIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates `path` with mode 0600 when it does not exist (never truncates); the error text otherwise.
private func createPrivateFile(_ path: String) -> String? {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return String(cString: strerror(errno)) }
    close(fd)
    return nil
}

/// The response cache: one SQLite file (WAL, so several processes share it), opened on first use.
///
/// Every failure (a damaged file, a lock held longer than `busyTimeout`, an unknown schema version,
/// a full disk) turns the cache off for the rest of the run with one warning: the run goes on
/// uncached. Each entry is written in one transaction and carries the SHA-256 of its body, so a
/// crash mid-write leaves either the whole entry or none, and a body that does not match its digest
/// is never served.
public actor ResponseCache {
    /// The layout this code reads and writes (`PRAGMA user_version`).
    public static let schemaVersion = 1

    public nonisolated let path: String
    let maxSize: Int64
    let busyTimeout: Duration
    let logger: Logger
    let now: @Sendable () -> Double

    private enum State {
        case closed
        case open(SQLiteConnection)
        case off
    }

    private var state = State.closed
    /// One statement sequence at a time on the connection (a transaction spans several awaits).
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(
        path: String, maxSize: Int64 = CacheSettings.defaultMaxSize, busyTimeout: Duration = .seconds(30),
        logger: Logger, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.path = path
        self.maxSize = maxSize
        self.busyTimeout = busyTimeout
        self.logger = logger
        self.now = now
    }

    /// Why the cache cannot be used; the message never contains a credential (none is in the file).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    deinit {
        // sqlite-nio requires a close before its connection goes; the future keeps it until then.
        if case .open(let db) = state { _ = db.close() as EventLoopFuture<Void> }
    }

    // MARK: - Run-time use (never throws: a failure turns the cache off with one warning)

    /// The entry for `key` if it is younger than `maxAge` and whole; marks it used (LRU).
    public func lookup(_ key: CacheKey, maxAge: Duration) async -> CacheEntry? {
        await guarded { db in
            let rows = try await db.query(
                "SELECT request, url, status, attempts, at, rl_limit, rl_used, rl_remaining, digest, body FROM entries WHERE key = ?",
                [.text(key.hex)])
            guard let row = rows.first else { return nil }
            let at = row.column("at")?.double ?? 0
            guard self.now() - at <= Double(maxAge.milliseconds) / 1000 else { return nil }
            let body = row.column("body")?.blob.map { Array($0.readableBytesView) } ?? []
            guard let digest = row.column("digest")?.blob, Array(digest.readableBytesView) == Self.digest(body) else {
                self.logger.warning("cache: an entry of \(self.path) does not match its digest; fetching it again")
                _ = try await db.query("DELETE FROM entries WHERE key = ?", [.text(key.hex)])
                return nil
            }
            _ = try await db.query("UPDATE entries SET used = ? WHERE key = ?", [.float(self.now()), .text(key.hex)])
            func int(_ name: String) -> Int? { row.column(name)?.integer.map { Int($0) } }
            let limit = int("rl_limit"), used = int("rl_used"), remaining = int("rl_remaining")
            return CacheEntry(
                request: row.column("request")?.string ?? "", url: row.column("url")?.string ?? "",
                status: int("status") ?? 0, attempts: int("attempts") ?? 1, at: at,
                rateLimit: limit == nil && used == nil && remaining == nil
                    ? nil : Record.RateLimit(limit: limit, used: used, remaining: remaining),
                body: body)
        } ?? nil
    }

    /// Stores (or replaces) the entry for `key` in one transaction, then evicts the least recently
    /// used entries while the bodies exceed `maxSize`.
    public func store(_ key: CacheKey, _ entry: CacheEntry) async {
        _ = await guarded { db in
            try await self.transaction(db) {
                _ = try await db.query("DELETE FROM entries WHERE key = ?", [.text(key.hex)])
                func optional(_ value: Int?) -> SQLiteData { value.map { .integer(SQLiteInt64($0)) } ?? .null }
                let stamp = self.now()
                _ = try await db.query(
                    """
                    INSERT INTO entries (key, request, url, status, attempts, at, used, rl_limit, rl_used, rl_remaining, size, digest, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(key.hex), .text(entry.request), .text(entry.url), .integer(SQLiteInt64(entry.status)),
                        .integer(SQLiteInt64(entry.attempts)), .float(entry.at), .float(stamp),
                        optional(entry.rateLimit?.limit), optional(entry.rateLimit?.used), optional(entry.rateLimit?.remaining),
                        .integer(SQLiteInt64(entry.body.count)), .blob(ByteBuffer(bytes: Self.digest(entry.body))),
                        .blob(ByteBuffer(bytes: entry.body)),
                    ])
                try await self.evict(db)
            }
        }
    }

    /// Closes the connection (the WAL is checkpointed by SQLite when the last connection closes).
    public func close() async {
        _ = try? await exclusive {
            if case .open(let db) = state { try? await db.close() }
            state = .closed
        }
    }

    // MARK: - Maintenance (`cache stats | prune | clear`): failures are thrown to the caller

    public func stats() async throws -> CacheStats {
        var stats = CacheStats(path: path)
        let manager = FileManager.default
        for suffix in ["", "-wal"] {
            let size = (try? manager.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value
            stats.fileBytes += size ?? 0
        }
        guard manager.fileExists(atPath: path) else { return stats }
        try await exclusive {
            let db = try await connection()
            let total = try await db.query("SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes, MIN(at) AS oldest FROM entries")
            stats.entries = total.first?.column("n")?.integer.map { Int($0) } ?? 0
            stats.bytes = total.first?.column("bytes")?.integer.map { Int64($0) } ?? 0
            stats.oldest = total.first?.column("oldest")?.double
            let rows = try await db.query(
                "SELECT request, COUNT(*) AS n, SUM(size) AS bytes FROM entries GROUP BY request ORDER BY request")
            stats.requests = rows.map { row in
                CacheStats.PerRequest(
                    name: row.column("request")?.string ?? "", entries: row.column("n")?.integer.map { Int($0) } ?? 0,
                    bytes: row.column("bytes")?.integer.map { Int64($0) } ?? 0)
            }
        }
        return stats
    }

    /// Deletes the entries whose answer is older than `age`; returns how many. Then gives the space back.
    public func prune(olderThan age: Duration) async throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let cutoff = now() - Double(age.milliseconds) / 1000
        return try await exclusive {
            let db = try await connection()
            let removed = try await self.transaction(db) {
                let count = try await db.query("SELECT COUNT(*) AS n FROM entries WHERE at < ?", [.float(cutoff)])
                _ = try await db.query("DELETE FROM entries WHERE at < ?", [.float(cutoff)])
                return count.first?.column("n")?.integer.map { Int($0) } ?? 0
            }
            _ = try await db.query("VACUUM")
            return removed
        }
    }

    /// Removes the database and its WAL and shared-memory files, whatever state they are in (this is
    /// the fix for a damaged cache or one of an unknown version).
    public func clear() async throws {
        await close()
        for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
            do {
                try FileManager.default.removeItem(atPath: path + suffix)
            } catch {
                throw Failure(description: "cannot remove \(path + suffix): \(error.localizedDescription)")
            }
        }
        state = .off
    }

    // MARK: - Internals

    static func digest(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// Runs `body` on the open connection; on any failure turns the cache off with one warning.
    private func guarded<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async -> T? {
        if case .off = state { return nil }
        // Opening too happens one caller at a time: two workers must not both open a connection.
        let result: T?? = try? await exclusive {
            if case .off = state { return nil }
            do {
                return try await body(try await connection())
            } catch {
                if case .open(let db) = state { try? await db.close() }
                state = .off
                logger.warning("cache: \(Self.explain(error, path: path)); this run goes on without the cache (discogs-batch cache clear starts it anew)")
                return nil
            }
        }
        return result ?? nil
    }

    private func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }

    /// `BEGIN IMMEDIATE` (the write lock up front, so two writers never deadlock on an upgrade) ... `COMMIT`.
    private func transaction<T: Sendable>(_ db: SQLiteConnection, _ body: () async throws -> T) async throws -> T {
        _ = try await db.query("BEGIN IMMEDIATE")
        do {
            let result = try await body()
            _ = try await db.query("COMMIT")
            return result
        } catch {
            _ = try? await db.query("ROLLBACK")
            throw error
        }
    }

    private func evict(_ db: SQLiteConnection) async throws {
        while true {
            let total = try await db.query("SELECT bytes FROM totals WHERE id = 1").first?.column("bytes")?.integer ?? 0
            var excess = Int64(total) - maxSize
            guard excess > 0 else { return }
            // The least recently used entries, just as many as free the excess.
            let oldest = try await db.query("SELECT rowid AS id, size FROM entries ORDER BY used, rowid LIMIT 32")
            guard !oldest.isEmpty else { return }
            var doomed: [SQLiteData] = []
            for row in oldest where excess > 0 {
                doomed.append(row.column("id") ?? .null)
                excess -= Int64(row.column("size")?.integer ?? 0)
            }
            let marks = Array(repeating: "?", count: doomed.count).joined(separator: ", ")
            _ = try await db.query("DELETE FROM entries WHERE rowid IN (\(marks))", doomed)
        }
    }

    private func connection() async throws -> SQLiteConnection {
        switch state {
        case .open(let db): return db
        case .off: throw Failure(description: "the cache is off for this run")
        case .closed: break
        }
        let db = try await Self.openDatabase(path: path, busyTimeout: busyTimeout)
        state = .open(db)
        return db
    }

    /// Creates the folder (0700) and file (0600) when missing, opens, sets WAL, and checks or creates
    /// the schema in one transaction (two processes starting at once both find it whole).
    static func openDatabase(path: String, busyTimeout: Duration) async throws -> SQLiteConnection {
        let manager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !manager.fileExists(atPath: folder) {
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Failure(description: "cannot create the folder \(folder): \(error.localizedDescription)")
            }
        }
        // SQLite gives its -wal and -shm files the permissions of the database file.
        if let problem = createPrivateFile(path) { throw Failure(description: "cannot open \(path): \(problem)") }
        let db = try await SQLiteConnection.open(storage: .file(path: path))
        do {
            // Replaces sqlite-nio's default busy handler (which retries forever) with a bounded wait.
            _ = try await db.query("PRAGMA busy_timeout = \(busyTimeout.milliseconds)")
            try await switchToWAL(db, path: path, within: busyTimeout)
            _ = try await db.query("PRAGMA synchronous = NORMAL")
            _ = try await db.query("BEGIN IMMEDIATE")
            do {
                let version = try await db.query("PRAGMA user_version").first?.columns.first?.data.integer ?? 0
                if version == 0 {
                    for statement in schema { _ = try await db.query(statement) }
                    _ = try await db.query("PRAGMA user_version = \(schemaVersion)")
                } else if version != SQLiteInt64(schemaVersion) {
                    throw Failure(description: "\(path) has schema version \(version); this discogs-batch reads version \(schemaVersion)")
                }
                _ = try await db.query("COMMIT")
            } catch {
                _ = try? await db.query("ROLLBACK")
                throw error
            }
            return db
        } catch {
            try? await db.close()
            throw error
        }
    }

    /// `PRAGMA journal_mode = WAL` needs the file to itself and SQLite answers it "locked" at once,
    /// without its busy handler, while another process has the file open in the old mode (two runs
    /// starting on a new cache): so it is tried again, a few milliseconds apart, within `limit`.
    static func switchToWAL(_ db: SQLiteConnection, path: String, within limit: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while true {
            do {
                let mode = try await db.query("PRAGMA journal_mode = WAL").first?.columns.first?.data.string
                guard mode?.lowercased() == "wal" else { throw Failure(description: "\(path) cannot use WAL mode (\(mode ?? "none"))") }
                return
            } catch let error as SQLiteError where error.reason == .busy && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...25)))
            }
        }
    }

    static let schema = [
        """
        CREATE TABLE entries (
          key TEXT NOT NULL UNIQUE, request TEXT NOT NULL, url TEXT NOT NULL, status INTEGER NOT NULL,
          attempts INTEGER NOT NULL, at REAL NOT NULL, used REAL NOT NULL,
          rl_limit INTEGER, rl_used INTEGER, rl_remaining INTEGER,
          size INTEGER NOT NULL, digest BLOB NOT NULL, body BLOB NOT NULL)
        """,
        "CREATE INDEX entries_used ON entries (used)",
        "CREATE TABLE totals (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL)",
        "INSERT INTO totals (id, bytes) VALUES (1, 0)",
        "CREATE TRIGGER entries_insert AFTER INSERT ON entries BEGIN UPDATE totals SET bytes = bytes + NEW.size WHERE id = 1; END",
        "CREATE TRIGGER entries_delete AFTER DELETE ON entries BEGIN UPDATE totals SET bytes = bytes - OLD.size WHERE id = 1; END",
    ]

    /// One line on why the cache cannot be used (never a credential: none is in the file).
    public static func explain(_ error: any Error, path: String) -> String {
        if let failure = error as? Failure { return failure.description }
        if let error = error as? SQLiteError {
            switch error.reason {
            case .busy, .busyTimeout, .locked:
                return "\(path) stayed locked by another process for more than the wait allowed (\(error.message))"
            case .corrupt, .notADatabase, .corruptIndex:
                return "\(path) is damaged (\(error.message))"
            case .full: return "the disk holding \(path) is full"
            default: return "\(path): \(error.message)"
            }
        }
        return "\(path): \(error)"
    }
}
