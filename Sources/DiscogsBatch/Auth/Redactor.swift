import Foundation

/// Masks credential values in text, URLs and JSON bodies with `REDACTED` (SPEC §3).
///
/// Each secret is searched in its plausible spellings: as written, percent-encoded (RFC 3986 strict,
/// upper- and lowercase hex), form-encoded (space as `+`), lightly query-encoded (as Foundation's
/// URL types write it), and each of those JSON-escaped (with and without `\/`).
///
/// Short secrets: every non-empty secret is redacted, whatever its length, so that nothing ever leaks.
/// Masking a 1-character secret would wreck the output, so `Credentials.validationProblems()` refuses
/// credential values shorter than `Credentials.minimumValueLength` (4) before a run starts; no real
/// Discogs key, secret or token is anywhere near that short.
public struct Redactor: Sendable {
    /// The text that replaces every secret.
    public static let replacement = "REDACTED"
    /// Query parameter names whose values `redactURL` always masks (compared case-insensitively).
    public static let credentialQueryNames: Set<String> = [
        "token", "key", "secret", "consumer_key", "consumer_secret", "access_token", "access_token_secret",
        "oauth_token", "oauth_token_secret", "oauth_signature", "oauth_consumer_key", "oauth_verifier",
    ]

    /// The secrets this redactor masks (empty strings dropped).
    public let secrets: [String]
    /// Every spelling, for text and URLs.
    private let anywhere: Matcher
    /// Only spellings that are valid JSON string content, for matching inside JSON strings.
    private let insideJSONStrings: Matcher

    /// A redactor for these secret values.
    public init(secrets: [String]) {
        let secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted()
        self.secrets = secrets
        var all = Set<[UInt8]>()
        var json = Set<[UInt8]>()
        for secret in secrets {
            for spelling in Self.spellings(of: secret) {
                let escaped = [
                    Self.jsonEscaped(spelling, escapeSlash: false), Self.jsonEscaped(spelling, escapeSlash: true),
                ].map { Array($0.utf8) }
                all.insert(Array(spelling.utf8))
                all.formUnion(escaped)
                json.formUnion(escaped)
            }
        }
        anywhere = Matcher(forms: all)
        insideJSONStrings = Matcher(forms: json)
    }

    /// A redactor for every value of these credentials.
    public init(credentials: Credentials) {
        self.init(secrets: credentials.secrets)
    }

    /// True when there is nothing to mask.
    public var isEmpty: Bool { anywhere.forms.isEmpty }

    /// Replaces every occurrence of every secret spelling with `REDACTED`.
    public func redact(_ string: String) -> String {
        if anywhere.forms.isEmpty { return string }
        var text = string
        guard text.withUTF8({ anywhere.occurs(in: UnsafeRawBufferPointer($0)) }) else { return string }
        return String(decoding: anywhere.replaceAll(Array(string.utf8)), as: UTF8.self)
    }

