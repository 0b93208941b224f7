import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HTTPClientTransport {
    static let closedEarly = TransportError(.connection, "the connection closed before the whole response arrived")

    /// Maps AsyncHTTPClient's and NIO's errors onto the record's error kinds. `connectionRefused`
    /// (retried even for a POST) only where nothing can have been sent: the connection, its TLS
    /// handshake or the proxy's tunnel was never made. A failure to reach or pass `proxy` names it
    /// by host and port only.
    static func classify(_ error: any Error, proxy: ProxyEnvironment.Proxy?) -> TransportError {
        if let error = error as? TransportError { return error }
        let via = proxy.map { " through the proxy \($0)" } ?? ""
        func unsent(_ reason: String) -> TransportError {
            TransportError(.connectionRefused, proxy.map { "cannot use the proxy \($0): \(reason)" } ?? reason)
        }
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return unsent("timed out connecting")
            case .tlsHandshakeTimeout: return unsent("timed out in the TLS handshake")
            case .httpProxyHandshakeTimeout, .socksHandshakeTimeout: return unsent("timed out waiting for the proxy's tunnel")
            case .proxyAuthenticationRequired: return unsent("the proxy asks for credentials (407)")
            case .invalidProxyResponse: return unsent("the proxy refused the tunnel")
            case .readTimeout, .deadlineExceeded: return TransportError(.timeout, "timed out waiting for the response")
            case .remoteConnectionClosed, .uncleanShutdown: return closedEarly
            case .cancelled: return TransportError(.cancelled, "cancelled")
            case .invalidURL, .emptyHost, .emptyScheme: return TransportError(.invalid, "the URL is not valid")
            default:
                if error.description.contains("unsupportedScheme") { return TransportError(.invalid, "not an http or https URL") }
                if error.description.contains("invalidHeaderField") {
                    return TransportError(.invalid, "the request's header has a character HTTP does not allow")
                }
                return TransportError(.connection, "HTTP client failure\(via): \(error)")
            }
        case is NIOConnectionError:
            return unsent(reason(error))
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return unsent("timed out connecting")
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed: return closedEarly
            default: return TransportError(.connection, "\(error)\(via)")
            }
        case let error as IOError:
            if [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode) { return unsent(reason(error)) }
            if error.errnoCode == ECONNRESET || error.errnoCode == EPIPE { return closedEarly }
            return TransportError(.connection, "\(error)\(via)")
        case let error as NIOSSLError:
            if case .uncleanShutdown = error { return closedEarly }
            return TransportError(.tls, "TLS failure\(via): \(error)")
        case is BoringSSLError, is NIOSSLExtraError:
            return TransportError(.tls, "TLS failure\(via): \(error)")
        case let error as NIOHTTPDecompression.DecompressionError:
            if error == .limit {
                return TransportError(
                    .decode, "the compressed response expands more than \(maxDecompressionRatio) times: refused as a decompression bomb")
            }
            return TransportError(.decode, "the compressed response body is not valid: \(error)")
        case is NIOHTTPDecompression.ExtraDecompressionError:
            return TransportError(.decode, "the compressed response body is not valid: \(error)")
        case is NIOTooManyBytesError:
            return TransportError(.decode, "the response body is over the size limit")
        case is HTTPParserError:
            return TransportError(.connection, "the response is not valid HTTP: \(error)\(via)")
        default:
            return TransportError(.connection, "\(error)\(via)")
        }
    }

    /// A connection failure's reason, in words: a refused connection says so.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return "connection refused" }
        if let error = error as? NIOConnectionError,
            error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED })
        {
            return "connection refused"
        }
        return "\(error)"
    }
}
