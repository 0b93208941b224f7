import ArgumentParser
import DiscogsSandbox
import Foundation

/// `discogs-batch sandbox`: the Discogs-compatible test server, standalone.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the Discogs sandbox: a Discogs-compatible API server on loopback.",
        discussion: """
            Prints its base URL (http://127.0.0.1:PORT) as the first line of standard output once \
            listening, then the credentials it accepts on standard error, and serves until SIGINT \
            or SIGTERM. Without credential flags it accepts the documented demo credentials.

            Control endpoints (never rate limited, faulted or counted): GET /_sandbox/stats, \
            POST /_sandbox/reset, POST /_sandbox/advance?seconds=N, GET /_sandbox/credentials, \
            GET /_sandbox/health.

            Fault grammar (--fault, repeatable):
            \(SandboxFault.grammar)
            """
    )

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 0

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Sliding rate-limit window, e.g. 60s, 2s, 500ms.")
    var window: String = "60s"

    @Option(help: "Requests per window with credentials.")
    var limitHigh: Int = 60

    @Option(help: "Requests per window without credentials.")
    var limitLow: Int = 25

    @Flag(help: "Never answer 429 (benchmarks); headers still report the limits.")
    var noRateLimit = false

    @Option(help: "Seed of the generated catalogue and of the fault draws.")
    var seed: UInt64 = 1

    @Option(help: "Inject a fault, e.g. status=503:0.1, reset:0.05, slow=5s:0.05, truncate:0.05, retry-after=2:0.1, steal=10.")
    var fault: [String] = []

    @Option(help: "Personal access token to accept (default: the demo token).")
    var token: String?

    @Option(help: "Consumer key to accept.")
    var consumerKey: String?

    @Option(help: "Consumer secret to accept.")
    var consumerSecret: String?

    @Option(help: "OAuth access token to accept.")
    var accessToken: String?

    @Option(help: "OAuth access token secret to accept.")
    var accessTokenSecret: String?

    @Option(help: "User that the token and OAuth credentials act as.")
    var username: String?

    @Option(help: "Items in the demo user's collection (default 240).")
    var collectionItems: Int = 240

    func makeConfiguration() throws -> SandboxConfiguration {
        let windowDuration: Duration
        do {
            windowDuration = try SandboxDuration.parse(window)
        } catch {
            throw ValidationError("--window: \(error)")
        }
        guard windowDuration > .zero else { throw ValidationError("--window must be longer than 0") }
        guard limitHigh >= 1, limitLow >= 1 else { throw ValidationError("--limit-high and --limit-low must be at least 1") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (0...10_000_000).contains(collectionItems) else { throw ValidationError("--collection-items must be 0...10000000") }
        var faults: [SandboxFault] = []
        for spec in fault {
            do {
                faults.append(try SandboxFault.parse(spec))
            } catch {
                throw ValidationError("--fault: \(error)")
            }
        }
        let demo = SandboxCredentials.demo
        let credentials = SandboxCredentials(
            token: token ?? demo.token,
            consumerKey: consumerKey ?? demo.consumerKey,
            consumerSecret: consumerSecret ?? demo.consumerSecret,
            accessToken: accessToken ?? demo.accessToken,
            accessTokenSecret: accessTokenSecret ?? demo.accessTokenSecret,
            username: username ?? demo.username)
        return SandboxConfiguration(
            host: host, port: port, seed: seed, window: windowDuration, limitHigh: limitHigh, limitLow: limitLow,
            rateLimited: !noRateLimit, credentials: credentials, faults: faults, collectionItems: collectionItems)
    }

    func run() async throws {
        let configuration = try makeConfiguration()
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        let sandbox = try await Sandbox.start(configuration)
        // unbuffered: the first line must reach a pipe at once
        FileHandle.standardOutput.write(Data((sandbox.baseURL + "\n").utf8))
        let credentials = configuration.credentials
        var notice = """
            discogs-batch sandbox listening on \(sandbox.baseURL) (seed \(configuration.seed), window \(window), \
            limits \(configuration.limitLow)/\(configuration.limitHigh)\(configuration.rateLimited ? "" : ", rate limiting off"))
            credentials accepted (demo values unless set by flags; not secrets):
              token               \(credentials.token)
              consumer key        \(credentials.consumerKey)
              consumer secret     \(credentials.consumerSecret)
              access token        \(credentials.accessToken)
              access token secret \(credentials.accessTokenSecret)
              username            \(credentials.username)

            """
        for fault in configuration.faults { notice += "fault: \(fault)\n" }
        FileHandle.standardError.write(Data(notice.utf8))
        let received = await signals.wait()
        FileHandle.standardError.write(Data("signal \(received): stopping the sandbox\n".utf8))
        await sandbox.stop()
    }
}
