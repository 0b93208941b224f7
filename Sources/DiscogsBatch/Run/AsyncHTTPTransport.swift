import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `HTTPTransport` over one AsyncHTTPClient whose lifetime the run owns. Redirects are not followed
/// here: the executor follows them itself so it can drop credentials across origins.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    /// Largest body accepted, in bytes.
    public let maxBodyBytes: Int

    public init(connectionsPerHost: Int, connectTimeout: Duration = .seconds(10), maxBodyBytes: Int = 64 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        // No tracing: by default the client opens a span per request on the global (no-op) tracer and
        // parses the URL again for its attributes, a few percent of a run's CPU.
        configuration.tracing.tracer = nil
        configuration.timeout = .init(connect: .nanoseconds(connectTimeout.nanoseconds))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connectionsPerHost))
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
            let response = try await client.execute(outgoing, deadline: deadline)
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            return TransportResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer.readableBytesView))
        } catch {
            throw Self.classify(error)
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Maps client errors onto the record's error kinds; "refused" only where nothing can have been sent.
    static func classify(_ error: any Error) -> TransportError {
        if error is CancellationError { return TransportError(.cancelled, "cancelled") }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return TransportError(.timeout, "timed out waiting for the response")
            case .connectTimeout, .getConnectionFromPoolTimeout:
                return TransportError(.connectionRefused, "timed out connecting")
            case .tlsHandshakeTimeout:
                return TransportError(.tls, "TLS handshake timed out")
            case .cancelled:
                return TransportError(.cancelled, "cancelled")
            case .bodyLengthMismatch, .remoteConnectionClosed:
                return TransportError(.connection, "the connection closed before the whole response arrived")
            default:
                if "\(error)".contains("responseTooLarge") || "\(error)".contains("TooLarge") {
                    return TransportError(.decode, "response body larger than the limit")
                }
                return TransportError(.connection, "\(error)")
            }
        }
        if error is NIOTooManyBytesError {
            return TransportError(.decode, "response body larger than the limit of 64 MiB")
        }
        if error is NIOConnectionError { return TransportError(.connectionRefused, "cannot connect: \(error)") }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return TransportError(.connectionRefused, "connection refused")
        }
        let typeName = String(reflecting: type(of: error))
        if typeName.contains("SSL") || typeName.contains("TLS") || typeName.contains("Certificate") {
            return TransportError(.tls, "TLS failure: \(error)")
        }
        return TransportError(.connection, "\(error)")
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
