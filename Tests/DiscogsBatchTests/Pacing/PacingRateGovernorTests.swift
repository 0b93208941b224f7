import Testing

@testable import DiscogsBatch

/// Collects values from concurrent tasks.
actor PacingRecorder<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(_ value: Value) { values.append(value) }
    var count: Int { values.count }
}

/// Every run of `limit + 1` consecutive sends spans more than `window`: no window of that length
/// (closed or open) holds more than `limit` sends.
func expectNoWindowExceeds(
    _ times: [ManualClock.Instant], limit: Int, window: Duration, sourceLocation: SourceLocation = #_sourceLocation
) {
    let sorted = times.sorted()
    for index in 0..<max(0, sorted.count - limit) {
        let spread = sorted[index].duration(to: sorted[index + limit])
        #expect(spread > window, "sends \(index)...\(index + limit) within \(spread)", sourceLocation: sourceLocation)
    }
}

/// Runs `clock` (jumping to each deadline as tasks sleep) until `task` finishes, and returns its value.
func driveManualClock<T: Sendable>(_ clock: ManualClock, _ task: Task<T, any Error>) async throws -> T {
    let finished = PacingRecorder<Bool>()
    Task {
        _ = await task.result
        await finished.append(true)
    }
    await clock.run(until: { await finished.count > 0 })
    return try await task.value
}

