import Foundation

/// The three legs of the OAuth 1.0a flow (SPEC §1) and the identity call, over any `HTTPTransport`.
///
/// No I/O besides `transport`, no clock besides `nonceSource` and `now`: the command line drives it with
/// a callback listener or a prompt; tests drive it against the sandbox, acting as the approving user.
public struct OAuthLogin: Sendable {
    /// A request token: what the user authorizes. Its secret never leaves this process.
    public struct RequestToken: Sendable {
        public var token: String
        public var secret: String
        /// When it was obtained (for the 15-minute limit).
        public var obtained: Date
    }

    /// The access token and secret, which do not expire.
    public struct AccessToken: Sendable {
        public var token: String
        public var secret: String
    }

    /// Who `/oauth/identity` says the credentials act as.
    public struct Identity: Sendable {
        public var username: String
        public var id: Int?
        /// `X-Discogs-Ratelimit` of the answer: the tier's limit per window.
        public var rateLimit: Int?
    }

    /// The lifetime of a request token and its verifier.
    public static let requestTokenLifetime: TimeInterval = 15 * 60

    /// The API base URL, without a trailing slash (`https://api.discogs.com`).
    public var baseURL: String
    public var consumerKey: String
    public var consumerSecret: String
    public var signature: SignatureMethod
    public var userAgent: String
    public var transport: any HTTPTransport
    public var nonceSource: OAuthNonceSource
    public var timeout: Duration
    /// The current time, for the request token's age.
    public var now: @Sendable () -> Date

    public init(
        baseURL: String, consumerKey: String, consumerSecret: String, signature: SignatureMethod = .plaintext,
        userAgent: String, transport: any HTTPTransport, nonceSource: OAuthNonceSource = .system,
        timeout: Duration = .seconds(30), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.signature = signature
        self.userAgent = userAgent
        self.transport = transport
        self.nonceSource = nonceSource
        self.timeout = timeout
        self.now = now
    }

    /// The authorize page for a request token: `AUTHORIZE?oauth_token=TOKEN`.
    public static func authorizeURL(_ authorizeBase: String, token: String) -> String {
        let separator = authorizeBase.contains("?") ? "&" : "?"
        return "\(authorizeBase)\(separator)oauth_token=\(OAuth1Signer.percentEncode(token))"
    }

    /// Leg 1: `GET /oauth/request_token` with `oauth_callback` (a URL or `oob`).
    public func requestToken(callback: String) async throws(OAuthLoginError) -> RequestToken {
        let url = "\(baseURL)/oauth/request_token"
        let response = try await send(
            "GET", url, step: "the request token request", token: nil, tokenSecret: "", callback: callback,
            verifier: nil)
        let redactor = Redactor(secrets: [consumerKey, consumerSecret])
        guard response.status == 200 else {
            throw .requestTokenRefused(status: response.status, message: Self.message(response, redactor))
        }
        let form = Self.form(response)
        guard let token = form["oauth_token"], !token.isEmpty, let secret = form["oauth_token_secret"] else {
            throw .malformed(step: "the request token request", detail: "no oauth_token and oauth_token_secret")
        }
        return RequestToken(token: token, secret: secret, obtained: now())
    }

    /// Leg 3: `POST /oauth/access_token` signed with the request token, carrying the verifier.
    public func accessToken(for request: RequestToken, verifier: String) async throws(OAuthLoginError) -> AccessToken {
        let verifier = verifier.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !verifier.isEmpty else { throw .invalidInput("no verifier was given; nothing was stored") }
        let redactor = Redactor(secrets: [consumerKey, consumerSecret, request.secret, verifier])
        let url = "\(baseURL)/oauth/access_token"
        let response = try await send(
            "POST", url, step: "the access token request", token: request.token, tokenSecret: request.secret,
            callback: nil, verifier: verifier)
        guard response.status == 200 else {
            let expired = now().timeIntervalSince(request.obtained) >= Self.requestTokenLifetime
            throw .accessTokenRefused(
                status: response.status, message: Self.message(response, redactor), expiredLocally: expired)
        }
        let form = Self.form(response)
        guard let token = form["oauth_token"], !token.isEmpty, let secret = form["oauth_token_secret"], !secret.isEmpty
        else {
            throw .malformed(step: "the access token request", detail: "no oauth_token and oauth_token_secret")
        }
        return AccessToken(token: token, secret: secret)
    }

