import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// `HTTPTransport` on AsyncHTTPClient: HTTP/2 where a TLS server offers it, HTTP/1.1 otherwise,
/// kept-alive connections, gzip and deflate answers decoded, forward proxies from the environment.
///
/// AsyncHTTPClient takes one proxy per client, so there is one `HTTPClient` per proxy in use (and
/// one for direct requests), made on first use; a run against one API host has one. Redirects are
/// not followed here: the executor follows them itself, signing each hop again and dropping
/// credentials across origins.
public final class HTTPClientTransport: HTTPTransport {
    /// Largest body accepted, in bytes, after decoding.
    public let maxBodyBytes: Int
    /// Decoded bytes allowed per compressed byte: a decompression bomb is refused as soon as it passes this.
    public static let maxDecompressionRatio = 250
    /// What is asked for when the request does not say.
    public static let defaultAcceptEncoding = "gzip, deflate"

    private let configuration: HTTPClient.Configuration
    private let proxies: ProxyEnvironment
    private let clients = NIOLockedValueBox<(byProxy: [ProxyEnvironment.Proxy?: HTTPClient], closed: Bool)>(([:], false))

    /// The configuration for https: the system's trust roots, full certificate and hostname
    /// verification, TLS 1.2 or later.
    public static var defaultTLS: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    public init(
        connectionsPerHost: Int, connectTimeout: Duration = .seconds(10), maxBodyBytes: Int = 64 << 20,
        tls: TLSConfiguration = defaultTLS, proxies: ProxyEnvironment = .none
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.proxies = proxies
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(connectTimeout.nanoseconds)),
            decompression: .enabled(limit: .ratio(Self.maxDecompressionRatio)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        // A connection that cannot be made fails the request at once (our retry policy decides what
        // follows), with the reason, instead of being tried again until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .automatic
        self.configuration = configuration
    }

    /// A transport with the proxies the environment names; a proxy variable that cannot be used is an error.
    public static func fromEnvironment(
        connectionsPerHost: Int, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ProxyEnvironment.Failure) -> HTTPClientTransport {
        HTTPClientTransport(connectionsPerHost: connectionsPerHost, proxies: try ProxyEnvironment(environment: environment))
    }

    public func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        let target = try request.validatedTarget()
        let proxy = proxies.proxy(scheme: target.scheme, host: target.host)
        let client = try client(for: proxy)
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if !outgoing.headers.contains(name: "Accept-Encoding") {
            outgoing.headers.add(name: "Accept-Encoding", value: Self.defaultAcceptEncoding)
        }
        // AsyncHTTPClient frames it: Content-Length, 0 for a POST, PUT or PATCH without a body.
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        let maxBodyBytes = maxBodyBytes
        let prepared = outgoing
        do {
            // The whole exchange, body included, within the attempt's timeout: AsyncHTTPClient's
            // deadline covers the wait for the head only.
            return try await withThrowingTaskGroup(of: TransportResponse?.self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, deadline: deadline)
                    let body = try await response.body.collect(upTo: maxBodyBytes)
                    return try Self.response(response, body: body)
                }
                group.addTask {
                    // A timer on the event loop, not `Task.sleep`: a cancelled sleep keeps its
                    // timer (and task) alive until its deadline, which held one per request for
                    // the whole timeout (100,000 fast requests: 98.6 MB instead of 37).
                    let timer = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(deadline: deadline) {}
                    try await withTaskCancellationHandler {
                        try await timer.futureResult.get()
                    } onCancel: {
                        timer.cancel()
                    }
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw TransportError(.timeout, "timed out waiting for the response")
                }
                return response
            }
        } catch {
            if Task.isCancelled { throw TransportError(.cancelled, "cancelled") }
            throw Self.classify(error, proxy: proxy)
        }
    }

    public func shutdown() async {
        let clients = self.clients.withLockedValue { clients in
            clients.closed = true
            defer { clients.byProxy = [:] }
            return Array(clients.byProxy.values)
        }
        for client in clients { try? await client.shutdown() }
    }

    /// The client that goes through `proxy` (nil: direct), made on first use.
    private func client(for proxy: ProxyEnvironment.Proxy?) throws -> HTTPClient {
        try clients.withLockedValue { clients in
            guard !clients.closed else { throw TransportError(.cancelled, "the transport is shut down") }
            if let client = clients.byProxy[proxy] { return client }
            var configuration = configuration
            configuration.proxy = proxy.map { proxy in
                switch proxy.kind {
                case .socks5:
                    return .socksServer(host: proxy.host, port: proxy.port)
                case .http:
                    let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
                    return .server(host: proxy.host, port: proxy.port, authorization: authorization)
                }
            }
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            clients.byProxy[proxy] = client
            return client
        }
    }

    /// The response as the executor sees it: a body decoded from gzip or deflate loses its
    /// `Content-Encoding` and `Content-Length`; any other encoding cannot be read.
    private static func response(_ response: HTTPClientResponse, body: ByteBuffer) throws -> TransportResponse {
        var headers = response.headers
        if let encoding = headers[canonicalForm: "Content-Encoding"].first?.lowercased() {
            switch encoding {
            case "gzip", "deflate":  // decoded by AsyncHTTPClient
                headers.remove(name: "Content-Encoding")
                headers.remove(name: "Content-Length")
            case "identity":
                break
            default:
                throw TransportError(
                    .decode, "the response is encoded as \(encoding.prefix(40)), which discogs-batch cannot decode (it reads gzip and deflate)")
            }
        }
        return TransportResponse(
            status: Int(response.status.code), headers: headers.map { ($0.name, $0.value) }, body: Array(buffer: body))
    }
}
