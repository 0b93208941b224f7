import Foundation

/// Checks the credentials of a request against the registered ones, in every form SPEC §1 lists.
/// Verification is pure: nonces are recorded afterwards (``OAuthStore/useNonce``) so that a
/// request refused with 429 does not burn its nonce.
struct Authenticator: Sendable {
    struct Failure: Error, Equatable {
        var message: String
        /// The scheme for `WWW-Authenticate`: `Discogs` or `OAuth`.
        var scheme: String
        /// 401 for credentials; 400 for a broken OAuth flow step (unknown or expired request token).
        var status = 401
    }

    struct Nonce: Sendable, Equatable {
        var consumerKey: String
        var token: String
        var timestamp: String
        var nonce: String
    }

    /// The verified oauth_* parameters of a request.
    struct OAuthParameters: Sendable {
        var values: [String: String]
        var nonce: Nonce
        subscript(name: String) -> String? { values[name] }
    }

    let credentials: SandboxCredentials
    let store: OAuthStore

    /// Resolves the principal of an API request (not the OAuth flow endpoints).
    func authenticate(_ request: SandboxRequest, now: Date) -> Result<(Principal, Nonce?), Failure> {
        if let header = request.headers[.authorization] {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            let scheme = trimmed.prefix { $0 != " " }.lowercased()
            switch scheme {
            case "discogs":
                return discogsHeader(String(trimmed.dropFirst(7))).map { ($0, nil) }
            case "oauth":
                let verified = verifyOAuth(request, now: now) { token in
                    guard let token else { return .failure(Failure(message: "OAuth requests need an access token (oauth_token).", scheme: "OAuth")) }
                    guard let access = store.accessToken(token) else {
                        return .failure(Failure(message: "Invalid OAuth access token.", scheme: "OAuth"))
                    }
                    return .success(access.secret)
                }
                return verified.map { parameters in
                    let username = parameters["oauth_token"].flatMap { store.accessToken($0)?.username }
                    return (Principal(mode: .oauth, username: username), parameters.nonce)
                }
            default:
                return .failure(Failure(message: "Unsupported authorization scheme; use Discogs or OAuth.", scheme: "Discogs"))
            }
        }
        if let token = request.query("token") {
            return checkToken(token).map { ($0, nil) }
        }
        if request.query("key") != nil || request.query("secret") != nil {
            return checkKeySecret(key: request.query("key"), secret: request.query("secret")).map { ($0, nil) }
        }
        return .success((.anonymous, nil))
    }

    private func discogsHeader(_ text: String) -> Result<Principal, Failure> {
        var values: [String: String] = [:]
        for part in text.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard let equals = item.firstIndex(of: "=") else {
                return .failure(Failure(message: "Malformed Discogs authorization header.", scheme: "Discogs"))
            }
            var value = String(item[item.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            values[item[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        if let token = values["token"] { return checkToken(token) }
        if values["key"] != nil || values["secret"] != nil {
            return checkKeySecret(key: values["key"], secret: values["secret"])
        }
        return .failure(Failure(message: "Malformed Discogs authorization header.", scheme: "Discogs"))
    }

    private func checkToken(_ token: String) -> Result<Principal, Failure> {
        guard !token.isEmpty, token == credentials.token else {
            return .failure(Failure(message: "Invalid consumer token. Please use a registered token.", scheme: "Discogs"))
        }
        return .success(Principal(mode: .token, username: credentials.username))
    }

    private func checkKeySecret(key: String?, secret: String?) -> Result<Principal, Failure> {
        guard let key, let secret else {
            return .failure(Failure(message: "Consumer key and secret must be sent together.", scheme: "Discogs"))
        }
        guard key == credentials.consumerKey, secret == credentials.consumerSecret else {
            return .failure(Failure(message: "Invalid consumer key or secret.", scheme: "Discogs"))
        }
        return .success(Principal(mode: .keySecret, username: nil))
    }

    /// Verifies an OAuth 1.0a request (PLAINTEXT or HMAC-SHA1): consumer key, timestamp within
    /// ±10 minutes of `now`, nonce present, signature. `tokenSecret` resolves `oauth_token`
    /// (nil when absent) to its secret, or refuses it.
    func verifyOAuth(
        _ request: SandboxRequest, now: Date,
        tokenSecret: (String?) -> Result<String, Failure>
    ) -> Result<OAuthParameters, Failure> {
        func fail(_ message: String) -> Result<OAuthParameters, Failure> {
            .failure(Failure(message: message, scheme: "OAuth"))
        }
        guard let header = request.headers[.authorization],
            let pairs = OAuthSignature.parseAuthorizationHeader(header)
        else { return fail("Missing or malformed OAuth Authorization header.") }
        var values: [String: String] = [:]
        for (name, value) in pairs where name != "realm" {
            if values[name] != nil { return fail("Duplicate OAuth parameter \(name).") }
            values[name] = value
        }
        guard let consumerKey = values["oauth_consumer_key"] else { return fail("Missing oauth_consumer_key.") }
        guard consumerKey == credentials.consumerKey else { return fail("Invalid consumer key.") }
        guard let method = values["oauth_signature_method"] else { return fail("Missing oauth_signature_method.") }
        guard method == "PLAINTEXT" || method == "HMAC-SHA1" else {
            return fail("Unsupported oauth_signature_method \(method); use PLAINTEXT or HMAC-SHA1.")
        }
        if let version = values["oauth_version"], version != "1.0" { return fail("oauth_version must be 1.0.") }
        guard let signature = values["oauth_signature"] else { return fail("Missing oauth_signature.") }
        guard let timestampText = values["oauth_timestamp"], let timestamp = Int(timestampText) else {
            return fail("Missing or invalid oauth_timestamp.")
        }
        guard abs(Double(timestamp) - now.timeIntervalSince1970) <= OAuthStore.timestampTolerance else {
            return fail("oauth_timestamp is more than 10 minutes away from the server's clock.")
        }
        guard let nonce = values["oauth_nonce"], !nonce.isEmpty else { return fail("Missing oauth_nonce.") }
        let secret: String
        switch tokenSecret(values["oauth_token"]) {
        case .success(let value): secret = value
        case .failure(let failure): return .failure(failure)
        }
        let expected: String
        if method == "PLAINTEXT" {
            expected = OAuthSignature.plaintext(consumerSecret: credentials.consumerSecret, tokenSecret: secret)
        } else {
            var parameters = request.query
            parameters += pairs.filter { $0.0 != "realm" && $0.0 != "oauth_signature" }
            parameters += request.formBody
            let base = OAuthSignature.baseString(
                method: request.method,
                baseURI: OAuthSignature.baseStringURI(scheme: "http", authority: request.authority, path: request.path),
                parameters: parameters)
            expected = OAuthSignature.hmacSHA1(baseString: base, consumerSecret: credentials.consumerSecret, tokenSecret: secret)
        }
        guard signature == expected else { return fail("Invalid OAuth signature.") }
        return .success(OAuthParameters(
            values: values,
            nonce: Nonce(consumerKey: consumerKey, token: values["oauth_token"] ?? "", timestamp: timestampText, nonce: nonce)))
    }
}
