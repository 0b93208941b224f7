/// The credentials a sandbox registers and accepts. Anything else is answered with 401.
///
/// The demo values (``demo``) are not secrets: they are printed by `discogs-batch sandbox` at start
/// and documented in `docs/sandbox.md`.
public struct SandboxCredentials: Sendable, Equatable {
    /// Personal access token (`Authorization: Discogs token=T` or `?token=T`); acts as ``username``.
    public var token: String
    /// Consumer key of the registered application (key/secret mode and OAuth).
    public var consumerKey: String
    /// Consumer secret of the registered application.
    public var consumerSecret: String
    /// A pre-authorised OAuth access token for ``username`` (the flow can mint more).
    public var accessToken: String
    /// The secret of ``accessToken``.
    public var accessTokenSecret: String
    /// The user that token and OAuth credentials act as.
    public var username: String

    public init(
        token: String = SandboxCredentials.demo.token,
        consumerKey: String = SandboxCredentials.demo.consumerKey,
        consumerSecret: String = SandboxCredentials.demo.consumerSecret,
        accessToken: String = SandboxCredentials.demo.accessToken,
        accessTokenSecret: String = SandboxCredentials.demo.accessTokenSecret,
        username: String = SandboxCredentials.demo.username
    ) {
        self.token = token
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.accessToken = accessToken
        self.accessTokenSecret = accessTokenSecret
        self.username = username
    }

    private init(
        demoToken: String, consumerKey: String, consumerSecret: String,
        accessToken: String, accessTokenSecret: String, username: String
    ) {
        self.token = demoToken
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.accessToken = accessToken
        self.accessTokenSecret = accessTokenSecret
        self.username = username
    }

    /// The documented demo credentials.
    public static let demo = SandboxCredentials(
        demoToken: "sandbox-demo-token",
        consumerKey: "sandbox-consumer-key",
        consumerSecret: "sandbox-consumer-secret",
        accessToken: "sandbox-access-token",
        accessTokenSecret: "sandbox-access-token-secret",
        username: "sandbox_user"
    )
}
