/// The forward proxies to use, read from the environment as curl reads them: `https_proxy` /
/// `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http URLs, `all_proxy` /
/// `ALL_PROXY` for either when its own is unset, and `no_proxy` / `NO_PROXY` for the hosts that go
/// direct (the lowercase name wins when both are set). Loopback hosts (`localhost`, `*.localhost`,
/// 127.0.0.0/8, ::1) always go direct unless `DISCOGS_BATCH_PROXY_LOOPBACK=1`.
///
/// A pure value: `proxy(scheme:host:)` answers from the variables it was made from.
public struct ProxyEnvironment: Sendable, Equatable {
    /// One proxy: where it listens and, for an HTTP proxy, the credentials of `user:password@`.
    public struct Proxy: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: Sendable, Hashable { case http, socks5 }
        public var kind: Kind
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?

        public init(kind: Kind, host: String, port: Int, username: String? = nil, password: String? = nil) {
            (self.kind, self.host, self.port, self.username, self.password) = (kind, host, port, username, password)
        }

        /// `host:port` only: never the credentials.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// A proxy variable that cannot be used. The message names the variable and never repeats its value.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var variable: String
        public var reason: String
        public var description: String { "\(variable): \(reason)" }
    }

    public var https: Proxy?
    public var http: Proxy?
    /// The `no_proxy` entries, lowercased, leading dots removed; `*` alone means every host.
    public var noProxy: [String]
    public var proxiesLoopback: Bool

    /// No proxy at all.
    public static let none = ProxyEnvironment(https: nil, http: nil, noProxy: [], proxiesLoopback: false)

    public init(https: Proxy?, http: Proxy?, noProxy: [String], proxiesLoopback: Bool) {
        self.https = https
        self.http = http
        self.noProxy = noProxy
        self.proxiesLoopback = proxiesLoopback
    }

    public init(environment: [String: String]) throws(Failure) {
        func variable(_ name: String) -> (name: String, value: String)? {
            for name in [name, name.uppercased()] {
                if let value = environment[name], !value.trimmed.isEmpty { return (name, value.trimmed) }
            }
            return nil
        }
        func proxy(_ name: String) throws(Failure) -> Proxy? {
            guard let (name, value) = variable(name) else { return nil }
            return try Self.parse(value, variable: name)
        }
        let all = try proxy("all_proxy")
        https = try proxy("https_proxy") ?? all
        http = try proxy("http_proxy") ?? all
        noProxy = (variable("no_proxy")?.value ?? "")
            .split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
            .map { entry in
                var entry = entry.lowercased()
                while entry.hasPrefix(".") { entry.removeFirst() }
                if entry.hasPrefix("["), entry.hasSuffix("]") { entry = String(entry.dropFirst().dropLast()) }
                return entry
            }
            .filter { !$0.isEmpty }
        proxiesLoopback = environment["DISCOGS_BATCH_PROXY_LOOPBACK"] == "1"
    }

    /// The proxy for a request to `host` over `scheme` (`http` or `https`), or nil to go direct.
    public func proxy(scheme: String, host: String) -> Proxy? {
        guard let proxy = scheme.lowercased() == "https" ? https : http else { return nil }
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        while host.hasSuffix(".") { host.removeLast() }
        if !proxiesLoopback, Self.isLoopback(host) { return nil }
        let address = Self.ipv4(host)
        for entry in noProxy where entry == "*" || host == entry || Self.matches(host, address, entry) { return nil }
        return proxy
    }

    /// A name entry matches its subdomains; an address, or an address entry, only itself, or its block when written `a.b.c.d/bits`.
    private static func matches(_ host: String, _ address: UInt32?, _ entry: String) -> Bool {
        if let slash = entry.firstIndex(of: "/") {
            guard let address, let block = ipv4(String(entry[..<slash])), let bits = Int(entry[entry.index(after: slash)...]),
                (0...32).contains(bits)
            else { return false }
            let mask: UInt32 = bits == 0 ? 0 : ~0 << (32 - bits)
            return address & mask == block & mask
        }
        return address == nil && !host.contains(":") && ipv4(entry) == nil && !entry.contains(":") && host.hasSuffix("." + entry)
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard parts.count == 4, text.split(separator: ".", omittingEmptySubsequences: false).count == 4 else { return nil }
        return parts.reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        return ipv4(host).map { $0 >> 24 == 127 } ?? false
    }

    /// `[scheme://][user[:password]@]host[:port][/]`, as curl takes it: no scheme means http, no
    /// port means 1080; `http` and `socks5`/`socks5h` are the schemes AsyncHTTPClient speaks.
    static func parse(_ text: String, variable: String) throws(Failure) -> Proxy {
        func fail(_ reason: String) -> Failure {
            Failure(variable: variable, reason: reason + "; expected http://[user:password@]host[:port] or socks5://host[:port]")
        }
        var rest = Substring(text)
        var kind = Proxy.Kind.http
        if let separator = rest.range(of: "://") {
            switch rest[..<separator.lowerBound].lowercased() {
            case "http": kind = .http
            case "socks5", "socks5h": kind = .socks5
            case "https": throw fail("a TLS connection to the proxy itself (https://) is not supported")
            default: throw fail("the proxy scheme is not one discogs-batch supports")
            }
            rest = rest[separator.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw fail("a proxy URL has no path") }
            rest = rest[..<slash]
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let colon = userinfo.firstIndex(of: ":")
            guard let user = Self.percentDecoded(userinfo[..<(colon ?? userinfo.endIndex)]),
                let secret = Self.percentDecoded(colon.map { userinfo[userinfo.index(after: $0)...] } ?? "")
            else { throw fail("the proxy credentials have a bad %-escape") }
            guard kind == .http else { throw fail("credentials for a SOCKS proxy are not supported") }
            (username, password) = (user, secret)
        }
        var host = rest
        var port = 1080
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { throw fail("the proxy port is not a number") }
                port = number
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]) else { throw fail("the proxy port is not a number") }
            port = number
        }
        guard !host.isEmpty, !host.contains(where: { $0 == "[" || $0 == "]" || $0 == " " }) else { throw fail("the proxy host is missing") }
        guard (1...65535).contains(port) else { throw fail("the proxy port is out of range") }
        return Proxy(kind: kind, host: host.lowercased(), port: port, username: username, password: password)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate var trimmed: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
