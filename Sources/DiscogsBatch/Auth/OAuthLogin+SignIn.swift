import Foundation

extension OAuthLogin {
    /// Discogs' authorize page (on www, not on the API's host).
    public static let discogsAuthorizeURL = "https://www.discogs.com/oauth/authorize"

    /// The authorize page for this login's API: `explicit` when given, Discogs' own page for the real
    /// API, else the API's `/oauth/authorize` (the sandbox's).
    public func authorizeBase(explicit: String?) -> String {
        explicit ?? (baseURL == Job.defaultBaseURL ? Self.discogsAuthorizeURL : "\(baseURL)/oauth/authorize")
    }

    /// The three-legged flow in one call (SPEC §1): a request token (the callback of a loopback
    /// `OAuthCallbackListener` when `callback`, else `oob`), `present` shown the authorize URL and the
    /// callback URL waited on (nil with `oob`), the verifier from the listener (within the request
    /// token's lifetime) or from `askVerifier`, the access token, and the identity it acts as.
    /// `secrets` gains every value of the flow as it arrives, so a failure's message can be masked.
    public func signIn(
        authorizeBase: String, callback: Bool, present: (_ authorizeURL: String, _ waitingAt: String?) -> Void,
        askVerifier: () -> String?, secrets: inout [String]
    ) async throws(OAuthLoginError) -> (profile: CredentialProfile, username: String) {
        secrets += [consumerKey, consumerSecret]
        let listener = try callback ? OAuthCallbackListener() : nil
        let requestToken = try await requestToken(callback: listener?.callbackURL ?? "oob")
        secrets.append(requestToken.secret)
        present(Self.authorizeURL(authorizeBase, token: requestToken.token), listener?.callbackURL)
        let verifier: String
        if let listener {
            verifier = try await listener.verifier(
                expectedToken: requestToken.token, timeout: .seconds(Int(Self.requestTokenLifetime)))
        } else {
            verifier = askVerifier() ?? ""
        }
        secrets.append(verifier)
        let access = try await accessToken(for: requestToken, verifier: verifier)
        secrets += [access.token, access.secret]
        let credentials = Credentials.oauth(
            consumerKey: consumerKey, consumerSecret: consumerSecret, accessToken: access.token,
            accessTokenSecret: access.secret, signature: signature)
        let identity = try await identity(credentials)
        let profile = CredentialProfile.oauth(
            consumerKey: consumerKey, consumerSecret: consumerSecret, accessToken: access.token,
            accessTokenSecret: access.secret, username: identity.username, baseURL: baseURL)
        return (profile, identity.username)
    }
}
