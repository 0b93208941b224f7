import Crypto
import Foundation

/// OAuth 1.0a signatures as RFC 5849 §3.4 defines them, written for the sandbox alone (it must not
/// share code with the client it checks).
enum OAuthSignature {
    /// RFC 5849 §3.6: every byte but ALPHA / DIGIT / "-" / "." / "_" / "~" as %XX, upper-case hex.
    static func percentEncode(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes %XX escapes (and `+` as a space when `plusAsSpace`); nil for a malformed escape or
    /// invalid UTF-8.
    static func percentDecode(_ text: some StringProtocol, plusAsSpace: Bool) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8).makeIterator()
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                else { return nil }
                out.append(high << 4 | low)
            } else if byte == UInt8(ascii: "+") && plusAsSpace {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Parses `application/x-www-form-urlencoded` text (a query string or a form body) into
    /// name/value pairs, in order, duplicates kept; a name without `=` has the value "".
    static func parseForm(_ text: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = part.firstIndex(of: "=") {
                name = part[..<equals]
                value = part[part.index(after: equals)...]
            } else {
                name = part
                value = ""
            }
            pairs.append((
                percentDecode(name, plusAsSpace: true) ?? String(name),
                percentDecode(value, plusAsSpace: true) ?? String(value)
            ))
        }
        return pairs
    }

    /// Parses the parameters of an `Authorization: OAuth ...` header (RFC 5849 §3.5.1), values
    /// percent-decoded; nil when the header is not of the OAuth scheme or is malformed.
    static func parseAuthorizationHeader(_ header: String) -> [(String, String)]? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "oauth " else { return nil }
        var pairs: [(String, String)] = []
        for part in trimmed.dropFirst(6).split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let equals = item.firstIndex(of: "=") else { return nil }
            let name = item[..<equals].trimmingCharacters(in: .whitespaces)
            var value = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else { return nil }
                value = String(value.dropFirst().dropLast())
            }
            guard let decodedName = percentDecode(name, plusAsSpace: false),
                let decodedValue = percentDecode(value, plusAsSpace: false)
            else { return nil }
            pairs.append((decodedName, decodedValue))
        }
        return pairs
    }

    /// RFC 5849 §3.4.1.2: lower-case scheme and host, default port (80 for http, 443 for https)
    /// omitted, path as sent, no query.
    static func baseStringURI(scheme: String, authority: String, path: String) -> String {
        let scheme = scheme.lowercased()
        var host = authority.lowercased()
        var port: String?
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            port = String(host[host.index(after: colon)...])
            host = String(host[..<colon])
        }
        if let value = port, (scheme == "http" && value == "80") || (scheme == "https" && value == "443") || value.isEmpty {
            port = nil
        }
        return "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")\(path.isEmpty ? "/" : path)"
    }

    /// RFC 5849 §3.4.1.3.2: encode names and values, sort by name then value, join.
    static func normalizedParameters(_ parameters: [(String, String)]) -> String {
        parameters
            .map { (percentEncode($0.0), percentEncode($0.1)) }
            .sorted { $0.0 != $1.0 ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// RFC 5849 §3.4.1.1: METHOD&encoded-base-URI&encoded-normalised-parameters. `parameters` are
    /// the query, the oauth_* header parameters without realm and signature, and the form body.
    static func baseString(method: String, baseURI: String, parameters: [(String, String)]) -> String {
        [method.uppercased(), percentEncode(baseURI), percentEncode(normalizedParameters(parameters))]
            .joined(separator: "&")
    }

    /// RFC 5849 §3.4.2 HMAC-SHA1, base64.
    static func hmacSHA1(baseString: String, consumerSecret: String, tokenSecret: String) -> String {
        let key = SymmetricKey(data: Data(signingKey(consumerSecret: consumerSecret, tokenSecret: tokenSecret).utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(baseString.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// RFC 5849 §3.4.4 PLAINTEXT: the signing key itself.
    static func plaintext(consumerSecret: String, tokenSecret: String) -> String {
        signingKey(consumerSecret: consumerSecret, tokenSecret: tokenSecret)
    }

    static func signingKey(consumerSecret: String, tokenSecret: String) -> String {
        percentEncode(consumerSecret) + "&" + percentEncode(tokenSecret)
    }
}
