import Foundation
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
    /// Seeds the latency draws.
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// Whether each process learns a fair share (`SlidingWindow.learnsFairShare`).
    var learnsFairShare = true
    /// Milliseconds between one process's start and the next's.
    var stagger = 0
    /// Prints every 429 with the processes' parts.
    var trace = false

    struct Result: CustomStringConvertible {
        var sends = 0
        var refused = 0
        var elapsed: Duration = .zero
        var ideal: Duration = .zero
        var mostInWindow = 0
        /// When the server refused, for a report of where 429s cluster.
        var refusedAt: [Duration] = []
        /// Sends accepted in each window-long interval from the start.
        var accepted: [Int] = []
        /// When each process had its last answer.
        var finished: [Duration] = []
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
        private var random: UInt64

        init(limit: Int, window: Duration, seed: UInt64) {
            self.limit = limit
            self.window = window
            random = seed
        }

        func admit(at now: ManualClock.Instant) -> (accepted: Bool, used: Int, remaining: Int) {
            lock.withLock {
                accepted.removeAll { $0 <= now.advanced(by: .zero - window) }
                result.sends += 1
                guard accepted.count < limit else {
                    result.refused += 1
                    result.refusedAt.append(now.offset)
                    return (false, limit, 0)
                }
                accepted.append(now)
                let interval = Int(now.offset / window)
                while result.accepted.count <= interval { result.accepted.append(0) }
                result.accepted[interval] += 1
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

    /// One process: its window (the governor's policy) and its workers' state.
    private struct Process {
        var window: SlidingWindow<ManualClock.Instant>
        var remaining: Int
        var waiting = 0
        var working: Int
        var finished: ManualClock.Instant?
        /// The slot the next pump is scheduled for, if any (one at a time).
        var pumpAt: ManualClock.Instant?
    }

    private enum Event {
        case pump(Int)
        case arrive(Int, granted: ManualClock.Instant)
        case answer(Int, granted: ManualClock.Instant, accepted: Bool, used: Int, remaining: Int)
    }

    /// A discrete-event run on the manual clock's instants: each process's `SlidingWindow` is driven
    /// exactly as `RateGovernor` drives it (FIFO grants at `earliestSlot`, then `settle` and `observe`
    /// with the answer's figures, `penalize` after a 429 and the request asked for again), every
    /// event in time order, so that a run is deterministic.
    func run() -> Result {
        let server = Server(limit: limit, window: window, seed: seed)
        let margin = SlidingWindow<ManualClock.Instant>.defaultMargin(for: window)
        var processes = (0..<processes).map { _ in
            var window = SlidingWindow<ManualClock.Instant>(limit: limit, window: window, margin: margin)
            window.learnsFairShare = learnsFairShare
            return Process(window: window, remaining: requestsEach, working: workers)
        }
        var events: [(at: ManualClock.Instant, order: Int, event: Event)] = []
        var order = 0
        func schedule(_ at: ManualClock.Instant, _ event: Event) {
            order += 1
            let index = events.firstIndex { ($0.at, $0.order) > (at, order) } ?? events.endIndex
            events.insert((at, order, event), at: index)
        }
        let start = ManualClock.Instant.ms(0)
        for index in processes.indices {
            for _ in 0..<workers where processes[index].remaining > 0 {
                processes[index].remaining -= 1
                processes[index].waiting += 1
            }
            schedule(start.advanced(by: .milliseconds(index * stagger)), .pump(index))
        }
        while !events.isEmpty {
            let (now, _, event) = events.removeFirst()
            switch event {
            case .pump(let index):
                if processes[index].pumpAt == now { processes[index].pumpAt = nil }
                while processes[index].waiting > 0 {
                    let slot = processes[index].window.earliestSlot(now: now)
                    if slot > now {
                        if processes[index].pumpAt.map({ slot < $0 }) ?? true {
                            processes[index].pumpAt = slot
                            schedule(slot, .pump(index))
                        }
                        break
                    }
                    processes[index].window.grant(at: now)
                    processes[index].waiting -= 1
                    schedule(now.advanced(by: .milliseconds(server.draw(latency))), .arrive(index, granted: now))
                }
            case .arrive(let index, let granted):
                let answer = server.admit(at: now)
                schedule(
                    now.advanced(by: .milliseconds(server.draw(latency))),
                    .answer(index, granted: granted, accepted: answer.accepted, used: answer.used, remaining: answer.remaining))
            case .answer(let index, let granted, let accepted, let used, let remaining):
                processes[index].window.settle(grantedAt: granted, at: now, refused: !accepted)
                processes[index].window.observe(
                    limit: limit, used: used, remaining: remaining, sentAt: granted, refused: !accepted, at: now)
                if trace, !accepted {
                    print("429 at \(now.offset.milliseconds) ms to process \(index); parts \(processes.map(\.window.ownLimit))")
                }
                if !accepted {
                    processes[index].window.penalize(retryAfter: nil, at: now)
                    processes[index].waiting += 1
                } else if processes[index].remaining > 0 {
                    processes[index].remaining -= 1
                    processes[index].waiting += 1
                } else {
                    processes[index].working -= 1
                    if processes[index].working == 0 { processes[index].finished = now }
                }
                schedule(now, .pump(index))
            }
        }
        var result = server.counts
        result.elapsed = start.duration(to: processes.compactMap(\.finished).max()!)
        result.finished = processes.compactMap { $0.finished.map(start.duration) }
        result.ideal = window * ((processes.count * requestsEach - 1) / limit)
        return result
    }
}

@Suite(.timeLimit(.minutes(2))) struct PacingFairShareTests {
    @Test func oneProcessLosesNothing() {
        let result = FairShareSimulation(processes: 1, requestsEach: 300).run()
        print("fair share, 1 process: \(result)")
        #expect(result.refused == 0)
        #expect(result.efficiency >= 0.95)
        #expect(result.mostInWindow <= 60)
    }

    /// The target: 4 processes on one address, no shared store, 150 requests each.
    @Test(arguments: [0, 20]) func fourProcessesShareTheAddress(stagger: Int) {
        var simulation = FairShareSimulation(processes: 4, requestsEach: 150)
        simulation.stagger = stagger
        let result = simulation.run()
        print("fair share, 4 processes, started \(stagger) ms apart: \(result)")
        #expect(result.refusedShare <= 0.02)
        #expect(result.efficiency >= 0.85)
    }

    /// 2 to 6 processes, latencies from loopback to a distant host: the same targets hold.
    @Test(arguments: [2, 3, 6], [1...2, 2...8, 10...40])
    func moreOrFewerProcesses(processes: Int, latency: ClosedRange<Int>) {
        let result = FairShareSimulation(processes: processes, requestsEach: 600 / processes, latency: latency).run()
        #expect(result.refusedShare <= 0.02, "\(result)")
        #expect(result.efficiency >= 0.85, "\(result)")
    }

    /// Without learning a share (the behaviour before it), the same 4 processes race for the room.
    @Test func withoutLearningFourProcessesTripTheLimit() {
        var simulation = FairShareSimulation(processes: 4, requestsEach: 150)
        simulation.learnsFairShare = false
        let result = simulation.run()
        print("fair share off, 4 processes: \(result)")
        #expect(result.refusedShare > 0.05)
    }
}

/// Prints the figures; asserts nothing. A measurement, not a test: `FAIR_SHARE_PROBE=1 swift test
/// --filter PacingFairShareProbe` runs it.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FAIR_SHARE_PROBE"] != nil))
struct PacingFairShareProbe {
    @Test(arguments: [1, 2, 3, 4]) func probe(processes: Int) {
        var simulation = FairShareSimulation(processes: processes, requestsEach: 600 / processes)
        simulation.trace = processes == 4
        let result = simulation.run()
        print("probe \(processes): \(result) elapsed \(result.elapsed) per window \(result.accepted) finished \(result.finished) 429s at \(result.refusedAt.map { Int($0.milliseconds) })")
    }

    /// 2, 3, 4 and 6 processes × 4 seeds × three latencies: each run's figures, then the mean and the worst.
    @Test(arguments: [0, 20, 500]) func grid(stagger: Int) {
        var grid: [(processes: Int, result: FairShareSimulation.Result)] = []
        for processes in [2, 3, 4, 6] {
            for latency in [1...2, 2...8, 10...40] {
                for seed in [1, 2, 3, 4] as [UInt64] {
                    var simulation = FairShareSimulation(processes: processes, requestsEach: 600 / processes, latency: latency)
                    simulation.seed = seed &* 0x9E37_79B9_7F4A_7C15
                    simulation.stagger = stagger
                    let result = simulation.run()
                    grid.append((processes, result))
                    print("grid \(processes) \(latency) \(seed) stagger \(stagger): \(result)")
                }
            }
        }
        let four: [FairShareSimulation.Result] = grid.filter { $0.processes == 4 }.map(\.result)
        let runs: [FairShareSimulation.Result] = grid.map(\.result)
        let mean = runs.map(\.efficiency).reduce(0, +) / Double(runs.count)
        let refused = Double(runs.map(\.refused).reduce(0, +)) / Double(runs.map(\.sends).reduce(0, +))
        print(
            "grid, started \(stagger) ms apart: mean efficiency \(mean), 429s \(refused) of the sends; worst run \(runs.map(\.efficiency).min()!), "
                + "most 429s \(runs.map(\.refusedShare).max()!); 4 processes: worst \(four.map(\.efficiency).min()!), most 429s \(four.map(\.refusedShare).max()!)")
    }
}