@Suite(.timeLimit(.minutes(1))) struct PacingRateGovernorTests {
    @Test func hundredSequentialAcquiresAtTwentyPerTwoSeconds() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 20, window: .seconds(2))
        let consumer = Task {
            var times: [ManualClock.Instant] = []
            for _ in 0..<100 { times.append(try await governor.acquire()) }
            return times
        }
        let times = try await driveManualClock(clock, consumer)
        #expect(times.count == 100)
        expectNoWindowExceeds(times, limit: 20, window: .seconds(2))
        // Scheduled exactly: bursts of 20 every window + 100 ms margin.
        for (index, time) in times.enumerated() { #expect(time == .ms(2100 * (index / 20))) }
    }

    @Test func eightConcurrentTasksShareOneBudget() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 20, window: .seconds(2))
        let recorder = PacingRecorder<ManualClock.Instant>()
        let workers = (0..<8).map { _ in
            Task {
                for _ in 0..<13 { await recorder.append(try await governor.acquire()) }
            }
        }
        await clock.run(until: { await recorder.count == 104 })
        for worker in workers { try await worker.value }
        let times = await recorder.values
        #expect(times.count == 104)
        expectNoWindowExceeds(times, limit: 20, window: .seconds(2))
        #expect(times.max() == .ms(5 * 2100))  // 104 = 5 full bursts + 4: no time wasted
        #expect(await governor.waitingCount == 0)
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 1, window: .seconds(1), safetyMargin: .zero)
        try await governor.acquire()
        let order = PacingRecorder<String>()
        var tasks: [Task<Void, any Error>] = []
        for name in ["a", "b", "c", "d"] {
            tasks.append(
                Task {
                    try await governor.acquire()
                    await order.append(name)
                })
            while await governor.waitingCount < tasks.count { await Task.yield() }
        }
        await clock.run(until: { await order.count == 4 })
        #expect(await order.values == ["a", "b", "c", "d"])
        #expect(clock.now == .ms(4000))
    }

    @Test func headerFeedbackSlowsDown() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 10, window: .seconds(10), safetyMargin: .zero)
        let first = try await governor.acquire()
        let second = try await governor.acquire()
        await governor.settle(grantedAt: first)
        await governor.settle(grantedAt: second)
        // Another program on the same IP used 4: the server says 4 remain where we believe 8. This
        // process keeps to its proportion of the window, 10 × 2 / 6 = 3, and spaces its sends at
        // twice the pace of the 6 the other leaves: one more at 10 s / 12, the next when its first
        // send expires.
        await governor.observe(limit: 10, used: 6, remaining: 4)
        let third = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, third) == .ms(0).advanced(by: .nanoseconds(10_000_000_000 / 12)))
        let fourth = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, fourth) == .ms(10_000))
    }

    /// Answers that arrive after the server counted sends still in flight block the window for a
    /// moment; the answer that explains them wakes the governor at once, not a window later.
    @Test func aWaiterBlockedBySendsInFlightGoesWhenTheirAnswersArrive() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 4, window: .seconds(10), safetyMargin: .zero)
        let sends = [try await governor.acquire(), try await governor.acquire()]
        // The server has counted both; the first answer makes the second look like someone else's.
        await governor.settle(grantedAt: sends[0], limit: 4, used: 2, remaining: 2)
        try await governor.acquire()  // 3 own + 1 "foreign": the window is full
        let next = Task { try await governor.acquire() }
        _ = await clock.waitForSleeper()
        #expect(clock.pendingDeadlines == [.ms(10_000)])
        clock.advance(by: .milliseconds(5))
        await governor.settle(grantedAt: sends[1], limit: 4, used: 2, remaining: 2)  // the third not counted yet
        #expect(try await driveManualClock(clock, next) == .ms(5))
    }

    @Test func lowerServerLimitLowersBudget() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 60, window: .seconds(60), reserve: 2, safetyMargin: .zero)
        await governor.observe(limit: 25, used: 0, remaining: 25)
        for _ in 0..<23 { #expect(try await governor.acquire() == .ms(0)) }
        let next = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, next) == .ms(60_000))
    }

    @Test func tooManyRequestsBlocksUntilRetryAfter() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 10, window: .seconds(10), safetyMargin: .zero)
        try await governor.acquire()
        await governor.penalize(retryAfter: .seconds(3))
        let next = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, next) == .ms(3000))
    }

    @Test func tooManyRequestsWithoutRetryAfterWaitsForOldestSend() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 10, window: .seconds(10), safetyMargin: .seconds(1))
        try await governor.acquire()
        clock.advance(by: .seconds(2))
        try await governor.acquire()
        await governor.penalize(retryAfter: nil)
        let next = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, next) == .ms(11_000))
    }

    /// A 429 that arrives while the governor already sleeps towards a slot pushes that slot back.
    @Test func penaltyDuringWaitIsHonoured() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 1, window: .seconds(10), safetyMargin: .zero)
        try await governor.acquire()
        let next = Task { try await governor.acquire() }
        _ = await clock.waitForSleeper()
        #expect(clock.pendingDeadlines == [.ms(10_000)])
        await governor.penalize(retryAfter: .seconds(15))
        #expect(try await driveManualClock(clock, next) == .ms(15_000))
    }

    @Test func windowFreesAfterIdle() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 5, window: .seconds(1))
        for _ in 0..<5 { try await governor.acquire() }
        clock.advance(by: .milliseconds(1100))
        for _ in 0..<5 { #expect(try await governor.acquire() == .ms(1100)) }
        #expect(clock.pendingDeadlines.isEmpty)
    }

    @Test func cancelledWaiterLeavesNoTrace() async throws {
        let clock = ManualClock()
        let governor = RateGovernor(clock: clock, limit: 1, window: .seconds(1), safetyMargin: .zero)
        try await governor.acquire()
        let waiting = Task { try await governor.acquire() }
        while await governor.waitingCount == 0 { await Task.yield() }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(await governor.waitingCount == 0)
        #expect(await governor.slidingWindow.sends == [.ms(0)])
        let next = Task { try await governor.acquire() }
        #expect(try await driveManualClock(clock, next) == .ms(1000))
    }

    @Test func alreadyCancelledTaskThrowsAtOnce() async {
        let governor = RateGovernor(clock: ManualClock(), limit: 1, window: .seconds(1))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await governor.acquire()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(await governor.slidingWindow.sends.isEmpty)
    }

    @Test func defaultClockIsContinuous() async throws {
        let governor = RateGovernor(limit: 2, window: .seconds(60))
        try await governor.acquire()
        #expect(await governor.slidingWindow.margin == .milliseconds(1200))
    }
}
