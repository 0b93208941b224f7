// The floor of the HTTP client alone: GET BASE/releases/1…N at concurrency C with nothing else: no plan,
// no pacing, no JSON scan, no records. Run it under `/usr/bin/time` beside `discogs-batch run` and
// `curl --parallel` to see what share of the run's CPU the HTTP client takes. The fourth argument picks it:
//   transport  the `NIOHTTPTransport` that `discogs-batch run` uses (the default)
//   ahc        AsyncHTTPClient's async API, as the transport used it before it was replaced
//   nio        SwiftNIO's own HTTP/1.1 codec and one keep-alive connection per worker, nothing more:
//              the floor of any client built on SwiftNIO
//
//   http-floor BASE_URL COUNT CONCURRENCY [transport|ahc|nio]     (the token comes from $BENCH_TOKEN)
import AsyncHTTPClient
import DiscogsBatch
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

// As in discogs-batch: tasks run on the event loops that do the I/O.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

let arguments = CommandLine.arguments
let mode = arguments.count == 5 ? arguments[4] : "transport"
guard (4...5).contains(arguments.count), ["transport", "ahc", "nio"].contains(mode),
    let count = Int(arguments[2]), let concurrency = Int(arguments[3])
else {
    FileHandle.standardError.write(Data("usage: http-floor BASE_URL COUNT CONCURRENCY [transport|ahc|nio]\n".utf8))
    exit(2)
}
let base = arguments[1]
let headers: [(name: String, value: String)] =
    [("User-Agent", "http-floor/1.0"), ("Accept", "application/vnd.discogs.v2.discogs+json")]
    + (ProcessInfo.processInfo.environment["BENCH_TOKEN"].map { [("Authorization", "Discogs token=\($0)")] } ?? [])

/// Hands out the ids 1…count, once each, to any number of workers.
func idSource(upTo count: Int) -> @Sendable () -> Int? {
    let next = Atomic<Int>(1)
    return {
        let id = next.add(1, ordering: .relaxed).oldValue
        return id <= count ? id : nil
    }
}

/// Runs `concurrency` workers, each fetching the next release until none is left; the number answered 200.
func fetchAll(_ fetch: @escaping @Sendable (Int) async -> Bool) async -> Int {
    let nextID = idSource(upTo: count)
    return await withTaskGroup(of: Int.self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var answered = 0
                while let id = nextID() { if await fetch(id) { answered += 1 } }
                return answered
            }
        }
        return await group.reduce(0, +)
    }
}

let answered: Int
switch mode {
case "nio":
    answered = try await runNIOFloor(base: base, count: count, concurrency: concurrency, headers: headers)
case "ahc":
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    configuration.tracing.tracer = nil
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
    let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    answered = await fetchAll { id in
        var request = HTTPClientRequest(url: "\(base)/releases/\(id)")
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        guard let response = try? await client.execute(request, timeout: .seconds(30)),
            let body = try? await response.body.collect(upTo: 64 << 20)
        else { return false }
        return response.status == .ok && !Array(body.readableBytesView).isEmpty
    }
    try await client.shutdown().get()
default:
    let transport = NIOHTTPTransport(connectionsPerHost: concurrency)
    answered = await fetchAll { id in
        let request = TransportRequest(method: "GET", url: "\(base)/releases/\(id)", headers: headers, body: nil)
        return (try? await transport.send(request, timeout: .seconds(30)))?.status == 200
    }
    await transport.shutdown()
}
print("\(answered) of \(count) answered 200")

// MARK: - The floor of SwiftNIO itself 

/// One keep-alive HTTP/1.1 connection on NIO's own codec (`HTTPRequestEncoder`, `HTTPResponseDecoder`),
/// asking for the next release as soon as the last answer ends: no pool, no request state machine, no
/// task per request. What a client written directly on SwiftNIO could cost at best.
final class NIOFloorWorker: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let headers: HTTPHeaders
    private let nextID: @Sendable () -> Int?
    private let done: EventLoopPromise<Int>
    private var answered = 0
    private var status = 0
    private var body: [UInt8] = []

    init(headers: HTTPHeaders, nextID: @escaping @Sendable () -> Int?, done: EventLoopPromise<Int>) {
        self.headers = headers
        self.nextID = nextID
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) { sendNext(context) }

    private func sendNext(_ context: ChannelHandlerContext) {
        guard let id = nextID() else {
            done.succeed(answered)
            context.close(promise: nil)
            return
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/releases/\(id)", headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body.removeAll(keepingCapacity: true)
        case .body(let bytes):
            body.append(contentsOf: bytes.readableBytesView)  // as the transport does: the body as bytes
        case .end:
            if status == 200 { answered += 1 }
            sendNext(context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

func runNIOFloor(base: String, count: Int, concurrency: Int, headers list: [(name: String, value: String)]) async throws -> Int {
    guard let url = URL(string: base), let host = url.host, let port = url.port else {
        FileHandle.standardError.write(Data("http-floor: nio needs a BASE_URL with a host and a port\n".utf8))
        exit(2)
    }
    var headers = HTTPHeaders(list.map { ($0.name, $0.value) })
    headers.add(name: "Host", value: "\(host):\(port)")
    let fixed = headers
    let nextID = idSource(upTo: count)
    let group = MultiThreadedEventLoopGroup.singleton
    var answers: [EventLoopFuture<Int>] = []
    for _ in 0..<concurrency {
        let loop = group.next()
        let done = loop.makePromise(of: Int.self)
        _ = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        NIOFloorWorker(headers: fixed, nextID: nextID, done: done))
                }
            }
            .connect(host: host, port: port).get()
        answers.append(done.futureResult)
    }
    var total = 0
    for answer in answers { total += try await answer.get() }
    return total
}
