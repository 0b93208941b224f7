import Foundation

/// Paces every send of a run: no sliding window of `window` (+ margin) ever holds more than
/// `limit - reserve` sends, whatever the number of concurrent callers, which are served in FIFO order.
/// Time comes from an injected `Clock` so that tests drive it.
public actor RateGovernor<C: Clock> where C.Duration == Duration {
    /// The clock all pacing decisions use.
    public nonisolated let clock: C
    /// The pure policy state (send times, foreign sends, block).
    public private(set) var slidingWindow: SlidingWindow<C.Instant>

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<C.Instant, any Error>
    }

    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    private var pumping = false

    /// The budget shared with other processes, consulted after the local window allows a send; nil
    /// from its first failure on.
    private var shared: (any SharedRateBudget)?

    /// The clock's instant at construction and its date: the shared budget's stamps (which other
    /// processes read) are the clock's instants placed on the calendar from there, so that every
    /// decision follows the one clock and a test's manual clock drives the shared budget too.
    private let epoch: (instant: C.Instant, date: Date)

    /// A governor allowing `limit - reserve` sends per `window` (at most `share`, when set);
    /// `safetyMargin` defaults to `SlidingWindow.defaultMargin(for: window)` (2% of the window, at
    /// least 100 ms). `epoch` is the calendar date of the clock's present instant.
    public init(
        clock: C = ContinuousClock(), limit: Int, window: Duration, reserve: Int = 0, safetyMargin: Duration? = nil,
        shared: (any SharedRateBudget)? = nil, share: Int? = nil, epoch: Date = Date()
    ) {
        self.clock = clock
        self.shared = shared
        self.epoch = (clock.now, epoch)
        slidingWindow = SlidingWindow(
            limit: limit, window: window, reserve: reserve,
            margin: safetyMargin ?? SlidingWindow<C.Instant>.defaultMargin(for: window))
        slidingWindow.share = share
        slidingWindow.learnsFairShare = !(shared?.spansHosts ?? false)
    }

    /// `instant` of the clock as a calendar date, for the shared budget.
    private func date(_ instant: C.Instant) -> Date {
        let elapsed = epoch.instant.duration(to: instant).components
        return epoch.date.addingTimeInterval(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
    }

    /// Stamps of this process's sends in the shared budget, by the instant they were granted.
    private var sharedStamps: [C.Instant: [Int64]] = [:]

    /// What the shared budget answered for one send.
    private enum SharedAnswer {
        /// Send now; the stamp, when there is a shared budget, is what `settle` moves later.
        case granted(Int64?)
        case wait(Duration)
        /// It failed and is dropped for the rest of the run: the local window alone paces this process
        /// from now on, capped at the budget's fallback share, so the slot must be found again.
        case failed
    }

    private func askShared() async -> SharedAnswer {
        guard let budget = shared else { return .granted(nil) }
        do {
            switch try await budget.reserveSend(now: date(clock.now)) {
            case .granted(let stamp): return .granted(stamp)
            case .wait(let duration): return .wait(duration)
            }
        } catch {
            shared = nil
            if let fallback = budget.fallbackBudget { slidingWindow.share = min(fallback, slidingWindow.share ?? .max) }
            slidingWindow.learnsFairShare = true
            return .failed
        }
    }

    /// Waits until one send is allowed, records it and returns its instant. Throws `CancellationError`
    /// when the calling task is cancelled while waiting (no send is recorded then).
    @discardableResult
    public func acquire() async throws -> C.Instant {
        try Task.checkCancellation()
        let now = clock.now
        // With a shared budget every send goes through the pump, which asks it one call at a time.
        if shared == nil, waiters.isEmpty, slidingWindow.earliestSlot(now: now) <= now {
            slidingWindow.grant(at: now)
            return now
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append(Waiter(id: id, continuation: continuation))
                startPumpIfNeeded()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Feeds the three `X-Discogs-Ratelimit*` headers of a response (see `SlidingWindow.observe`).
    /// `at` defaults to now.
    public func observe(limit: Int?, used: Int?, remaining: Int?, at instant: C.Instant? = nil) {
        slidingWindow.observe(limit: limit, used: used, remaining: remaining, at: instant ?? clock.now)
        wakeIfSooner()
    }

    /// Counts the send granted at `granted` from now on, when its response (or failure) has come back.
    public func settle(grantedAt granted: C.Instant) {
        settle(grantedAt: granted, limit: nil, used: nil, remaining: nil)
    }

    /// `settle(grantedAt:)`, then `observe` the response's rate headers, as those of the send granted
    /// at `granted`, which the server `refused` (429) or counted: one call onto the actor per response.
    public func settle(grantedAt granted: C.Instant, limit: Int?, used: Int?, remaining: Int?, refused: Bool = false) {
        let now = clock.now
        slidingWindow.settle(grantedAt: granted, at: now, refused: refused)
        if var stamps = sharedStamps.removeValue(forKey: granted), let stamp = stamps.popLast() {
            shared?.settleSend(granted: stamp, now: date(now))
            if !stamps.isEmpty { sharedStamps[granted] = stamps }
        }
        slidingWindow.observe(limit: limit, used: used, remaining: remaining, sentAt: granted, refused: refused, at: now)
        wakeIfSooner()
    }

    /// Writes what the shared budget still holds in memory; call once the run's last response is in.
    /// A failure here changes nothing for this run: the budget has logged it.
    public func finish() async {
        do {
            try await shared?.flushSends(now: date(clock.now))
        } catch {}
    }

    /// After a 429: blocks every send until `retryAfter` has passed, or, without it, until the oldest
    /// counted send leaves the window; but not at all when, without `retryAfter`, the same answer's
    /// rate headers say `free` requests are left in the window (sends are then paced as usual).
    public func penalize(retryAfter: Duration?, free: Int? = nil) {
        if retryAfter == nil, let free, free > 0 { return }
        slidingWindow.penalize(retryAfter: retryAfter, at: clock.now)
    }

    /// The number of callers currently waiting in `acquire()`.
    public var waitingCount: Int { waiters.count }

    // MARK: - Serving waiters

    private func startPumpIfNeeded() {
        guard !pumping else { return }
        pumping = true
        Task { await self.pump() }
    }

    /// Serves waiters in order, sleeping on the clock until the next slot; re-evaluates after every
    /// wake-up, so a `penalize` or `observe` that arrives meanwhile takes effect.
    private func pump() async {
        while !waiters.isEmpty {
            let now = clock.now
            let slot = slidingWindow.earliestSlot(now: now)
            if slot <= now {
                let stamp: Int64?
                switch await askShared() {
                case .granted(let granted): stamp = granted
                case .wait(let wait):
                    try? await clock.sleep(until: now.advanced(by: wait), tolerance: nil)
                    continue
                case .failed: continue
                }
                // The caller may have been cancelled meanwhile: the send goes to the next one, if any.
                let granted = clock.now
                guard let waiter = waiters.first else {
                    if let stamp { shared?.settleSend(granted: stamp, now: date(granted)) }
                    break
                }
                waiters.removeFirst()
                slidingWindow.grant(at: granted)
                if let stamp { sharedStamps[granted, default: []].append(stamp) }
                waiter.continuation.resume(returning: granted)
            } else {
                await sleep(until: slot)
            }
        }
        pumping = false
    }

    /// The pump's sleep towards a slot of the local window, which a settle or report can cut short.
    private var sleeper: (task: Task<Void, Never>, until: C.Instant)?

    private func sleep(until slot: C.Instant) async {
        let clock = clock
        let task = Task { _ = try? await clock.sleep(until: slot, tolerance: nil) }
        sleeper = (task, slot)
        await task.value
        sleeper = nil
    }

    /// Wakes the pump when what just changed (an answer explaining sends taken for someone else's,
    /// a server limit back up) allows a send before the slot it sleeps towards.
    private func wakeIfSooner() {
        guard let sleeper, slidingWindow.earliestSlot(now: clock.now) < sleeper.until else { return }
        sleeper.task.cancel()
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
