import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// A running Discogs sandbox: a Discogs-compatible HTTP server on loopback.
///
///     let sandbox = try await Sandbox.start(SandboxConfiguration(window: .seconds(2)))
///     defer { Task { await sandbox.stop() } }
///     // requests to sandbox.baseURL ...
///     #expect(sandbox.stats().rateLimited == 0)
///
/// See `docs/sandbox.md` for the routes, credentials, faults and control
/// endpoints.
public final class Sandbox: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `http://HOST:PORT`, with the port actually bound.
    public let baseURL: String
    /// The port actually bound.
    public let port: Int
    public let configuration: SandboxConfiguration
    private let state: SandboxState
    private let services: ServiceGroup
    private let task: Task<Void, Never>

    private init(baseURL: String, port: Int, state: SandboxState, services: ServiceGroup, task: Task<Void, Never>) {
        self.baseURL = baseURL
        self.port = port
        self.configuration = state.configuration
        self.state = state
        self.services = services
        self.task = task
    }

    /// Binds and starts serving; returns once the server accepts connections. With `tls`, it serves
    /// HTTPS (HTTP/1.1) with that server configuration, and `baseURL` is `https://`.
    public static func start(
        _ configuration: SandboxConfiguration = SandboxConfiguration(), logger: Logger? = nil,
        tls: TLSConfiguration? = nil
    ) async throws -> Sandbox {
        try await start(configuration, clock: ContinuousClock(), logger: logger, tls: tls)
    }

    /// The same on an injected clock (a `ManualSandboxClock` in tests): the sandbox's wall time is
    /// now plus what `clock` measures from here on.
    public static func start<C: Clock>(
        _ configuration: SandboxConfiguration = SandboxConfiguration(), clock: C, logger: Logger? = nil,
        tls: TLSConfiguration? = nil
    ) async throws -> Sandbox where C.Duration == Duration {
        let state = SandboxState(configuration: configuration, clock: clock)
        var log = logger ?? Logger(label: "discogs-sandbox")
        if logger == nil { log.logLevel = .error }
        let (events, continuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        let host = configuration.host
        let scheme = tls == nil ? "http" : "https"
        let app = Application(
            responder: SandboxResponder(state: state),
            server: try tls.map { try .tls(tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                state.setBaseURL("\(scheme)://\(Sandbox.urlHost(host)):\(port)")
                continuation.yield(.success(port))
            },
            logger: log
        )
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: log))
        let task = Task {
            do {
                try await services.run()
                continuation.yield(.failure(StartError(description: "the sandbox server stopped before it started listening")))
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        for await event in events {
            switch event {
            case .success(let port):
                return Sandbox(baseURL: state.baseURL, port: port, state: state, services: services, task: task)
            case .failure(let error):
                task.cancel()
                throw StartError(description: "cannot start the sandbox on \(host):\(configuration.port): \(error)")
            }
        }
        throw StartError(description: "the sandbox server stopped before it started listening")
    }

    static func urlHost(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }

    /// Moves the sandbox's own clock forward (request-token and verifier expiry). OAuth
    /// timestamps are still checked against the unmoved clock.
    public func advanceClock(by duration: Duration) {
        state.advance(by: duration)
    }

    /// The same data as `GET /_sandbox/stats`.
    public func stats() -> SandboxStats {
        state.snapshot()
    }

    /// Zeroes statistics, rate windows and the fault sequence (`POST /_sandbox/reset`).
    public func resetStats() {
        state.reset()
    }

    /// Stops listening and closes every connection; returns when the server is down. Requests in
    /// flight get up to a second to finish (a `slow` fault may hold one longer), then are cut off.
    public func stop() async {
        await services.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: .seconds(1))
            task.cancel()
        }
        await task.value
        deadline.cancel()
    }
}
