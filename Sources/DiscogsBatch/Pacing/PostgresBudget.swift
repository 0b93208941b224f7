import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import PostgresNIO

/// One sliding-window budget shared through a PostgreSQL database by every discogs-batch process,
/// on any host, that uses the same key (address group and credential fingerprint, never a secret).
///
/// The table `discogs_batch_budget` holds one row per key with the stamps of the sends still in the
/// window (milliseconds of the database's clock, so that the hosts' clocks need not agree). Each
/// reservation is one call of the function `discogs_batch_budget_take_v1`, one short transaction:
/// it locks the key's row (`SELECT ... FOR UPDATE`), writes the settles buffered since the last call,
/// drops the stamps that left the window and either appends a stamp for this send or answers how long
/// to wait. Its cost is bounded by the budget (the stamps kept), not by the requests made.
///
/// The schema is created on first use under an advisory lock, with its version in
/// `discogs_batch_schema`; a database holding a newer version is not touched. No lock outlives a
/// call, so a process killed at any point leaves nothing stuck: its stamps age out of the window.
///
/// When the database cannot be reached or fails, the reservation throws (the governor then paces this
/// process alone at `fallbackBudget`), after a warning logged once, with the password masked.
public final class PostgresBudget: SharedRateBudget {
    public let url: BudgetURL
    public let key: String
    let budget: Int
    let span: Duration
    public let fallbackBudget: Int?
    /// Every process with the key draws from the database, on whichever host.
    public var spansHosts: Bool { true }
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    /// The schema this version creates and uses.
    static let schemaVersion = 1
    /// The advisory lock taken while the schema is checked or created ("discogsb" in ASCII).
    static let schemaLock: Int64 = 0x6469_7363_6F67_7362

    struct State: @unchecked Sendable {
        var connection: PostgresConnection?
        /// Settles not yet written, as (granted stamp, answered stamp) pairs one after the other.
        var unwritten: [Int64] = []
        /// Sends granted and not settled: their database stamp and when this process got it.
        var granted: [(stamp: Int64, at: Date)] = []
        var failed = false
    }

    /// A budget of `budget` sends per `span` under `key`, through the database at `url`; once that
    /// fails, `fallbackBudget` sends per span for this process alone.
    public init(url: BudgetURL, key: String, budget: Int, span: Duration, fallbackBudget: Int, logger: Logger) {
        self.url = url
        self.key = key
        self.budget = budget
        self.span = span
        self.fallbackBudget = fallbackBudget
        self.logger = logger
    }

    public func reserveSend(now: Date) async throws -> SharedBudget.Reservation {
        let answer: Int64
        do {
            let connection = try await connection()
            let settles = state.withLockedValue { state in
                defer { state.unwritten.removeAll() }
                return state.unwritten
            }
            answer = try await take(connection, settles: settles, send: true)
        } catch {
            await fail(error)
            throw error
        }
        guard answer > 0 else { return .wait(.milliseconds(max(1, -answer))) }
        state.withLockedValue { $0.granted.append((answer, now)) }
        return .granted(answer)
    }

    /// Counts the send from when its response came back, in the database's clock: its stamp plus the
    /// time this process measured since the grant (on the governor's clock).
    public func settleSend(granted stamp: Int64, now: Date) {
        state.withLockedValue { state in
            guard let index = state.granted.firstIndex(where: { $0.stamp == stamp }) else { return }
            let elapsed = now.timeIntervalSince(state.granted.remove(at: index).at)
            state.unwritten += [stamp, stamp + Int64(max(0, elapsed * 1000).rounded())]
        }
    }

