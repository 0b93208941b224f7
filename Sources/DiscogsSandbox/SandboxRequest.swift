import HTTPTypes

/// An API request as the sandbox's handlers see it: Hummingbird's request reduced to plain
/// values, body already collected.
struct SandboxRequest: Sendable {
    var method: String
    /// The path as sent (still percent-encoded), without the query.
    var path: String
    /// The query as sent, without `?`; "" when there is none.
    var rawQuery: String
    /// The query decoded into pairs, in order, duplicates kept.
    var query: [(String, String)]
    var headers: HTTPFields
    /// The Host header (`127.0.0.1:PORT`).
    var authority: String
    var body: [UInt8]
    var remoteAddress: String

    init(method: String, path: String, rawQuery: String, headers: HTTPFields, authority: String, body: [UInt8], remoteAddress: String) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.query = OAuthSignature.parseForm(rawQuery)
        self.headers = headers
        self.authority = authority
        self.body = body
        self.remoteAddress = remoteAddress
    }

    func query(_ name: String) -> String? {
        query.first { $0.0 == name }?.1
    }

    var isFormBody: Bool {
        guard let type = headers[.contentType] else { return false }
        return type.lowercased().hasPrefix("application/x-www-form-urlencoded")
    }

    /// The body's pairs when it is `application/x-www-form-urlencoded`, otherwise none.
    var formBody: [(String, String)] {
        isFormBody ? OAuthSignature.parseForm(String(decoding: body, as: UTF8.self)) : []
    }

    func form(_ name: String) -> String? {
        formBody.first { $0.0 == name }?.1
    }

    /// Path segments, percent-decoded (`/users/a%20b/wants` → ["users", "a b", "wants"]).
    var segments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map {
            OAuthSignature.percentDecode($0, plusAsSpace: false) ?? String($0)
        }
    }
}