    /// `GET /oauth/identity` with any credentials that act as a user (OAuth or a personal token).
    public func identity(_ credentials: Credentials) async throws(OAuthLoginError) -> Identity {
        try await Self.identity(
            credentials, baseURL: baseURL, userAgent: userAgent, transport: transport, nonceSource: nonceSource,
            timeout: timeout)
    }

    /// `GET BASE/oauth/identity` with these credentials.
    public static func identity(
        _ credentials: Credentials, baseURL: String, userAgent: String, transport: any HTTPTransport,
        nonceSource: OAuthNonceSource = .system, timeout: Duration = .seconds(30)
    ) async throws(OAuthLoginError) -> Identity {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let url = "\(base)/oauth/identity"
        guard let additions = DiscogsAuth(credentials: credentials, nonceSource: nonceSource)
            .additions(method: "GET", url: url)
        else { throw .invalidInput("not a usable URL: \(base)") }
        guard let components = URLComponents(string: url) else { throw .invalidInput("not a usable URL: \(base)") }
        var headers = [("User-Agent", userAgent), ("Accept", "application/vnd.discogs.v2.discogs+json")]
        headers += additions.headers.map { ($0.key, $0.value) }
        let request = TransportRequest(
            method: "GET", url: additions.apply(to: components).string ?? url, headers: headers, body: nil)
        let redactor = Redactor(credentials: credentials)
        let response: TransportResponse
        do {
            response = try await transport.send(request, timeout: timeout)
        } catch {
            throw .transport(step: "the identity request", message: redactor.redact("\(error)"))
        }
        guard response.status == 200 else {
            throw .identityRefused(status: response.status, message: message(response, redactor))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let username = object["username"] as? String, !username.isEmpty
        else { throw .malformed(step: "the identity request", detail: "no username in the answer") }
        return Identity(
            username: username, id: object["id"] as? Int,
            rateLimit: response.header("X-Discogs-Ratelimit").flatMap { Int($0) })
    }

    // MARK: - Helpers

    private func send(
        _ method: String, _ url: String, step: String, token: String?, tokenSecret: String, callback: String?,
        verifier: String?
    ) async throws(OAuthLoginError) -> TransportResponse {
        guard let components = URLComponents(string: url) else { throw .invalidInput("not a usable URL: \(baseURL)") }
        let signed = OAuth1Request(
            method: method, url: components, consumerKey: consumerKey, consumerSecret: consumerSecret, token: token,
            tokenSecret: tokenSecret, signatureMethod: signature, timestamp: nonceSource.timestamp(),
            nonce: nonceSource.nonce(), callback: callback, verifier: verifier)
        guard let header = OAuth1Signer.authorizationHeader(for: signed) else {
            throw .invalidInput("not a usable URL: \(baseURL)")
        }
        let request = TransportRequest(
            method: method, url: url,
            headers: [
                ("User-Agent", userAgent), ("Authorization", header),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: method == "POST" ? [] : nil)
        do {
            return try await transport.send(request, timeout: timeout)
        } catch {
            let redactor = Redactor(secrets: [consumerKey, consumerSecret, tokenSecret, verifier ?? ""])
            throw .transport(step: step, message: redactor.redact("\(error)"))
        }
    }

    private static func form(_ response: TransportResponse) -> [String: String] {
        var result: [String: String] = [:]
        for pair in OAuth1Signer.parseForm(String(decoding: response.body, as: UTF8.self)) where result[pair.name] == nil {
            result[pair.name] = pair.value
        }
        return result
    }

    /// The server's `{"message": ...}` (or a short text body), redacted and on one line.
    static func message(_ response: TransportResponse, _ redactor: Redactor) -> String {
        let text: String
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let message = object["message"] as? String
        {
            text = message
        } else {
            let body = String(decoding: response.body.prefix(200), as: UTF8.self)
            text = body.isEmpty ? "no message" : body
        }
        return redactor.redact(text).replacingOccurrences(of: "\n", with: " ")
    }
}
