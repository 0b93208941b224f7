import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `HTTPTransport` written directly on SwiftNIO: HTTP/1.1 over keep-alive connections, TLS through
/// NIOSSL for https, one request at a time per connection, idle connections kept per origin.
/// Redirects are not followed here: the executor follows them itself so it can drop credentials
/// across origins.
///
/// It replaced AsyncHTTPClient, which cost 3 times as much CPU per request for the same GETs
/// (`Benchmarks/README.md`, "The HTTP client's share").
public final class NIOHTTPTransport: HTTPTransport {
    /// Largest body accepted, in bytes.
    public let maxBodyBytes: Int
    private let connectTimeout: Duration
    private let maxIdlePerOrigin: Int
    private let tlsConfiguration: TLSConfiguration
    /// Made on the first https connection: loading the trust roots costs more than thousands of plain requests.
    private let tls = NIOLockedValueBox<Result<NIOSSLContext, any Error>?>(nil)
    private let pool = NIOLockedValueBox<(idle: [Origin: [Connection]], closed: Bool)>(([:], false))

    /// An open connection and its exchange handler, which only its event loop may touch.
    struct Connection: Sendable {
        var channel: any Channel
        var handler: NIOLoopBound<ExchangeHandler>
    }

    /// The configuration for https: the system's trust roots, full certificate and hostname
    /// verification, TLS 1.2 or later.
    public static var defaultTLS: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    public init(
        connectionsPerHost: Int, connectTimeout: Duration = .seconds(10), maxBodyBytes: Int = 64 << 20,
        tls: TLSConfiguration = defaultTLS
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.connectTimeout = connectTimeout
        self.maxIdlePerOrigin = max(1, connectionsPerHost)
        self.tlsConfiguration = tls
    }

