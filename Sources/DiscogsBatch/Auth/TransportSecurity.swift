import Foundation

/// Where credentials may travel (SPEC §5): HTTPS anywhere, plain HTTP only to loopback, and never
/// across a redirect to another scheme, host or port.
public enum TransportSecurity {
    /// True for `https`, or `http` to a loopback host (127.0.0.0/8, ::1, localhost).
    public static func credentialsAllowed(to url: URLComponents) -> Bool {
        switch url.scheme?.lowercased() {
        case "https": return true
        case "http": return url.host.map(isLoopback) ?? false
        default: return false
        }
    }

    /// The same for a URL string; false when it does not parse.
    public static func credentialsAllowed(to url: String) -> Bool {
        URLComponents(string: url).map { credentialsAllowed(to: $0) } ?? false
    }

    /// The one refusal (SPEC §5) given wherever credentials would go to `url` and may not: nil when
    /// they may (`credentialsAllowed(to:)`).
    public static func credentialsRefusal(to url: String) -> String? {
        credentialsAllowed(to: url)
            ? nil : "refusing to send credentials to \(url): credentials go only over HTTPS or to a loopback address"
    }

    /// True when a redirect changes scheme, host or (effective) port: the credentials must not follow.
    /// Also true when the target may not carry credentials at all, or either URL does not parse.
    public static func shouldDropCredentials(onRedirectFrom from: URLComponents, to: URLComponents) -> Bool {
        guard let fromScheme = from.scheme?.lowercased(), let toScheme = to.scheme?.lowercased(),
            let fromHost = from.host.map(normalizedHost), let toHost = to.host.map(normalizedHost)
        else { return true }
        return fromScheme != toScheme || fromHost != toHost
            || effectivePort(from, scheme: fromScheme) != effectivePort(to, scheme: toScheme)
            || !credentialsAllowed(to: to)
    }

    /// The same for URL strings.
    public static func shouldDropCredentials(onRedirectFrom from: String, to: String) -> Bool {
        guard let from = URLComponents(string: from), let to = URLComponents(string: to) else { return true }
        return shouldDropCredentials(onRedirectFrom: from, to: to)
    }

    /// True for `localhost` (and `*.localhost`), any 127.x.y.z address and the IPv6 loopback `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let host = normalizedHost(host)
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        if let v4 = ipv4Octets(host) { return v4[0] == 127 }
        if host.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { return false }
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
            // IPv4-mapped ::ffff:127.x.y.z
            return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
        }
        return false
    }

    private static func normalizedHost(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host = String(host.dropLast()) }
        return host
    }

    /// Four dotted decimal octets, or nil.
    private static func ipv4Octets(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { part -> Int? in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = Int(part), value <= 255
            else { return nil }
            return value
        }
        return octets.count == 4 ? octets : nil
    }

    private static func effectivePort(_ url: URLComponents, scheme: String) -> Int? {
        url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil)
    }
}
