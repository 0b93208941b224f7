import Crypto
import DiscogsBatch
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import NIOConcurrencyHelpers
import Testing
import X509

/// The HTTP transport (our use of AsyncHTTPClient) against a bare server on loopback whose every
/// answer, and every silence, the test chooses: connection reuse, request framing, timeouts, size
/// limits, refusals and TLS.
@Suite("HTTP transport") struct TransportTests {
    static func get(_ url: String) -> TransportRequest {
        TransportRequest(method: "GET", url: url, headers: [("User-Agent", "t/1.0")], body: nil)
    }

    static func kind(of operation: () async throws -> TransportResponse) async -> TransportError.Kind? {
        do {
            _ = try await operation()
            return nil
        } catch {
            return (error as? TransportError)?.kind
        }
    }

    @Test func keepsOneConnectionForSequentialRequests() async throws {
        let server = try await BareServer.start { _ in .init(body: #"{"id":1}"#) }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        for _ in 0..<5 {
            let response = try await transport.send(Self.get(server.url("/releases/1")), timeout: .seconds(30))
            #expect(response.status == 200 && response.body == Array(#"{"id":1}"#.utf8))
        }
        await transport.shutdown()
        await server.stop()
        #expect(server.connections == 1)
    }

    @Test func aConnectionTheServerClosesIsNotReused() async throws {
        let server = try await BareServer.start { _ in .init(headers: [("Connection", "close")]) }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        for _ in 0..<3 { #expect(try await transport.send(Self.get(server.url("/")), timeout: .seconds(30)).status == 200) }
        await transport.shutdown()
        await server.stop()
        #expect(server.connections == 3)
    }

    @Test func framesTheRequest() async throws {
        let server = try await BareServer.start { _ in .init(status: .created) }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let post = TransportRequest(
            method: "POST", url: server.url("/users/u/wants?x=1#fragment"), headers: [("X-Test", "yes")], body: Array("abc".utf8))
        #expect(try await transport.send(post, timeout: .seconds(30)).status == 201)
        let empty = TransportRequest(method: "PUT", url: server.url(""), headers: [], body: nil)
        _ = try await transport.send(empty, timeout: .seconds(30))
        await transport.shutdown()
        await server.stop()
        let seen = server.requests
        try #require(seen.count == 2)
        #expect(seen[0].head.method == .POST && seen[0].head.uri == "/users/u/wants?x=1")
        #expect(seen[0].head.headers["Host"] == ["127.0.0.1:\(server.port)"])
        #expect(seen[0].head.headers["Content-Length"] == ["3"] && seen[0].head.headers["X-Test"] == ["yes"])
        #expect(seen[0].body == Array("abc".utf8))
        #expect(seen[1].head.uri == "/" && seen[1].head.headers["Content-Length"] == ["0"])
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try await BareServer.start { _ in nil }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        // Long enough for the request to be sent however loaded the machine; a deadline that passes
        // before it is sent fails as a connection that never opened instead.
        let kind = await Self.kind { try await transport.send(Self.get(server.url("/")), timeout: .seconds(2)) }
        await transport.shutdown()
        await server.stop()
        #expect(kind == .timeout)
    }

    @Test(.timeLimit(.minutes(1))) func aReusedConnectionStillTimesOutItsNextRequest() async throws {
        // Each attempt has its own deadline, also on a connection kept from an earlier request.
        let server = try await BareServer.start { head in head.uri == "/fast" ? .init() : nil }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        #expect(try await transport.send(Self.get(server.url("/fast")), timeout: .seconds(1)).status == 200)
        let started = ContinuousClock.now
        let kind = await Self.kind { try await transport.send(Self.get(server.url("/slow")), timeout: .seconds(2)) }
        let waited = ContinuousClock.now - started
        await transport.shutdown()
        await server.stop()
        #expect(kind == .timeout)
        #expect(waited >= .seconds(2))
        #expect(server.connections == 1)
    }

    @Test func aBodyOverTheLimitIsADecodeError() async throws {
        let server = try await BareServer.start { _ in .init(body: String(repeating: "x", count: 4096)) }
        let transport = HTTPClientTransport(connectionsPerHost: 1, maxBodyBytes: 1024)
        let kind = await Self.kind { try await transport.send(Self.get(server.url("/")), timeout: .seconds(30)) }
        await transport.shutdown()
        await server.stop()
        #expect(kind == .decode)
    }

    @Test func aClosedPortIsRefusedAndABadURLNeverConnects() async throws {
        let server = try await BareServer.start { _ in .init() }
        let url = server.url("/")
        await server.stop()
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        #expect(await Self.kind { try await transport.send(Self.get(url), timeout: .seconds(30)) } == .connectionRefused)
        #expect(await Self.kind { try await transport.send(Self.get("ftp://127.0.0.1/"), timeout: .seconds(30)) } == .invalid)
        await transport.shutdown()
    }

    @Test func aHeaderThatWouldSplitTheRequestIsRefusedUnsent() async throws {
        let server = try await BareServer.start { _ in .init() }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let request = TransportRequest(method: "GET", url: server.url("/"), headers: [("X-Note", "a\r\nX-Injected: 1")], body: nil)
        let kind = await Self.kind { try await transport.send(request, timeout: .seconds(30)) }
        // Refused before a connection was taken: the next request goes as usual.
        #expect(try await transport.send(Self.get(server.url("/")), timeout: .seconds(30)).status == 200)
        await transport.shutdown()
        await server.stop()
        #expect(kind == .invalid)
        #expect(server.requests.count == 1 && server.requests[0].head.headers["X-Injected"].isEmpty)
    }

    @Test func everyPartOfTheRequestIsCheckedBeforeAConnectionIsTaken() async throws {
        let server = try await BareServer.start { _ in .init() }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let refused = [
            TransportRequest(method: "GE T", url: server.url("/"), headers: [], body: nil),
            TransportRequest(method: "", url: server.url("/"), headers: [], body: nil),
            TransportRequest(method: "GET", url: server.url("/a b"), headers: [], body: nil),
            TransportRequest(method: "GET", url: server.url("/caf\u{E9}"), headers: [], body: nil),
            TransportRequest(method: "GET", url: server.url("/a\"b"), headers: [], body: nil),
            TransportRequest(method: "GET", url: server.url("/"), headers: [("X Bad", "1")], body: nil),
            TransportRequest(method: "GET", url: server.url("/"), headers: [("X-Bad:", "1")], body: nil),
            TransportRequest(method: "GET", url: server.url("/"), headers: [("X-Nul", "a\u{0}b")], body: nil),
            TransportRequest(method: "GET", url: server.url("/"), headers: [("X-Del", "a\u{7F}")], body: nil),
        ]
        for request in refused {
            #expect(await Self.kind { try await transport.send(request, timeout: .seconds(30)) } == .invalid)
        }
        // What may pass: a tab and non-ASCII in a value, every sub-delimiter and `%` in the target.
        let allowed = TransportRequest(
            method: "GET", url: server.url("/a-._~:@!$&'()*+,;=%20?q=[1]/"),
            headers: [("X-Note", "tab\tcaf\u{E9}")], body: nil)
        #expect(try await transport.send(allowed, timeout: .seconds(30)).status == 200)
        await transport.shutdown()
        await server.stop()
        #expect(server.connections == 1)
        // Brackets belong to the host only (RFC 3986): elsewhere they go percent-encoded.
        #expect(server.requests.map(\.head.uri) == ["/a-._~:@!$&'()*+,;=%20?q=%5B1%5D/"])
        #expect(server.requests.first?.head.headers["X-Note"] == ["tab\tcaf\u{E9}"])
    }

    @Test func aRequestThatAsksToCloseIsNotReused() async throws {
        let server = try await BareServer.start { _ in .init() }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        for _ in 0..<2 {
            let request = TransportRequest(method: "GET", url: server.url("/"), headers: [("connection", "Close")], body: nil)
            #expect(try await transport.send(request, timeout: .seconds(30)).status == 200)
        }
        await transport.shutdown()
        await server.stop()
        #expect(server.connections == 2)
    }

    @Test func asksForGzipAndDeflateUnlessTheRequestSaysOtherwise() async throws {
        let server = try await BareServer.start { _ in .init() }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        _ = try await transport.send(Self.get(server.url("/")), timeout: .seconds(30))
        let identity = TransportRequest(method: "GET", url: server.url("/"), headers: [("Accept-Encoding", "identity")], body: nil)
        _ = try await transport.send(identity, timeout: .seconds(30))
        await transport.shutdown()
        await server.stop()
        #expect(server.requests.map { $0.head.headers["Accept-Encoding"] } == [["gzip, deflate"], ["identity"]])
    }

    @Test func anAnswerInAnEncodingThatCannotBeReadIsADecodeError() async throws {
        let server = try await BareServer.start { _ in .init(headers: [("Content-Encoding", "br")], body: "\u{1}\u{2}") }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let kind = await Self.kind { try await transport.send(Self.get(server.url("/")), timeout: .seconds(30)) }
        await transport.shutdown()
        await server.stop()
        #expect(kind == .decode)
    }

    @Test(.timeLimit(.minutes(1))) func cancellingTheTaskEndsTheRequestAsCancelled() async throws {
        let server = try await BareServer.start { _ in nil }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let sending = Task { await Self.kind { try await transport.send(Self.get(server.url("/")), timeout: .seconds(50)) } }
        // Cancelled once the request has reached the server (polled: nothing tells the test sooner).
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        sending.cancel()
        let kind = await sending.value
        await transport.shutdown()
        await server.stop()
        #expect(kind == .cancelled)
    }

    @Test func tlsToATrustedCertificate() async throws {
        let identity = try TestIdentity()
        let server = try await BareServer.start(tls: identity.serverContext()) { _ in .init(body: "{}") }
        let transport = HTTPClientTransport(connectionsPerHost: 1, tls: identity.clientTLS)
        for host in ["localhost", "127.0.0.1"] {
            let response = try await transport.send(Self.get("https://\(host):\(server.port)/x"), timeout: .seconds(30))
            #expect(response.status == 200 && response.body == Array("{}".utf8))
        }
        await transport.shutdown()
        await server.stop()
    }

    @Test func tlsToAnUntrustedCertificateFailsBeforeSending() async throws {
        let server = try await BareServer.start(tls: try TestIdentity().serverContext()) { _ in .init() }
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let kind = await Self.kind { try await transport.send(Self.get("https://localhost:\(server.port)/"), timeout: .seconds(30)) }
        await transport.shutdown()
        await server.stop()
        #expect(kind == .tls)
        #expect(server.requests.isEmpty)
    }
    @Test func aTLSHandshakeThatNeverEndsTimesOutUnsent() async throws {
        let server = try await BareServer.start(mute: true) { _ in .init() }
        let transport = HTTPClientTransport(connectionsPerHost: 1, connectTimeout: .milliseconds(200))
        let kind = await Self.kind { try await transport.send(Self.get("https://127.0.0.1:\(server.port)/"), timeout: .seconds(30)) }
        await transport.shutdown()
        await server.stop()
        #expect(kind == .connectionRefused)  // nothing was sent: even a POST may be retried
    }
}

/// A self-signed certificate for localhost and 127.0.0.1, made afresh for each test.
struct TestIdentity {
    let key = P256.Signing.PrivateKey()
    let certificate: NIOSSLCertificate

    init() throws {
        let name = try DistinguishedName { CommonName("localhost") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 3600, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificate = try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
    }

    func serverContext() throws -> NIOSSLContext {
        try NIOSSLContext(configuration: serverConfiguration())
    }

    func serverConfiguration() throws -> TLSConfiguration {
        let key = try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der)
        return .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
    }

    /// The client's TLS configuration, trusting this certificate only.
    var clientTLS: TLSConfiguration {
        var tls = HTTPClientTransport.defaultTLS
        tls.trustRoots = .certificates([certificate])
        return tls
    }
}

/// An HTTP/1.1 server on 127.0.0.1 that answers every request with what `reply` returns (nil: never
/// answers), over TLS when given a context; it keeps the requests it received and counts connections.
final class BareServer: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = []
        var body = ""
    }