    public func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        let target = try Target(request.url)
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        let rendered = try RequestBytes(request, target: target)
        let connection = try await connection(to: target.origin, before: deadline)
        let channel = connection.channel
        if Task.isCancelled {
            release(connection, to: target.origin, reusable: true)
            throw TransportError(.cancelled, "cancelled")
        }
        do {
            let reply = try await withTaskCancellationHandler {
                // The handler resumes the task with the answer (no promise and future in between). It is
                // handed the exchange directly, not through the pipeline (no boxing of the exchange, no
                // cast back, no future for the write): on this thread when the connection's event
                // loop is the one this task runs on, as it mostly is.
                try await withCheckedThrowingContinuation { continuation in
                    let exchange = Exchange(request: rendered, deadline: deadline, reply: ReplySlot(continuation))
                    let handler = connection.handler
                    if channel.eventLoop.inEventLoop {
                        handler.value.start(exchange)
                    } else {
                        channel.eventLoop.execute { handler.value.start(exchange) }
                    }
                }
            } onCancel: {
                channel.close(promise: nil)
            }
            // A cancellation that came as the answer did has closed the connection, or soon will.
            release(connection, to: target.origin, reusable: reply.reusable && !Task.isCancelled)
            return reply.response
        } catch {
            channel.close(promise: nil)
            if Task.isCancelled { throw TransportError(.cancelled, "cancelled") }
            throw Self.classify(error)
        }
    }

    public func shutdown() async {
        let idle = pool.withLockedValue { pool in
            pool.closed = true
            defer { pool.idle = [:] }
            return pool.idle.values.joined()
        }
        for connection in idle { try? await connection.channel.close() }
    }

    // MARK: - Connections

    /// An idle connection to `origin`, or a new one, opened (TLS handshake included) before `deadline`.
    private func connection(to origin: Origin, before deadline: NIODeadline) async throws -> Connection {
        while let connection = pool.withLockedValue({ pool -> Connection? in
            // Preferably one served by the event loop this task runs on: its request is then written
            // without handing it to another thread (and waking that thread up).
            guard let index = pool.idle[origin]?.lastIndex(where: { $0.channel.eventLoop.inEventLoop }) else {
                return pool.idle[origin]?.popLast()
            }
            return pool.idle[origin]?.remove(at: index)
        }) {
            if connection.channel.isActive { return connection }
            connection.channel.close(promise: nil)
        }
        let context: NIOSSLContext?
        if origin.secure {
            let made = tls.withLockedValue { made in
                if let made { return made }
                let result = Result { try NIOSSLContext(configuration: tlsConfiguration) }
                made = result
                return result
            }
            do { context = try made.get() } catch { throw TransportError(.tls, "TLS set-up failed: \(error)") }
        } else {
            context = nil
        }
        let maxBodyBytes = maxBodyBytes
        let timeLeft = min(.nanoseconds(connectTimeout.nanoseconds), deadline - .now())
        guard timeLeft > .zero else { throw TransportError(.timeout, "timed out before the request could be sent") }
        // The event loop this task runs on, if it runs on one (`any()`): its requests go out without a thread hop.
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        // Completed by the TLS handshake, so that its failure is reported as one, before anything is sent.
        let handshake = context.map { _ in loop.makePromise(of: Void.self) }
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeLeft)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let context {
                            // SNI carries a name, never an address literal.
                            let name = (try? SocketAddress(ipAddress: origin.host, port: 0)) == nil ? origin.host : nil
                            try pipeline.addHandler(NIOSSLClientHandler(context: context, serverHostname: name))
                        }
                        // No NIO HTTP codec: requests go out as the bytes `RequestBytes` made, and
                        // `HTTPResponseParser` reads the answers.
                        try pipeline.addHandler(ExchangeHandler(maxBodyBytes: maxBodyBytes, handshake: handshake))
                    }
                }
                .connect(host: origin.host, port: origin.port).get()
            if let handshake {
                let timeout = loop.scheduleTask(deadline: .now() + timeLeft) {
                    handshake.fail(TransportError(.connectionRefused, "timed out in the TLS handshake"))
                }
                defer { timeout.cancel() }
                do {
                    try await handshake.futureResult.get()
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
            }
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ExchangeHandler.self), eventLoop: channel.eventLoop)
            }.get()
            return Connection(channel: channel, handler: handler)
        } catch {
            handshake?.fail(error)
            throw Self.classifyConnect(error)
        }
    }

    /// Keeps `connection` for the next request to `origin` when it may carry one. (Whether it is still
    /// open is asked when it is taken: a close can come in between anyway.)
    private func release(_ connection: Connection, to origin: Origin, reusable: Bool) {
        let kept = reusable && pool.withLockedValue { pool in
            guard !pool.closed, pool.idle[origin, default: []].count < maxIdlePerOrigin else { return false }
            pool.idle[origin, default: []].append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    // MARK: - Errors

    static let closedEarly = TransportError(.connection, "the connection closed before the whole response arrived")

    /// An error on the way to a connection: nothing was sent, so even POST may be retried (TLS apart).
    static func classifyConnect(_ error: any Error) -> TransportError {
        if let error = error as? TransportError { return error }
        if isTLS(error) { return TransportError(.tls, "TLS failure: \(error)") }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return TransportError(.connectionRefused, "timed out connecting")
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return TransportError(.connectionRefused, "connection refused")
        }
        return TransportError(.connectionRefused, "cannot connect: \(error)")
    }

    /// Maps an exchange's failure onto the record's error kinds.
    static func classify(_ error: any Error) -> TransportError {
        if let error = error as? TransportError { return error }
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls {
            return closedEarly
        }
        if isTLS(error) { return TransportError(.tls, "TLS failure: \(error)") }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed:
                return closedEarly
            default: break
            }
        }
        return TransportError(.connection, "\(error)")
    }

    private static func isTLS(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
    }
}

/// Where a connection goes: scheme, host and port.
struct Origin: Hashable, Sendable {
    var secure: Bool
    var host: String
    var port: Int
}

/// An absolute http(s) URL taken apart for sending: the origin, the `Host` header and the request target.
struct Target: Equatable {
    var origin: Origin
    var authority: String
    var path: String