    public func flushSends(now: Date) async throws {
        let (connection, settles) = state.withLockedValue { state in
            defer { (state.connection, state.unwritten) = (nil, []) }
            return (state.failed ? nil : state.connection, state.unwritten)
        }
        guard let connection else { return }
        do {
            if !settles.isEmpty { _ = try await take(connection, settles: settles, send: false) }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    // MARK: - The database

    /// The open connection, connecting (and checking the schema) on first use.
    private func connection() async throws -> PostgresConnection {
        if let connection = state.withLockedValue({ $0.connection }) { return connection }
        if state.withLockedValue({ $0.failed }) { throw Unusable(description: "failed before") }
        let connection = try await PostgresConnection.connect(
            configuration: try Self.configuration(url), id: 1, logger: quietLogger)
        do {
            try await prepareSchema(connection)
        } catch {
            try? await connection.close()
            throw error
        }
        state.withLockedValue { $0.connection = connection }
        return connection
    }

    /// PostgresNIO's own log lines stay below this run's warnings.
    private var quietLogger: Logger {
        var logger = logger
        logger.logLevel = max(logger.logLevel, .error)
        return logger
    }

    static func configuration(_ url: BudgetURL) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socket = url.socketPath {
            configuration = .init(unixSocketPath: socket, username: url.user, password: url.password, database: url.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch url.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            configuration = .init(
                host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
                tls: tls)
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// One reservation (`send`) or only the settles: the granted stamp (> 0), or minus the wait in
    /// milliseconds, or 0 when nothing was asked.
    private func take(_ connection: PostgresConnection, settles: [Int64], send: Bool) async throws -> Int64 {
        let (key, budget, spanMS, logger) = (key, Int64(budget), Int64(span.milliseconds), quietLogger)
        return try await Self.answer(on: connection) {
            let rows = try await connection.query(
                "SELECT discogs_batch_budget_take_v1(\(key), \(budget), \(spanMS), \(settles), \(send))", logger: logger)
            for try await value in rows.decode(Int64.self) { return value }
            throw Unusable(description: "the budget function returned no row")
        }
    }

    /// The longest one call on the database may take before the budget gives up on it.
    static let callLimit = TimeAmount.seconds(10)

    /// The result of `calls` on `connection`, or a failure once the connection closes or `callLimit`
    /// has passed (the connection is then closed). PostgresNIO never answers a query written after
    /// its connection closed (the server was stopped between two reservations): awaited alone, that
    /// query held the run forever. A call left unanswered that way stays suspended on its own,
    /// holding nothing but its memory; the connection is not used again.
    static func answer<T: Sendable>(
        on connection: PostgresConnection, _ calls: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let timedOut = NIOLockedValueBox(false)
        let deadline = connection.eventLoop.scheduleTask(in: callLimit) {
            timedOut.withLockedValue { $0 = true }
            connection.close().whenComplete { _ in }
        }
        defer { deadline.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let waiting = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(continuation)
            @Sendable func finish(_ result: Result<T, any Error>) {
                waiting.withLockedValue { waiting in
                    defer { waiting = nil }
                    return waiting
                }?.resume(with: result)
            }
            connection.closeFuture.whenComplete { _ in
                let why = timedOut.withLockedValue { $0 } ? "no answer within \(callLimit.nanoseconds / 1_000_000_000) s" : "the connection closed"
                finish(.failure(Unusable(description: why)))
            }
            Task {
                do {
                    finish(.success(try await calls()))
                } catch {
                    finish(.failure(error))
                }
            }
        }
    }

    private func prepareSchema(_ connection: PostgresConnection) async throws {
        let logger = quietLogger
        try await Self.answer(on: connection) { try await Self.prepareSchema(connection, logger: logger) }
    }

    private static func prepareSchema(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_lock(\(Self.schemaLock))", logger: logger)
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS discogs_batch_schema (component text PRIMARY KEY, version integer NOT NULL)",
            logger: logger)
        var version: Int32?
        let rows = try await connection.query(
            "SELECT version FROM discogs_batch_schema WHERE component = 'budget'", logger: logger)
        for try await value in rows.decode(Int32.self) { version = value }
        if let version, version > Self.schemaVersion {
            throw Unusable(
                description: "it holds budget schema version \(version), newer than this discogs-batch's (\(Self.schemaVersion))")
        }
        if version == nil {
            for statement in Self.schema { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            try await connection.query(
                "INSERT INTO discogs_batch_schema (component, version) VALUES ('budget', \(Int32(Self.schemaVersion)))",
                logger: logger)
        }
        try await connection.query("SELECT pg_advisory_unlock(\(Self.schemaLock))", logger: logger)
    }

    /// Version 1 of the schema. Stamps are kept sorted; those beyond a span ahead of the database's
    /// clock (written by a clock that jumped) are dropped with the expired ones.
    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS discogs_batch_budget (
            key text PRIMARY KEY,
            stamps bigint[] NOT NULL DEFAULT '{}',
            updated timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE OR REPLACE FUNCTION discogs_batch_budget_take_v1(
            p_key text, p_budget bigint, p_span bigint, p_settles bigint[], p_send boolean
        ) RETURNS bigint LANGUAGE plpgsql AS $fn$
        DECLARE
            v_now bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
            v_stamps bigint[];
            v_count integer;
            v_at integer;
        BEGIN
            SELECT stamps INTO v_stamps FROM discogs_batch_budget WHERE key = p_key FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO discogs_batch_budget (key) VALUES (p_key) ON CONFLICT (key) DO NOTHING;
                SELECT stamps INTO v_stamps FROM discogs_batch_budget WHERE key = p_key FOR UPDATE;
            END IF;
            FOR i IN 1 .. coalesce(array_length(p_settles, 1), 0) / 2 LOOP
                v_at := array_position(v_stamps, p_settles[2 * i - 1]);
                IF v_at IS NOT NULL THEN
                    v_stamps := v_stamps[1:v_at - 1] || v_stamps[v_at + 1:];
                END IF;
                v_stamps := v_stamps || p_settles[2 * i];
            END LOOP;
            v_stamps := ARRAY(
                SELECT s FROM unnest(v_stamps) AS s WHERE s > v_now - p_span AND s <= v_now + p_span ORDER BY s);
            v_count := coalesce(array_length(v_stamps, 1), 0);
            IF p_send AND v_count >= p_budget THEN
                UPDATE discogs_batch_budget SET stamps = v_stamps, updated = now() WHERE key = p_key;
                RETURN -greatest(1, v_stamps[v_count - p_budget + 1] + p_span - v_now);
            END IF;
            IF p_send THEN
                v_stamps := v_stamps || v_now;
            END IF;
            UPDATE discogs_batch_budget SET stamps = v_stamps, updated = now() WHERE key = p_key;
            RETURN CASE WHEN p_send THEN v_now ELSE 0 END;
        END
        $fn$
        """,
    ]

    // MARK: - Failure

    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    /// Closes the connection and warns once, naming the database with its password masked.
    private func fail(_ error: any Error) async {
        let (connection, first) = state.withLockedValue { state in
            defer { (state.connection, state.failed) = (nil, true) }
            return (state.connection, !state.failed)
        }
        try? await connection?.close()
        guard first else { return }
        logger.warning(
            "the shared rate budget at \(url) cannot be used (\(Self.reason(error, hiding: url.password))); pacing this process alone at \(fallbackBudget ?? budget) requests per window until the end of the run")
    }

    /// What went wrong, in a line, with every occurrence of the password masked.
    static func reason(_ error: any Error, hiding password: String?) -> String {
        var text: String
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                text = message
            } else if let underlying = error.underlying {
                text = "\(underlying)"
            } else {
                text = "\(error.code)"
            }
        } else {
            text = "\(error)"
        }
        if let password, !password.isEmpty { text = text.replacingOccurrences(of: password, with: "***") }
        return BudgetURL.mask(text)
    }
}
