import NIOConcurrencyHelpers
import Testing

@testable import DiscogsBatch

/// Processes behind one address with no shared store, simulated on the manual clock against one
/// server window counted as the sandbox's `RateLimiter` counts it: each process is a `RateGovernor`
/// and two workers that send, wait for the answer and feed its `X-Discogs-Ratelimit-*` figures back,
/// as `JobRunner` does (a 429: settle as refused, penalize, send again).
struct FairShareSimulation {
    let processes: Int
    let requestsEach: Int
    var limit = 60
    var window: Duration = .seconds(6)
    var workers = 2
    /// Milliseconds one way, each way; every request draws its own from this range (seeded). Time is
    /// scaled down tenfold with the window (60 per 60 s to 60 per 6 s), so 2-8 ms stand for 20-80 ms.
    var latency: ClosedRange<Int> = 2...8

    struct Result: CustomStringConvertible {
        var sends = 0
        var refused = 0
        var elapsed: Duration = .zero
        var ideal: Duration = .zero
        var mostInWindow = 0
        var efficiency: Double { ideal / elapsed }
        var refusedShare: Double { Double(refused) / Double(max(1, sends)) }
        var description: String {
            "\(sends) sends, \(refused) 429s (\(refusedShare)), efficiency \(efficiency), most in a window \(mostInWindow)"
        }
    }

    /// The server's window: accepted when fewer than `limit` were accepted in the `window` before.
    final class Server: @unchecked Sendable {
        let limit: Int
        let window: Duration
        private let lock = NIOLock()
        private var accepted: [ManualClock.Instant] = []
        private var result = Result()
        private var random: UInt64 = 0x9E37_79B9_7F4A_7C15

        init(limit: Int, window: Duration) {
            self.limit = limit
            self.window = window
        }

        func admit(at now: ManualClock.Instant) -> (accepted: Bool, used: Int, remaining: Int) {
            lock.withLock {
                accepted.removeAll { $0 <= now.advanced(by: .zero - window) }
                result.sends += 1
                guard accepted.count < limit else {
                    result.refused += 1
                    return (false, limit, 0)
                }
                accepted.append(now)
                result.mostInWindow = max(result.mostInWindow, accepted.count)
                return (true, accepted.count, limit - accepted.count)
            }
        }

        /// A deterministic draw (xorshift), so that every run of the simulation is the same.
        func draw(_ range: ClosedRange<Int>) -> Int {
            lock.withLock {
                random ^= random << 13
                random ^= random >> 7
                random ^= random << 17
                return range.lowerBound + Int(random % UInt64(range.count))
            }
        }

        var counts: Result { lock.withLock { result } }
    }

    func run() async throws -> Result {
        let clock = ManualClock()
        let server = Server(limit: limit, window: window)
        let finished = PacingRecorder<ManualClock.Instant>()
        let tasks = (0..<processes).flatMap { _ in
            let governor = RateGovernor(clock: clock, limit: limit, window: window)
            return (0..<workers).map { worker in
                Task {
                    for _ in stride(from: worker, to: requestsEach, by: workers) {
                        while true {
                            let granted = try await governor.acquire()
                            try await clock.sleep(until: clock.now.advanced(by: .milliseconds(server.draw(latency))), tolerance: nil)
                            let answer = server.admit(at: clock.now)
                            try await clock.sleep(until: clock.now.advanced(by: .milliseconds(server.draw(latency))), tolerance: nil)
                            await governor.settle(
                                grantedAt: granted, limit: limit, used: answer.used, remaining: answer.remaining,
                                refused: !answer.accepted)
                            if answer.accepted { break }
                            await governor.penalize(retryAfter: nil)
                        }
                    }
                    await finished.append(clock.now)
                }
            }
        }
        // Time moves only once every task that can run has reached a sleep.
        while await finished.count < tasks.count {
            for _ in 0..<200 { await Task.yield() }
            if let next = clock.pendingDeadlines.first { clock.advance(to: next) }
        }
        for task in tasks { try await task.value }
        var result = server.counts
        result.elapsed = ManualClock.Instant.ms(0).duration(to: await finished.values.max()!)
        result.ideal = window * ((processes * requestsEach - 1) / limit)
        return result
    }
}

@Suite(.timeLimit(.minutes(2))) struct PacingFairShareTests {
    @Test func oneProcessLosesNothing() async throws {
        let result = try await FairShareSimulation(processes: 1, requestsEach: 300).run()
        print("fair share, 1 process: \(result)")
        #expect(result.refused == 0)
        #expect(result.efficiency >= 0.95)
        #expect(result.mostInWindow <= 60)
    }

    @Test func fourProcessesConvergeToAFairShare() async throws {
        let result = try await FairShareSimulation(processes: 4, requestsEach: 150).run()
        print("fair share, 4 processes: \(result)")
        #expect(result.refusedShare <= 0.02)
        #expect(result.efficiency >= 0.85)
    }
}

@Suite struct PacingFairShareProbe {
    @Test(arguments: [1, 2, 3, 4]) func probe(processes: Int) async throws {
        let simulation = FairShareSimulation(processes: processes, requestsEach: 600 / processes)
        let result = try await simulation.run()
        print("probe \(processes): \(result) elapsed \(result.elapsed)")
    }
}
