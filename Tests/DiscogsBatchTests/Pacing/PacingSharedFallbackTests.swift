import NIOConcurrencyHelpers
import Testing

@testable import DiscogsBatch

/// A shared budget that grants `grants` sends, then fails, counting the calls made to it.
final class FailingBudget: SharedRateBudget {
    let fallbackBudget: Int?
    private let calls = NIOLockedValueBox((reserves: 0, settles: [Int64]()))
    private let grants: Int

    init(grants: Int, fallbackBudget: Int?) {
        self.grants = grants
        self.fallbackBudget = fallbackBudget
    }

    var reserves: Int { calls.withLockedValue { $0.reserves } }
    var settles: [Int64] { calls.withLockedValue { $0.settles } }

    struct Down: Error {}

    func reserveSend() async throws -> SharedBudget.Reservation {
        let call = calls.withLockedValue { calls in
            calls.reserves += 1
            return calls.reserves
        }
        guard call <= grants else { throw Down() }
        return .granted(Int64(1000 + call))
    }

    func settleSend(granted stamp: Int64) { calls.withLockedValue { $0.settles.append(stamp) } }
    func flushSends() async throws {}
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
