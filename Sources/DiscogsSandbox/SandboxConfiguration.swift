/// Everything that shapes a sandbox: where it listens, its catalogue seed, its rate limits,
/// the credentials it accepts and the faults it injects.
public struct SandboxConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host: String
    /// Port to bind; 0 picks an ephemeral port (read it back from ``Sandbox/baseURL``).
    public var port: Int
    /// Seed of the generated catalogue and of the fault draws.
    public var seed: UInt64
    /// Length of the sliding rate-limit window (Discogs: 60 s). Real time, not the sandbox clock.
    public var window: Duration
    /// Requests per window for authenticated clients (key/secret, token, OAuth).
    public var limitHigh: Int
    /// Requests per window for clients without credentials.
    public var limitLow: Int
    /// When false no request is ever refused with 429; headers still report the limits, with
    /// `Used` 0 (benchmarks).
    public var rateLimited: Bool
    /// The credentials the sandbox registers.
    public var credentials: SandboxCredentials
    /// Faults to inject, in order; see ``SandboxFault/parse(_:)`` for the grammar.
    public var faults: [SandboxFault]
    /// Items in the demo user's collection (folders 1 and 2; folder 0 lists them all): 240 by default,
    /// larger for benchmarks of collection walks and their dependent requests.
    public var collectionItems: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        seed: UInt64 = 1,
        window: Duration = .seconds(60),
        limitHigh: Int = 60,
        limitLow: Int = 25,
        rateLimited: Bool = true,
        credentials: SandboxCredentials = .demo,
        faults: [SandboxFault] = [],
        collectionItems: Int = 240
    ) {
        self.host = host
        self.port = port
        self.seed = seed
        self.window = window
        self.limitHigh = limitHigh
        self.limitLow = limitLow
        self.rateLimited = rateLimited
        self.credentials = credentials
        self.faults = faults
        self.collectionItems = collectionItems
    }
}