    init(_ url: String) throws {
        var url = url
        self = try url.withUTF8 { try Self(bytes: $0) }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) throws {
        func hasScheme(_ scheme: StaticString) -> Bool {
            let count = scheme.utf8CodeUnitCount
            guard bytes.count >= count else { return false }
            for i in 0..<count where bytes[i] | 0x20 != scheme.utf8Start[i] | 0x20 { return false }
            return true
        }
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        let secure: Bool
        let start: Int
        if hasScheme("https://") {
            (secure, start) = (true, 8)
        } else if hasScheme("http://") {
            (secure, start) = (false, 7)
        } else {
            throw TransportError(.invalid, "not an http or https URL")
        }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") {
            if bytes[end] == UInt8(ascii: "@") { throw Self.badAuthority }
            end += 1
        }
        // The host and the port, by bytes: [v6]:port, or name:port (the last colon), either port optional.
        var hostRange = start..<end
        var port = secure ? 443 : 80
        var portStart: Int?
        if start < end, bytes[start] == UInt8(ascii: "["), let close = (start..<end).first(where: { bytes[$0] == UInt8(ascii: "]") }) {
            hostRange = start + 1..<close
            if close + 1 < end {
                guard bytes[close + 1] == UInt8(ascii: ":") else { throw Self.badAuthority }
                portStart = close + 2
            }
        } else if let colon = (start..<end).last(where: { bytes[$0] == UInt8(ascii: ":") }) {
            hostRange = start..<colon
            portStart = colon + 1
        }
        if let portStart {
            // Digits only, as `Int` would read them after a sign: at most 5 matter, more is out of range.
            var number = 0
            var digits = portStart
            if digits < end, bytes[digits] == UInt8(ascii: "+") { digits += 1 }
            guard digits < end else { throw Self.badAuthority }
            for i in digits..<end {
                guard (0x30...0x39).contains(bytes[i]) else { throw Self.badAuthority }
                number = min(number * 10 + Int(bytes[i] - 0x30), 1 << 20)
            }
            port = number
        }
        guard !hostRange.isEmpty, (1...65535).contains(port) else { throw Self.badAuthority }
        var fragment = end
        while fragment < bytes.count, bytes[fragment] != UInt8(ascii: "#") { fragment += 1 }
        let path = end < fragment && bytes[end] == UInt8(ascii: "/") ? text(end..<fragment) : "/" + text(end..<fragment)
        self.origin = Origin(secure: secure, host: text(hostRange), port: port)
        self.authority = text(start..<end)
        self.path = path
    }

    private static var badAuthority: TransportError {
        TransportError(.invalid, "the URL's host or port is not valid")
    }
}

/// One request and where its answer goes; written into a connection's pipeline.
struct Exchange: Sendable {
    struct Reply: Sendable {
        var response: TransportResponse
        /// The connection may carry another request.
        var reusable: Bool
    }

    var request: RequestBytes
    var deadline: NIODeadline
    var reply: ReplySlot
}

/// A request rendered as HTTP/1.1 bytes, every byte checked on the way: the method and header names
/// are tokens, the request target is the characters RFC 9112 allows unencoded, and no header value
/// holds a control character (so none can end the header early and add another). The checks are
/// those of NIO's `NIOHTTPRequestHeadersValidator`; NIO's encoder and validator together cost about
/// 30,000 instructions a request (callgrind), what these loops over the bytes do in a fraction of it.
struct RequestBytes: Sendable {
    var bytes: ByteBuffer
    /// No `Connection: close` was asked for.
    var keepAlive = true

    init(_ request: TransportRequest, target: Target) throws {
        var out: [UInt8] = []
        out.reserveCapacity(128 + target.path.utf8.count + 64 * request.headers.count + (request.body?.count ?? 0))
        var method = request.method
        guard Self.append(&method, to: &out, allowed: Self.isToken) else { throw Self.refused("method") }
        out.append(0x20)
        var path = target.path
        guard Self.append(&path, to: &out, allowed: Self.isTargetByte) else { throw Self.refused("request target") }
        Self.append(" HTTP/1.1\r\n", to: &out)
        var hasHost = false
        var hasLength = false
        for header in request.headers {
            var name = header.name
            var value = header.value
            guard Self.append(&name, to: &out, allowed: Self.isToken) else { throw Self.refused("header name") }
            Self.append(": ", to: &out)
            guard Self.append(&value, to: &out, allowed: Self.isValueByte) else { throw Self.refused("header value") }
            Self.append("\r\n", to: &out)
            switch (name.utf8.first ?? 0) | 0x20 {  // the first letter, lowercased: most names are none of these
            case UInt8(ascii: "h"):
                hasHost = hasHost || TransportResponse.sameName(name, "Host")
            case UInt8(ascii: "c"):
                hasLength = hasLength || TransportResponse.sameName(name, "Content-Length")
                if TransportResponse.sameName(name, "Connection"), value.lowercased().contains("close") { keepAlive = false }
            default: break
            }
        }
        if !hasHost {
            Self.append("Host: ", to: &out)
            out.append(contentsOf: target.authority.utf8)
            Self.append("\r\n", to: &out)
        }
        if !hasLength, request.body != nil || Self.sendsABody(request.method) {
            Self.append("Content-Length: \(request.body?.count ?? 0)\r\n", to: &out)
        }
        Self.append("\r\n", to: &out)
        if let body = request.body { out += body }
        bytes = ByteBuffer(bytes: out)
    }

