import Foundation

/// A clock that only moves when told to, for tests.
public final class ManualSandboxClock: SandboxClock {
    private let current: Locked<Date>

    public init(_ start: Date = Date()) {
        self.current = Locked(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.addingTimeInterval(duration.sandboxSeconds) }
    }
}
