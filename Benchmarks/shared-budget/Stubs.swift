// Just enough of the library for SharedBudget.swift to compile alone (see run.sh).
import Foundation

final class NIOLockedValueBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLockedValue<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

public struct SwiftLogNoOpLogHandler {
    public init() {}
}

public struct Logger: Sendable {
    public init(label: String, factory: (String) -> SwiftLogNoOpLogHandler) {}
    func warning(_ message: @autoclosure () -> String) {}
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
