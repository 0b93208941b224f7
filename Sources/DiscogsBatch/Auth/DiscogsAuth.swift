import Foundation

/// Turns credentials into what a request must carry (SPEC §1): `Discogs` headers or query items,
/// or an OAuth 1.0a header signed afresh (new nonce and timestamp) on every call.
public struct DiscogsAuth: Sendable {
    /// The credentials this signer uses.
    public let credentials: Credentials
    /// Where OAuth nonces and timestamps come from.
    public let nonceSource: OAuthNonceSource
    /// The header fields every request carries when they never change (no credentials, or a token or
    /// key and secret sent as a header), made once: nil for OAuth (signed per request) and the query forms.
    public private(set) var constantHeaders: [(name: String, value: String)]?

    /// Creates a signer; inject `nonceSource` in tests.
    public init(credentials: Credentials, nonceSource: OAuthNonceSource = .system) {
        self.credentials = credentials
        self.nonceSource = nonceSource
        constantHeaders = nil
        if case .oauth = credentials { return }
        if let additions = additions(method: "GET", url: ""), additions.queryItems.isEmpty {
            constantHeaders = additions.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }

    /// What to add to one attempt of `method url` with an optional decoded form body.
    /// Call it for every attempt: OAuth needs a fresh nonce each time. Nil only for an OAuth
    /// HMAC-SHA1 request whose URL has no scheme or host.
    public func additions(
        method: String, url: URLComponents, formParameters: [(name: String, value: String)] = []
    ) -> AuthAdditions? {
        switch credentials {
        case .none:
            return AuthAdditions()
        case .keySecret(let key, let secret, .header):
            return AuthAdditions(headers: ["Authorization": "Discogs key=\(key), secret=\(secret)"])
        case .keySecret(let key, let secret, .query):
            return AuthAdditions(queryItems: [
                URLQueryItem(name: "key", value: key), URLQueryItem(name: "secret", value: secret),
            ])
        case .token(let token, .header):
            return AuthAdditions(headers: ["Authorization": "Discogs token=\(token)"])
        case .token(let token, .query):
            return AuthAdditions(queryItems: [URLQueryItem(name: "token", value: token)])
        case .oauth(let consumerKey, let consumerSecret, let accessToken, let accessTokenSecret, let signature):
            let request = OAuth1Request(
                method: method, url: url, formParameters: formParameters,
                consumerKey: consumerKey, consumerSecret: consumerSecret,
                token: accessToken, tokenSecret: accessTokenSecret, signatureMethod: signature,
                timestamp: nonceSource.timestamp(), nonce: nonceSource.nonce())
            guard let header = OAuth1Signer.authorizationHeader(for: request) else { return nil }
            return AuthAdditions(headers: ["Authorization": header])
        }
    }

    /// The same for a URL string; nil when an OAuth request's string is not a URL (or as above).
    /// Only OAuth signs the URL, so the other modes do not parse it.
    public func additions(
        method: String, url: String, formParameters: [(name: String, value: String)] = []
    ) -> AuthAdditions? {
        guard case .oauth = credentials else {
            return additions(method: method, url: URLComponents(), formParameters: formParameters)
        }
        guard let components = URLComponents(string: url) else { return nil }
        return additions(method: method, url: components, formParameters: formParameters)
    }
}
