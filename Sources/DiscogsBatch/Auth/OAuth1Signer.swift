import Crypto
import Foundation

/// OAuth 1.0a signing (RFC 5849) as pure functions: no clock, no randomness, no I/O.
public enum OAuth1Signer {
    /// RFC 5849 §3.6 / RFC 3986 percent-encoding: UTF-8, only ALPHA DIGIT `-._~` kept, uppercase hex.
    public static func percentEncode(_ string: String) -> String {
        PercentEncoding.encode(string, table: PercentEncoding.unreservedTable)
    }

    /// Decodes `application/x-www-form-urlencoded` text (`+` is a space) into name/value pairs, in order.
    /// A pair without `=` has an empty value; empty segments are skipped.
    public static func parseForm(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = formDecode(parts[0])
            let value = parts.count > 1 ? formDecode(parts[1]) : ""
            return (name, value)
        }
    }

    /// RFC 5849 §3.4.1.3.2: encode names and values, sort by name then value (bytewise), join with `=` and `&`.
    /// Duplicates and empty values are kept.
    public static func normalizedParameters(_ parameters: [(name: String, value: String)]) -> String {
        parameters
            .map { (percentEncode($0.name), percentEncode($0.value)) }
            .sorted { a, b in
                a.0 == b.0 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8) : a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// RFC 5849 §3.4.1.2: lowercase scheme and host, default port (80 http, 443 https) omitted,
    /// path as sent (empty becomes `/`), no query or fragment. Nil without a scheme or host.
    public static func baseStringURI(_ url: URLComponents) -> String? {
        guard let scheme = url.scheme?.lowercased(), var host = url.percentEncodedHost?.lowercased(), !host.isEmpty
        else { return nil }
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }  // IPv6 literal
        var result = "\(scheme)://\(host)"
        if let port = url.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) {
            result += ":\(port)"
        }
        let path = url.percentEncodedPath
        result += path.isEmpty ? "/" : path
        return result
    }

    /// RFC 5849 §3.4.1.1: `METHOD&enc(base string URI)&enc(normalized parameters)`.
    public static func baseString(method: String, baseStringURI: String, parameters: [(name: String, value: String)])
        -> String
    {
        [
            percentEncode(method.uppercased()), percentEncode(baseStringURI),
            percentEncode(normalizedParameters(parameters)),
        ]
        .joined(separator: "&")
    }

    /// RFC 5849 §3.4.4: `enc(consumer_secret)&enc(token_secret)`, the `&` present even when a secret is empty.
    /// This is the parameter value; the Authorization header encodes it once more (`&` → `%26`).
    public static func plaintextSignature(consumerSecret: String, tokenSecret: String) -> String {
        "\(percentEncode(consumerSecret))&\(percentEncode(tokenSecret))"
    }

    /// RFC 5849 §3.4.2: base64 of HMAC-SHA1 keyed with `enc(consumer_secret)&enc(token_secret)`.
    public static func hmacSHA1Signature(baseString: String, consumerSecret: String, tokenSecret: String) -> String {
        let key = SymmetricKey(
            data: Data(plaintextSignature(consumerSecret: consumerSecret, tokenSecret: tokenSecret).utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(baseString.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// RFC 5849 §3.5.1: `OAuth realm="…", name="enc(value)", …` with parameters in the given order.
    public static func authorizationHeader(parameters: [(name: String, value: String)], realm: String? = nil) -> String
    {
        var fields: [String] = []
        if let realm { fields.append("realm=\"\(quotedStringEscape(realm))\"") }
        fields += parameters.map { "\(percentEncode($0.name))=\"\(percentEncode($0.value))\"" }
        return "OAuth " + fields.joined(separator: ", ")
    }

    /// The `oauth_*` protocol parameters of a request, without the signature, in header order.
    public static func protocolParameters(for request: OAuth1Request) -> [(name: String, value: String)] {
        var params: [(name: String, value: String)] = [("oauth_consumer_key", request.consumerKey)]
        if let token = request.token { params.append(("oauth_token", token)) }
        params.append(("oauth_signature_method", request.signatureMethod.oauthName))
        params.append(("oauth_timestamp", String(request.timestamp)))
        params.append(("oauth_nonce", request.nonce))
        if request.includeVersion { params.append(("oauth_version", "1.0")) }
        if let callback = request.callback { params.append(("oauth_callback", callback)) }
        if let verifier = request.verifier { params.append(("oauth_verifier", verifier)) }
        return params
    }

    /// The signature base string of a request: its query, form body and protocol parameters (§3.4.1).
    /// Nil when the URL has no scheme or host.
    public static func baseString(for request: OAuth1Request) -> String? {
        guard let uri = baseStringURI(request.url) else { return nil }
        let query = request.url.percentEncodedQuery.map(parseForm) ?? []
        return baseString(
            method: request.method, baseStringURI: uri,
            parameters: query + protocolParameters(for: request) + request.formParameters)
    }

    /// The `oauth_signature` value (before header encoding). Nil when HMAC-SHA1 has no usable URL.
    public static func signature(for request: OAuth1Request) -> String? {
        switch request.signatureMethod {
        case .plaintext:
            return plaintextSignature(consumerSecret: request.consumerSecret, tokenSecret: request.tokenSecret)
        case .hmacSHA1:
            guard let base = baseString(for: request) else { return nil }
            return hmacSHA1Signature(
                baseString: base, consumerSecret: request.consumerSecret, tokenSecret: request.tokenSecret)
        }
    }

    /// The complete `Authorization` header value for a request. Nil when HMAC-SHA1 has no usable URL.
    public static func authorizationHeader(for request: OAuth1Request) -> String? {
        guard let signature = signature(for: request) else { return nil }
        return authorizationHeader(
            parameters: protocolParameters(for: request) + [("oauth_signature", signature)], realm: request.realm)
    }

    // MARK: - Helpers

    /// Form decoding: `+` is a space, `%XX` a byte; malformed escapes are kept as written.
    static func formDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), input.count >= 2,
                let high = hexValue(input[input.startIndex]), let low = hexValue(input[input.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    private static func quotedStringEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
