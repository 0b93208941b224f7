import Foundation

/// Where the sandbox reads wall-clock time: OAuth timestamps and request-token expiry.
/// Inject ``ManualSandboxClock`` in tests; rate-limit windows always run on real time.
public protocol SandboxClock: Sendable {
    func now() -> Date
}
