import Foundation

/// What one request must carry to be authenticated: extra headers and/or extra query items.
public struct AuthAdditions: Sendable, Hashable {
    /// Header fields to add (in practice only `Authorization`).
    public var headers: [String: String]
    /// Query items to append, values decoded (use `apply(to:)` to add them correctly encoded).
    public var queryItems: [URLQueryItem]

    /// Creates additions; both empty means an unauthenticated request.
    public init(headers: [String: String] = [:], queryItems: [URLQueryItem] = []) {
        self.headers = headers
        self.queryItems = queryItems
    }

    /// The URL with `queryItems` appended, strictly percent-encoded (so `+` in a value arrives as `+`).
    public func apply(to url: URLComponents) -> URLComponents {
        guard !queryItems.isEmpty else { return url }
        var url = url
        let added = queryItems.map { item in
            "\(OAuth1Signer.percentEncode(item.name))=\(OAuth1Signer.percentEncode(item.value ?? ""))"
        }.joined(separator: "&")
        if let query = url.percentEncodedQuery, !query.isEmpty {
            url.percentEncodedQuery = query + "&" + added
        } else {
            url.percentEncodedQuery = added
        }
        return url
    }
}
