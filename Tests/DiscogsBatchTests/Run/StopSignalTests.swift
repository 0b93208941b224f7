import Foundation
import Logging
import Testing

@testable import DiscogsBatch

/// `JobRunner.handleStopSignals`: the signal and grace policy of `run`, timed on the runner's clock.
@Suite struct StopSignalTests {
    /// Never asked: the run itself is not started here.
    struct UnusedTransport: HTTPTransport {
        func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
            throw TransportError(.connection, "not used")
        }
        func shutdown() async {}
    }

    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var _lines: [String] = []
        private var _second: Int32?
        var lines: [String] { lock.withLock { _lines } }
        var second: Int32? { lock.withLock { _second } }
        func say(_ line: String) { lock.withLock { _lines.append(line) } }
        func heardSecond(_ number: Int32) { lock.withLock { _second = number } }
    }

    @Test func theFirstSignalStopsThenCancelsAfterTheGraceASecondStopsAtOnce() async throws {
        let clock = ManualClock()
        let job = try #require(Fixtures.load("""
            version: 1
            user_agent: test/1.0
            base_url: http://127.0.0.1:9
            rate: {shared: false}
            requests:
              - {name: r, path: /releases/1}
            """).job)
        var options = RunOptions()
        options.outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("stop-signal-\(UUID().uuidString).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: options.outputPath!) }
        let runner = try JobRunner(
            job: job, options: options, transport: UnusedTransport(), clock: clock, logger: Logger(label: "test"))

        // Stands for a run with requests in flight: it ends only when cancelled.
        let running = Task<RunSummary, Never> {
            try? await clock.sleep(for: .seconds(86_400))
            return RunSummary()
        }
        let (numbers, signals) = AsyncStream<Int32>.makeStream()
        let heard = Heard()
        let handler = Task {
            await runner.handleStopSignals(
                numbers, running: running, grace: .seconds(10), say: { heard.say($0) },
                secondSignal: { heard.heardSecond($0) })
        }
        #expect(await clock.waitForSleeper())
        signals.yield(SIGINT)
        for _ in 0..<100_000 where clock.pendingDeadlines.count < 2 { await Task.yield() }
        #expect(clock.pendingDeadlines == [.ms(10_000), .ms(86_400_000)])
        #expect(runner.snapshot().stopped == .signal(SIGINT))

        clock.advance(by: .seconds(9))
        #expect(!running.isCancelled)
        clock.advance(by: .seconds(1))
        _ = await running.value  // returns only once the grace is over and the run cancelled
        #expect(running.isCancelled)

        signals.yield(SIGTERM)
        await handler.value
        #expect(heard.second == SIGINT)
        #expect(heard.lines == [
            "discogs-batch: stopping; requests in flight have 10s to finish (signal again to stop now)",
            "discogs-batch: second signal; stopping now",
        ])
    }
}
