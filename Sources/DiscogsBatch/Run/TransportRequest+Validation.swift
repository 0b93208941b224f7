extension TransportRequest {
    /// Where a request goes, taken from its URL.
    struct Target: Equatable {
        var scheme: String
        var host: String
    }

    /// Checks every part of the request before anything is sent, and returns its scheme and host:
    /// the method and header names are tokens, the URL is http(s) with a host and no user info, its
    /// characters those RFC 3986 allows unencoded, and no header value holds a control character (so
    /// none can end the header early and add another). Nothing is encoded on the caller's behalf.
    func validatedTarget() throws -> Target {
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isToken) else { throw Self.refused("method") }
        for header in headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isToken) else { throw Self.refused("header name") }
            guard header.value.utf8.allSatisfy(Self.isValueByte) else { throw Self.refused("header value") }
        }
        let lowered = url.lowercased()
        let scheme = lowered.hasPrefix("https://") ? "https" : lowered.hasPrefix("http://") ? "http" : nil
        guard let scheme else { throw TransportError(.invalid, "not an http or https URL") }
        guard url.utf8.allSatisfy(Self.isURLByte) else { throw Self.refused("request target") }
        let rest = url.utf8.dropFirst(scheme.utf8.count + 3)
        let authority = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard !authority.contains(UInt8(ascii: "@")) else { throw Self.badAuthority }
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw Self.badAuthority }
            let port = host[host.index(after: close)...]
            guard port.isEmpty || Self.isPort(port.dropFirst()) && port.hasPrefix(":") else { throw Self.badAuthority }
            host = host[..<host.index(after: close)]
        } else if let colon = host.lastIndex(of: ":") {
            guard Self.isPort(host[host.index(after: colon)...]) else { throw Self.badAuthority }
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw Self.badAuthority }
        return Target(scheme: scheme, host: String(host))
    }

    private static func isPort(_ text: Substring) -> Bool {
        Int(text).map { (1...65535).contains($0) } ?? false && text.allSatisfy(\.isASCII)
    }

    private static var badAuthority: TransportError {
        TransportError(.invalid, "the URL's host or port is not valid")
    }

    private static func refused(_ part: String) -> TransportError {
        TransportError(.invalid, "the request's \(part) has a character HTTP does not allow")
    }

    /// RFC 9110 `tchar`.
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// RFC 3986's unreserved, gen-delims, sub-delims and `%`: what a URL may hold unencoded.
    private static func isURLByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
            UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: "%"):
            true
        default: false
        }
    }

    /// A header value's byte: anything but a control character (a tab apart).
    static func isValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}
