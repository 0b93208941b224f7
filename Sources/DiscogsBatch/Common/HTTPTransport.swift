/// What the executor sends and receives; the real one is `HTTPClientTransport`, tests may substitute.
public protocol HTTPTransport: Sendable {
    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse
    func shutdown() async
}

public struct TransportRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct TransportResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by name compared without regard to ASCII case.
    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// Whether two header names are the same, ASCII letters compared without regard to case.
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        func same(_ x: UInt8, _ y: UInt8) -> Bool {
            x == y || (x | 0x20 == y | 0x20 && (0x61...0x7A).contains(x | 0x20))
        }
        // In place for the native strings names are; element by element otherwise.
        let inPlace = a.utf8.withContiguousStorageIfAvailable { a in
            b.utf8.withContiguousStorageIfAvailable { b in (0..<a.count).allSatisfy { same(a[$0], b[$0]) } }
        }
        return (inPlace ?? nil) ?? zip(a.utf8, b.utf8).allSatisfy(same)
    }
}

/// Why no response came, in the terms of SPEC §3 error kinds and the retry rules.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case timeout, connection, tls, decode, cancelled
        /// The connection was never established: nothing was sent, so even POST may be retried.
        case connectionRefused
        /// The request cannot be sent as it is (its URL or a header): nothing was sent, and retrying would fail alike.
        case invalid
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