    private static func sendsABody(_ method: String) -> Bool {
        switch method {
        case "POST", "PUT", "PATCH": true
        default: false
        }
    }

    private static func refused(_ part: String) -> TransportError {
        TransportError(.invalid, "the request's \(part) has a character HTTP does not allow")
    }

    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    /// Appends `text`'s bytes when every one is `allowed` (and there is at least one); false otherwise.
    private static func append(_ text: inout String, to out: inout [UInt8], allowed: (UInt8) -> Bool) -> Bool {
        text.withUTF8 { bytes in
            guard !bytes.isEmpty, bytes.allSatisfy(allowed) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
    }

    /// RFC 9110 `tchar`.
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// RFC 3986's unreserved, gen-delims, sub-delims and `%`: what a request target may hold unencoded.
    private static func isTargetByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
            UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: "%"):
            true
        default: false
        }
    }

    /// A header value's byte: anything but a control character (a tab apart).
    static func isValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}

/// Where an exchange's reply goes: the waiting task's continuation, resumed once only. Touched only by
/// the connection's handler, on its event loop, once made; hence unchecked.
final class ReplySlot: @unchecked Sendable {
    private var continuation: CheckedContinuation<Exchange.Reply, any Error>?

    init(_ continuation: CheckedContinuation<Exchange.Reply, any Error>) {
        self.continuation = continuation
    }

    func succeed(_ reply: Exchange.Reply) {
        take()?.resume(returning: reply)
    }

    func fail(_ error: any Error) {
        take()?.resume(throwing: error)
    }

    private func take() -> CheckedContinuation<Exchange.Reply, any Error>? {
        defer { continuation = nil }
        return continuation
    }
}

