import Foundation

/// Where OAuth nonces and timestamps come from; injected so that tests are deterministic.
public struct OAuthNonceSource: Sendable {
    /// A fresh nonce per call.
    public var nonce: @Sendable () -> String
    /// The current time in seconds since 1970.
    public var timestamp: @Sendable () -> Int

    /// Creates a source from two closures.
    public init(nonce: @escaping @Sendable () -> String, timestamp: @escaping @Sendable () -> Int) {
        self.nonce = nonce
        self.timestamp = timestamp
    }

    /// 128 random bits as 32 hex digits, and the system's wall clock.
    public static let system = OAuthNonceSource(
        nonce: {
            var generator = SystemRandomNumberGenerator()
            return (0..<2).map { _ in
                let hex = String(generator.next() as UInt64, radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
        },
        timestamp: { Int(Date().timeIntervalSince1970) }
    )

    /// Always the same nonce and timestamp: for tests only.
    public static func fixed(nonce: String, timestamp: Int) -> OAuthNonceSource {
        OAuthNonceSource(nonce: { nonce }, timestamp: { timestamp })
    }
}
