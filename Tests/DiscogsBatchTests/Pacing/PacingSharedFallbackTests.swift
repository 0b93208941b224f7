import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import DiscogsBatch

/// A shared budget that grants `grants` sends, then fails, counting the calls made to it.
final class FailingBudget: SharedRateBudget {
    let fallbackBudget: Int?
    /// A database's budget when there is a fallback, as `PostgresBudget`; the machine's file otherwise.
    var spansHosts: Bool { fallbackBudget != nil }
    private let calls = NIOLockedValueBox((reserves: 0, settles: [Int64](), times: [Date]()))
    private let grants: Int

    init(grants: Int, fallbackBudget: Int?) {
        self.grants = grants
        self.fallbackBudget = fallbackBudget
    }

    var reserves: Int { calls.withLockedValue { $0.reserves } }
    var settles: [Int64] { calls.withLockedValue { $0.settles } }
    /// The `now` of every reserve and settle, in order.
    var times: [Date] { calls.withLockedValue { $0.times } }

    struct Down: Error {}

    func reserveSend(now: Date) async throws -> SharedBudget.Reservation {
        let call = calls.withLockedValue { calls in
            calls.reserves += 1
            calls.times.append(now)
            return calls.reserves
        }
        guard call <= grants else { throw Down() }
        return .granted(Int64(1000 + call))
    }

    func settleSend(granted stamp: Int64, now: Date) {
        calls.withLockedValue { calls in
            calls.settles.append(stamp)
            calls.times.append(now)
        }
    }

    func flushSends(now: Date) async throws {}
}

@Suite(.timeLimit(.minutes(1))) struct PacingSharedFallbackTests {
    @Test func aFailingSharedBudgetLeavesTheLocalWindowAtItsFallbackShare() async throws {
        let clock = ManualClock()
        let budget = FailingBudget(grants: 5, fallbackBudget: 5)
        let governor = RateGovernor(clock: clock, limit: 20, window: .seconds(2), shared: budget)
        let consumer = Task {
            var times: [ManualClock.Instant] = []
            for _ in 0..<15 {
                let granted = try await governor.acquire()
                times.append(granted)
                await governor.settle(grantedAt: granted)
            }
            return times
        }
        let times = try await driveManualClock(clock, consumer)
        // Five through the shared budget, then its failure: asked once more, never again.
        #expect(budget.reserves == 6)
        #expect(budget.settles == [1001, 1002, 1003, 1004, 1005])
        #expect(await governor.slidingWindow.ownLimit == 5)
        // The five granted before the failure count in the fallback window: 5 per 2.1 s from the start.
        for (index, time) in times.enumerated() { #expect(time == .ms(2100 * (index / 5))) }
        expectNoWindowExceeds(times, limit: 5, window: .seconds(2))
    }

    /// While a database paces every host, the others' sends in the headers are counted there: no
    /// share is learnt from them. Once it fails, the process is on its own and learns one (its
    /// fallback, `rate.peers: 1`, is the whole budget).
    @Test func aBudgetAcrossHostsLeavesFairSharingOffUntilItFails() async throws {
        let clock = ManualClock()
        let budget = FailingBudget(grants: 1, fallbackBudget: 20)
        let governor = RateGovernor(clock: clock, limit: 20, window: .seconds(2), shared: budget)
        let first = try await driveManualClock(clock, Task { try await governor.acquire() })
        await governor.settle(grantedAt: first, limit: 20, used: 15, remaining: 5)
        #expect(await governor.slidingWindow.learnsFairShare == false)
        #expect(await governor.slidingWindow.ownLimit == 20)
        let second = try await driveManualClock(clock, Task { try await governor.acquire() })
        #expect(budget.reserves == 2)
        await governor.settle(grantedAt: second, limit: 20, used: 16, remaining: 4)
        // 2 own of 16: 20 × 2 / 16 = 2.5.
        #expect(await governor.slidingWindow.learnsFairShare)
        #expect(await governor.slidingWindow.ownLimit == 2)
        let machine = RateGovernor(clock: clock, limit: 20, window: .seconds(2), shared: FailingBudget(grants: 1, fallbackBudget: nil))
        #expect(await machine.slidingWindow.learnsFairShare)
    }

    @Test func theSharedBudgetIsAskedOnTheGovernorsClock() async throws {
        let clock = ManualClock()
        let budget = FailingBudget(grants: 3, fallbackBudget: 1)
        let epoch = Date(timeIntervalSince1970: 1_800_000_000)
        let governor = RateGovernor(clock: clock, limit: 2, window: .seconds(2), shared: budget, epoch: epoch)
        let consumer = Task {
            for _ in 0..<3 {
                let granted = try await governor.acquire()
                clock.advance(by: .milliseconds(250))
                await governor.settle(grantedAt: granted)
            }
        }
        try await driveManualClock(clock, consumer)
        // Reserve at 0, settle at 0.25 s; reserve at 0.25 s, settle at 0.5 s; the third waits for the
        // first send (settled at 0.25 s) to leave the 2.1 s span: reserve at 2.35 s, settle at 2.6 s.
        let seconds = budget.times.map { ($0.timeIntervalSince(epoch) * 1000).rounded() / 1000 }
        #expect(seconds == [0, 0.25, 0.25, 0.5, 2.35, 2.6])
    }

    @Test func aFailingMachineFileLeavesTheFullBudget() async throws {
        let clock = ManualClock()
        let budget = FailingBudget(grants: 0, fallbackBudget: nil)
        let governor = RateGovernor(clock: clock, limit: 20, window: .seconds(2), shared: budget)
        let consumer = Task {
            var times: [ManualClock.Instant] = []
            for _ in 0..<40 { times.append(try await governor.acquire()) }
            return times
        }
        let times = try await driveManualClock(clock, consumer)
        #expect(budget.reserves == 1)
        for (index, time) in times.enumerated() { #expect(time == .ms(2100 * (index / 20))) }
    }

    @Test func peersSplitTheBudgetWithoutADatabase() async throws {
        let governor = RateGovernor(clock: ManualClock(), limit: 60, window: .seconds(6), reserve: 4, share: 14)
        #expect(await governor.slidingWindow.ownLimit == 14)
        let alone = RateGovernor(clock: ManualClock(), limit: 60, window: .seconds(6), reserve: 4, share: 100)
        #expect(await alone.slidingWindow.ownLimit == 56)
    }
}
