import Foundation
import Testing

/// A clock that only moves when a test says so. `sleep(until:)` suspends until `advance` reaches the
/// deadline (or the sleeping task is cancelled); tests inspect the pending deadlines.
final class ManualClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleepers: [Sleeper] = []
    private var cancelled: Set<UInt64> = []
    private var nextID: UInt64 = 0

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .zero }

    /// Deadlines of the tasks sleeping now, ascending.
    var pendingDeadlines: [Instant] { lock.withLock { sleepers.map(\.deadline).sorted() } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = lock.withLock {
                    if cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= current { return .success(()) }
                    sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper: Sleeper? = lock.withLock {
                if let index = sleepers.firstIndex(where: { $0.id == id }) { return sleepers.remove(at: index) }
                cancelled.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has come.
    func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time to `instant` (never backwards), waking every sleeper whose deadline has come.
    func advance(to instant: Instant) {
        let due: [Sleeper] = lock.withLock {
            current = max(current, instant)
            let due = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Yields until some task sleeps on this clock or `done()` holds; false if neither ever happens.
    func waitForSleeper(orUntil done: () async -> Bool = { false }) async -> Bool {
        for _ in 0..<200_000 {
            if !pendingDeadlines.isEmpty { return true }
            if await done() { return false }
            await Task.yield()
        }
        Issue.record("ManualClock: nothing went to sleep")
        return false
    }

    /// Drives time: whenever a task sleeps, jump to the earliest deadline; stop when `done()` holds.
    func run(until done: () async -> Bool) async {
        while await waitForSleeper(orUntil: done) {
            if let next = pendingDeadlines.first { advance(to: next) }
        }
    }
}

extension ManualClock.Instant {
    /// An instant `milliseconds` after the clock's start, for readable expectations.
    static func ms(_ milliseconds: Int) -> Self { Self(offset: .milliseconds(milliseconds)) }
}
