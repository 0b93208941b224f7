import DiscogsBatch
import DiscogsSandbox
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

/// Log lines kept in memory, to check what a run says (and never says).
final class CapturedLog: Sendable {
    private let box = NIOLockedValueBox<[String]>([])
    var lines: [String] { box.withLockedValue { $0 } }

    var logger: Logger {
        Logger(label: "captured") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.box.withLockedValue { $0.append("\(event.level): \(event.message)") }
        }
    }
}

/// The budget shared through a real PostgreSQL server (a throwaway cluster per test).
@Suite(.serialized, .enabled(if: PostgresCluster.enabled), .timeLimit(.minutes(2)))
struct PostgresBudgetTests {
    func budget(_ cluster: PostgresCluster, key: String = "127.0.0.1/k", budget: Int = 4, span: Duration = .seconds(60),
                log: CapturedLog = CapturedLog(), url: String? = nil) throws -> PostgresBudget {
        PostgresBudget(
            url: try BudgetURL(url ?? cluster.url), key: key, budget: budget, span: span, fallbackBudget: 1,
            logger: log.logger)
    }

    func granted(_ reservation: SharedBudget.Reservation) -> Int64? {
        if case .granted(let stamp) = reservation { return stamp }
        return nil
    }

    @Test func processesWithOneKeyDrawFromOneWindow() async throws {
        try await PostgresCluster.with { cluster in
            let first = try budget(cluster)
            let second = try budget(cluster)
            let other = try budget(cluster, key: "127.0.0.1/other")
            var stamps: [Int64] = []
            for budget in [first, second, first, second] {
                stamps.append(try #require(granted(try await budget.reserveSend(now: Date()))))
            }
            #expect(stamps == stamps.sorted())
            guard case .wait(let wait) = try await second.reserveSend(now: Date()) else {
                Issue.record("a fifth send in the window was granted")
                return
            }
            #expect(wait > .seconds(55) && wait <= .seconds(60))
            #expect(granted(try await other.reserveSend(now: Date())) != nil)
            // A settle is written with the next call and moves the stamp; nothing is added.
            first.settleSend(granted: stamps[0], now: Date())
            try await first.flushSends(now: Date())
            let rows = try await cluster.sql("SELECT key, cardinality(stamps) FROM discogs_batch_budget ORDER BY key")
            #expect(rows == ["127.0.0.1/k|4", "127.0.0.1/other|1"])
            #expect(try await cluster.sql("SELECT component, version FROM discogs_batch_schema") == ["budget|1"])
            try await second.flushSends(now: Date())
            try await other.flushSends(now: Date())
        }
    }

    @Test func aProcessKilledHoldingSendsLeavesNothingStuck() async throws {
        try await PostgresCluster.with { cluster in
            // The killed process: two sends taken, never settled, its connection gone.
            let killed = try budget(cluster, budget: 2, span: .milliseconds(300))
            let taken = [try await killed.reserveSend(now: Date()), try await killed.reserveSend(now: Date())].compactMap(granted)
            #expect(taken.count == 2)
            _ = try await cluster.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid()")
            let survivor = try budget(cluster, budget: 2, span: .milliseconds(300))
            guard case .wait(let wait) = try await survivor.reserveSend(now: Date()) else {
                Issue.record("the killed process's sends did not count")
                return
            }
            #expect(wait <= .milliseconds(300))
            try await Task.sleep(for: wait)
            #expect(granted(try await survivor.reserveSend(now: Date())) != nil)
            try await survivor.flushSends(now: Date())
        }
    }

    /// The server stopped while the process holds an idle connection: PostgresNIO never answered the
    /// query written after the connection closed, and the run waited forever (the 4-runner test hung).
    @Test func aDatabaseStoppedBetweenReservationsFailsTheNextOne() async throws {
        try await PostgresCluster.with { cluster in
            let log = CapturedLog()
            let budget = try budget(cluster, log: log)
            #expect(granted(try await budget.reserveSend(now: Date())) != nil)
            await cluster.kill()
            for _ in 0..<3 {
                await #expect(throws: (any Error).self) { try await budget.reserveSend(now: Date()) }
            }
            try await budget.flushSends(now: Date())
            #expect(log.lines.count == 1)
            #expect(log.lines.first?.contains("pacing this process alone at 1 requests per window") == true)
            #expect(log.lines.allSatisfy { !$0.contains(cluster.password) })
        }
    }

    @Test func anUnreachableDatabaseWarnsOnceWithoutThePassword() async throws {
        let log = CapturedLog()
        let budget = try PostgresBudget(
            url: BudgetURL("postgres://u:hunter2-secret@localhost/x?host=/nonexistent-folder&sslmode=disable"),
            key: "k", budget: 4, span: .seconds(6), fallbackBudget: 2, logger: log.logger)
        await #expect(throws: (any Error).self) { try await budget.reserveSend(now: Date()) }
        await #expect(throws: (any Error).self) { try await budget.reserveSend(now: Date()) }
        #expect(log.lines.count == 1)
        #expect(log.lines.allSatisfy { !$0.contains("hunter2") })
        #expect(log.lines.first?.contains("postgres://u:***@localhost/x?host=/nonexistent-folder&sslmode=disable") == true)
        #expect(log.lines.first?.contains("pacing this process alone at 2 requests per window") == true)
    }

    @Test func aNewerSchemaIsLeftAlone() async throws {
        try await PostgresCluster.with { cluster in
            let first = try budget(cluster)
            #expect(granted(try await first.reserveSend(now: Date())) != nil)
            try await first.flushSends(now: Date())
            _ = try await cluster.sql("UPDATE discogs_batch_schema SET version = 2")
            let log = CapturedLog()
            let later = try budget(cluster, log: log)
            await #expect(throws: (any Error).self) { try await later.reserveSend(now: Date()) }
            #expect(log.lines.count == 1)
            #expect(log.lines.first?.contains("newer than this discogs-batch's (1)") == true)
            #expect(log.lines.allSatisfy { !$0.contains(cluster.password) })
        }
    }

    @Test func aWrongPasswordIsReportedMasked() async throws {
        try await PostgresCluster.with { cluster in
            let log = CapturedLog()
            let wrong = cluster.url.replacingOccurrences(of: cluster.password, with: "not-the-password-42")
            let budget = try budget(cluster, log: log, url: wrong)
            await #expect(throws: (any Error).self) { try await budget.reserveSend(now: Date()) }
            #expect(log.lines.count == 1)
            #expect(log.lines.allSatisfy { !$0.contains("not-the-password-42") && !$0.contains(cluster.password) })
            #expect(log.lines.first?.contains("password authentication failed") == true)
        }
    }
}
