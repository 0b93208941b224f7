/// A stored sign-in (`auth login`) as a job's `auth.profile` uses it: its mode, credentials and the
/// base URL it was signed in against. Job only describes it; Auth's credential store provides it
/// (`StoredProfileSource`).
public struct StoredProfile: Sendable, Hashable {
    public var mode: AuthMode
    public var token: String?
    public var consumerKey: String?
    public var consumerSecret: String?
    public var accessToken: String?
    public var accessTokenSecret: String?
    public var baseURL: String

    public init(
        mode: AuthMode, token: String? = nil, consumerKey: String? = nil, consumerSecret: String? = nil,
        accessToken: String? = nil, accessTokenSecret: String? = nil, baseURL: String
    ) {
        self.mode = mode
        self.token = token
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.accessToken = accessToken
        self.accessTokenSecret = accessTokenSecret
        self.baseURL = baseURL
    }
}
