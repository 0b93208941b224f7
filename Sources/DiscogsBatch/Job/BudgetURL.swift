import Foundation

/// The PostgreSQL URL of a budget shared across hosts (`rate.shared`, `DISCOGS_BATCH_BUDGET_URL`):
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require][&host=/socket/folder]`.
///
/// Its `description` masks the password, which is never printed.
public struct BudgetURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
    }

    public let host: String
    public let port: Int
    /// A Unix socket's path (from a `host=` query naming a folder, as libpq does), instead of TCP.
    public let socketPath: String?
    public let user: String
    public let password: String?
    public let database: String?
    public let tls: TLSMode
    /// The URL as given, with the password masked.
    public let description: String

    /// Parses `text`; the error says what was expected and never contains the password.
    public init(_ text: String) throws(Failure) {
        let masked = Self.mask(text)
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw Failure("expected a PostgreSQL URL (postgres://user@host/database), found \"\(masked)\"")
        }
        var query: [String: String] = [:]
        for item in url.queryItems ?? [] { query[item.name] = item.value ?? "" }
        if let unknown = query.keys.sorted().first(where: { !["sslmode", "host"].contains($0) }) {
            throw Failure("\"\(masked)\": unknown parameter \"\(unknown)\" (expected sslmode or host)")
        }
        let sslmode = query["sslmode"] ?? "prefer"
        guard let tls = TLSMode(rawValue: sslmode) else {
            throw Failure("\"\(masked)\": expected sslmode disable, prefer or require, found \"\(sslmode)\"")
        }
        let port = url.port ?? 5432
        let folder = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        guard let host = url.host.flatMap({ $0.isEmpty ? nil : $0 }) ?? folder else {
            throw Failure("\"\(masked)\": expected a host (postgres://user@host/database)")
        }
        guard (1...65535).contains(port) else { throw Failure("\"\(masked)\": expected a port from 1 to 65535") }
        self.host = host
        self.port = port
        socketPath = folder.map { "\($0)/.s.PGSQL.\(port)" }
        user = url.user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        password = url.password
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? nil : path
        self.tls = tls
        description = masked
    }

    /// `text` with whatever follows the user name in a URL's user part replaced by `***`; works on
    /// any text, valid URL or not, so that errors about a bad URL can quote it.
    public static func mask(_ text: String) -> String {
        guard let secret = passwordPart(of: text) else { return text }
        return String(text[..<secret.lowerBound]) + ":***@" + String(text[secret.upperBound...])
    }

    /// Where `:PASSWORD@` stands in `text`, if it holds a URL with a password.
    public static func passwordPart(of text: String) -> Range<String.Index>? {
        guard let scheme = text.range(of: "://") else { return nil }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return nil }
        return colon..<text.index(after: at)
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
