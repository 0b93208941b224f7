/// The OAuth 1.0a signature methods the tool supports (RFC 5849 §3.4).
public enum OAuthSignatureMethod: String, Sendable, Hashable, CaseIterable {
    /// `consumer_secret&token_secret`, recommended by Discogs over HTTPS (RFC 5849 §3.4.4).
    case plaintext = "PLAINTEXT"
    /// HMAC-SHA1 over the signature base string (RFC 5849 §3.4.2).
    case hmacSHA1 = "HMAC-SHA1"
}