/// The last handler of a connection: writes an exchange's request, gathers its response and completes
/// it, or fails it on a timeout, an oversized body, an error or the connection closing first.
final class ExchangeHandler: ChannelInboundHandler, NIOScheduledCallbackHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var current: (reply: ReplySlot, deadline: NIODeadline)?
    /// The timeout's callback and when it fires. It is armed for an exchange's deadline and, when it
    /// fires before the deadline of the exchange then under way, armed again for that one: with the
    /// same timeout for every request, deadlines only grow, so this costs a callback per `timeout` on
    /// a busy connection instead of a schedule and a cancel per request.
    private var timer: (callback: NIOScheduledCallback, at: NIODeadline)?
    /// This handler's context while it is in a pipeline, for the timeout's callback.
    private var context: ChannelHandlerContext?
    private var parser: HTTPResponseParser
    /// Bytes of a response that the parser could not use yet (a head or chunk line cut between reads).
    private var held: [UInt8] = []
    /// The request asked for the connection to be closed after its answer.
    private var closeAfter = false
    /// The request's last byte has been written: the connection is free for another once the answer is in.
    private var requestWritten = false
    /// Completed when the TLS handshake has (nil without TLS).
    private let handshake: EventLoopPromise<Void>?

    init(maxBodyBytes: Int, handshake: EventLoopPromise<Void>?) {
        self.parser = HTTPResponseParser(maxBodyBytes: maxBodyBytes)
        self.handshake = handshake
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        timer?.callback.cancel()
        timer = nil
    }

    /// The timer has fired (a callback, not a scheduled task: no promise and future): the exchange
    /// under way has timed out, or runs to a later deadline, for which the timer is armed again.
    func handleScheduledCallback(eventLoop: some EventLoop) {
        timer = nil
        guard let context, let deadline = current?.deadline else { return }
        if deadline <= .now() {
            fail(context, TransportError(.timeout, "timed out waiting for the response"))
        } else if (try? arm(context, at: deadline)) == nil {
            fail(context, TransportError(.timeout, "the event loop is shutting down"))
        }
    }

    private func arm(_ context: ChannelHandlerContext, at deadline: NIODeadline) throws {
        timer?.callback.cancel()
        timer = (try context.eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: self), deadline)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { handshake?.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    /// Sends the exchange's request on this connection and answers it when its response is in. Called
    /// on the connection's event loop.
    func start(_ exchange: Exchange) {
        guard let context else {
            return exchange.reply.fail(NIOHTTPTransport.closedEarly)  // the connection has closed
        }
        guard current == nil else {
            return exchange.reply.fail(TransportError(.connection, "the connection is busy with another request"))
        }
        guard exchange.deadline > .now() else {
            return exchange.reply.fail(TransportError(.connectionRefused, "timed out before the request could be sent"))
        }
        if let timer, timer.at <= exchange.deadline {
            // Armed already, to fire no later than this deadline.
        } else {
            do {
                try arm(context, at: exchange.deadline)
            } catch {  // the event loop is shutting down
                return exchange.reply.fail(error)
            }
        }
        current = (exchange.reply, exchange.deadline)
        closeAfter = !exchange.request.keepAlive
        requestWritten = false
        // Whether the last byte is written decides if the connection may carry another request; a
        // write that fails (the connection closed under it) fails the exchange.
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success: requestWritten = true
            case .failure(let error): if let context = self.context { fail(context, error) }
            }
        }
        context.writeAndFlush(wrapOutboundOut(exchange.request.bytes), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        // Bytes nobody asked for: whatever they are, the connection can no longer be trusted to frame
        // the next answer.
        guard current != nil else { return context.close(promise: nil) }
        do {
            let (complete, left): ((TransportResponse, keepAlive: Bool)?, Int)
            if held.isEmpty {
                (complete, left) = try buffer.withUnsafeReadableBytes { bytes in
                    let (used, complete) = try parser.parse(bytes)
                    if complete == nil, used < bytes.count { held.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...])) }
                    return (complete, bytes.count - used)
                }
            } else {
                held.append(contentsOf: buffer.readableBytesView)
                (complete, left) = try held.withUnsafeBytes { bytes in
                    let (used, complete) = try parser.parse(bytes)
                    return (complete, bytes.count - used)
                }
                held.removeFirst(held.count - left)
            }
            guard let (response, keepAlive) = complete, let (slot, _) = current else { return }
            current = nil
            // Bytes beyond the answer were not asked for either.
            let reusable = keepAlive && !closeAfter && requestWritten && left == 0
            held.removeAll()
            slot.succeed(Exchange.Reply(response: response, reusable: reusable))
        } catch let failure as HTTPResponseParser.Failure {
            fail(context, failure.tooLarge ? TransportError(.decode, failure.message)
                : TransportError(.connection, "the response is not valid HTTP/1.1: \(failure.message)"))
        } catch {
            fail(context, error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A TLS peer closing without close_notify: the close that follows decides (an answer whose
        // body ends at the close is complete; one cut short fails as a dropped connection).
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls { return }
        handshake?.fail(error)
        fail(context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake?.fail(ChannelError.eof)
        // A body that runs until the close is complete now; any other answer under way was cut short.
        if current != nil, let (response, _) = try? parser.close(), let (slot, _) = current {
            current = nil
            slot.succeed(Exchange.Reply(response: response, reusable: false))
        }
        fail(context, NIOHTTPTransport.closedEarly)
        context.fireChannelInactive()
    }

    /// Fails the exchange in progress, if any, and closes the connection.
    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        if let (slot, _) = current {
            current = nil
            slot.fail(error)
        }
        context.close(promise: nil)
    }
}