    private struct State {
        var connections = 0
        var requests: [(head: HTTPRequestHead, body: [UInt8])] = []
    }

    private final class Recorder: Sendable {
        let state = NIOLockedValueBox(State())
    }

    private let channel: any Channel
    private let recorder: Recorder
    let port: Int

    private init(channel: any Channel, recorder: Recorder) {
        self.channel = channel
        self.recorder = recorder
        self.port = channel.localAddress?.port ?? 0
    }

    var connections: Int { recorder.state.withLockedValue { $0.connections } }
    var requests: [(head: HTTPRequestHead, body: [UInt8])] { recorder.state.withLockedValue { $0.requests } }
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() async { try? await channel.close() }

    /// `mute`: accepts connections and never reads or writes a byte on them.
    static func start(
        tls: NIOSSLContext? = nil, mute: Bool = false, reply: @escaping @Sendable (HTTPRequestHead) -> Reply?
    ) async throws -> BareServer {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                recorder.state.withLockedValue { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    if mute { return }
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(Handler(reply: reply) { head, body in
                        recorder.state.withLockedValue { $0.requests.append((head, body)) }
                    })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return BareServer(channel: channel, recorder: recorder)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let reply: @Sendable (HTTPRequestHead) -> Reply?
        let received: @Sendable (HTTPRequestHead, [UInt8]) -> Void
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(reply: @escaping @Sendable (HTTPRequestHead) -> Reply?, received: @escaping @Sendable (HTTPRequestHead, [UInt8]) -> Void) {
            self.reply = reply
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(let bytes):
                body += bytes.readableBytesView
            case .end:
                guard let head else { return }
                received(head, body)
                guard let answer = reply(head) else { return }
                var headers = HTTPHeaders(answer.headers)
                headers.add(name: "Content-Length", value: String(answer.body.utf8.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
                let closing = headers["Connection"].contains("close")
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                    if closing { context.close(promise: nil) }
                }
            }
        }
    }
}