    /// Masks the values of credential query items (`token`, `key`, `secret`, `oauth_*` …) and then every
    /// secret anywhere in the URL. The rest of the URL is kept exactly as written.
    public func redactURL(_ url: String) -> String {
        // Neither a query nor a fragment (no `?` or `#` byte at all): only secrets in the path to mask.
        var text = url
        let plain = text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return true }
            return memchr(base, 0x3F, bytes.count) == nil && memchr(base, 0x23, bytes.count) == nil  // no `?`, no `#`
        }
        if plain { return redact(url) }
        var rest = Substring(url)
        var fragment: Substring = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[hash...]
            rest = rest[..<hash]
        }
        var result = url
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...]
            let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                if Self.credentialQueryNames.contains(OAuth1Signer.formDecode(name).lowercased()) {
                    return "\(name)=\(Self.replacement)"
                }
                return String(pair)
            }
            result = rest[...question] + pairs.joined(separator: "&") + fragment
        }
        return redact(result)
    }

    /// Masks secrets in a raw JSON body without ever breaking its validity: inside strings a secret
    /// becomes `REDACTED`; a bare token (number or literal) holding one becomes the string `"REDACTED"`.
    /// Returns the input untouched (no copy) when no secret occurs. Bytes that are not JSON get the
    /// plain replacement of `redact(_:)`. (A secret spelled with `\u` escapes of plain letters is not
    /// recognised; no encoder writes credentials that way.)
    public func redact(bytes: [UInt8]) -> [UInt8] {
        guard anywhere.occurs(in: bytes[...]) else { return bytes }
        let out = jsonAwareReplace(bytes)
        // Validity is checked only on this slow path (a secret occurs). Not JSON: plain replacement.
        guard JSONScanner(out).document() != nil else {
            return anywhere.replaceAll(bytes)
        }
        return out
    }

    // MARK: - Matching

    /// A set of byte patterns matched longest first.
    private struct Matcher: Sendable {
        let forms: [[UInt8]]
        /// `startsForm[b]` is true when some form begins with byte `b`.
        let startsForm: [Bool]

        /// For each form, the offset of its byte least likely in a JSON body (`memchr` stops on fewer).
        let anchors: [Int]

        init(forms: Set<[UInt8]>) {
            self.forms = forms.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
            var starts = [Bool](repeating: false, count: 256)
            for form in self.forms { starts[Int(form[0])] = true }
            startsForm = starts
            anchors = self.forms.map { form in form.indices.min { Self.commonness(form[$0]) < Self.commonness(form[$1]) } ?? 0 }
        }

        /// How often a byte turns up in JSON text, roughly: structure, digits and the frequent lowercase
        /// letters most; other lowercase letters by their frequency in English; capitals and the rest least.
        static func commonness(_ byte: UInt8) -> Int {
            let letters = Array("zqxjkvbpygfwmucldrhsnioate".utf8)
            if let rank = letters.firstIndex(of: byte) { return 10 + rank }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: ","),
                UInt8(ascii: " "), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "{"), UInt8(ascii: "}"),
                UInt8(ascii: "["), UInt8(ascii: "]"):
                return 50
            default: return 0
            }
        }

        /// The length of the longest form that starts at `index`, if any.
        func match(_ bytes: ArraySlice<UInt8>, at index: Int) -> Int? {
            guard startsForm[Int(bytes[index])] else { return nil }
            for form in forms where form.count <= bytes.endIndex - index {
                if bytes[index..<(index + form.count)].elementsEqual(form) { return form.count }
            }
            return nil
        }

        /// Whether some form occurs in `bytes`: `memchr` to each occurrence of a form's least common byte
        /// (its anchor), then `memcmp` of the whole form around it, so a body with no secret costs a few
        /// vectorised scans.
        func occurs(in bytes: ArraySlice<UInt8>) -> Bool {
            bytes.withUnsafeBytes { occurs(in: $0) }
        }

        func occurs(in haystack: UnsafeRawBufferPointer) -> Bool {
            guard let base = haystack.baseAddress else { return false }
            return zip(forms, anchors).contains { form, anchor in
                form.withUnsafeBytes { needle in
                    // Candidate starts 0...last; the anchor byte of the one at `start` is at `start + anchor`.
                    var start = 0
                    let last = haystack.count - needle.count
                    while start <= last, let hit = memchr(base + start + anchor, Int32(needle[anchor]), last - start + 1) {
                        start = base.distance(to: hit) - anchor
                        if memcmp(base + start, needle.baseAddress.unsafelyUnwrapped, needle.count) == 0 { return true }
                        start += 1
                    }
                    return false
                }
            }
        }

        /// Plain left-to-right replacement, one pass (replacements are never rescanned).
        func replaceAll(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if let length = match(bytes[...], at: index) {
                    out += Redactor.replacementBytes
                    index += length
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            return out
        }
    }

    /// Walks JSON: string contents are matched escape-sequence by escape-sequence (never splitting one);
    /// bare tokens outside strings are replaced whole by `"REDACTED"` when they hold a secret.
    private func jsonAwareReplace(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if let length = insideJSONStrings.match(bytes[...], at: index) {
                    out += Self.replacementBytes
                    index += length
                } else if byte == UInt8(ascii: "\\") {
                    let length = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "u") ? 6 : 2
                    let end = min(index + length, bytes.count)
                    out += bytes[index..<end]
                    index = end
                } else {
                    if byte == UInt8(ascii: "\"") { inString = false }
                    out.append(byte)
                    index += 1
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                out.append(byte)
                index += 1
            } else if Self.isStructural(byte) {
                out.append(byte)
                index += 1
            } else {
                var end = index
                while end < bytes.count, !Self.isStructural(bytes[end]), bytes[end] != UInt8(ascii: "\"") { end += 1 }
                if anywhere.occurs(in: bytes[index..<end]) {
                    out += Array("\"\(Self.replacement)\"".utf8)
                } else {
                    out += bytes[index..<end]
                }
                index = end
            }
        }
        return out
    }

    // MARK: - Spellings

    fileprivate static let replacementBytes = Array(replacement.utf8)

    private static func isStructural(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","),
            UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            return true
        default:
            return false
        }
    }

    /// The secret as written and in each URL encoding it plausibly travels in.
    static func spellings(of secret: String) -> Set<String> {
        let strict = OAuth1Signer.percentEncode(secret)
        var result: Set<String> = [
            secret, strict, lowercaseHex(strict), strict.replacingOccurrences(of: "%20", with: "+"),
        ]
        var query = CharacterSet.urlQueryAllowed
        if let lenient = secret.addingPercentEncoding(withAllowedCharacters: query) { result.insert(lenient) }
        query.remove(charactersIn: "&=+;")
        if let lenient = secret.addingPercentEncoding(withAllowedCharacters: query) { result.insert(lenient) }
        return result
    }

    /// `%2B` → `%2b`: lowercase hex digits in percent escapes only.
    private static func lowercaseHex(_ encoded: String) -> String {
        var out = ""
        var pending = 0
        for character in encoded {
            if character == "%" {
                pending = 2
                out.append(character)
            } else if pending > 0 {
                pending -= 1
                out += character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The text as it appears inside a JSON string literal.
    static func jsonEscaped(_ text: String, escapeSlash: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escapeSlash: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
