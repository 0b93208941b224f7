import Foundation

/// Everything that goes into one OAuth 1.0a signature: the request and the protocol values.
///
/// The same shape serves the three legs of the flow: request token (`callback`, no token, empty
/// token secret), access token (`token` = request token, `verifier`) and signed API calls.
public struct OAuth1Request: Sendable {
    /// HTTP method, e.g. `GET`; uppercased when signing.
    public var method: String
    /// The full request URL, query included (its query parameters are signed).
    public var url: URLComponents
    /// Decoded `application/x-www-form-urlencoded` body parameters, if the body is a form (else empty).
    public var formParameters: [(name: String, value: String)]
    /// `oauth_consumer_key`: the application's key.
    public var consumerKey: String
    /// The application's secret; never sent in clear except as PLAINTEXT's signature.
    public var consumerSecret: String
    /// `oauth_token`; nil on the request-token leg, where it is omitted.
    public var token: String?
    /// The token secret; empty on the request-token leg.
    public var tokenSecret: String
    /// PLAINTEXT or HMAC-SHA1.
    public var signatureMethod: SignatureMethod
    /// `oauth_timestamp`, seconds since 1970.
    public var timestamp: Int
    /// `oauth_nonce`: unique per request.
    public var nonce: String
    /// `oauth_callback` (request-token leg), e.g. `oob`.
    public var callback: String?
    /// `oauth_verifier` (access-token leg).
    public var verifier: String?
    /// Whether to send `oauth_version="1.0"` (optional in RFC 5849).
    public var includeVersion: Bool
    /// The optional `realm` of the Authorization header; never signed.
    public var realm: String?

    /// Creates a request to sign; see the properties for the meaning of each value.
    public init(
        method: String, url: URLComponents, formParameters: [(name: String, value: String)] = [],
        consumerKey: String, consumerSecret: String, token: String? = nil, tokenSecret: String = "",
        signatureMethod: SignatureMethod = .plaintext, timestamp: Int, nonce: String,
        callback: String? = nil, verifier: String? = nil, includeVersion: Bool = true, realm: String? = nil
    ) {
        self.method = method
        self.url = url
        self.formParameters = formParameters
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.token = token
        self.tokenSecret = tokenSecret
        self.signatureMethod = signatureMethod
        self.timestamp = timestamp
        self.nonce = nonce
        self.callback = callback
        self.verifier = verifier
        self.includeVersion = includeVersion
        self.realm = realm
    }
}
