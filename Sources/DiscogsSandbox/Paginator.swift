import HTTPTypes

/// Discogs pagination: `page`/`per_page` (default 50, at most 100; more is clamped to 100), the
/// `pagination` object with `urls` keys present only where they apply, and a `Link` header
/// saying the same. Only the last page can be short. A page past the last is a 404; `page` or
/// `per_page` that is not a positive integer is a 422.
struct Paginator {
    static let defaultPerPage = 50
    static let maxPerPage = 100

    let baseURL: String

    func reply(_ list: GeneratedList, request: SandboxRequest) -> SandboxReply {
        var page = 1
        var perPage = Paginator.defaultPerPage
        if let text = request.query("page") {
            guard let value = Int(text), value >= 1 else {
                return .message(422, "Invalid page: '\(text)' is not a positive integer.")
            }
            page = value
        }
        if let text = request.query("per_page") {
            guard let value = Int(text), value >= 1 else {
                return .message(422, "Invalid per_page: '\(text)' is not a positive integer.")
            }
            perPage = min(value, Paginator.maxPerPage)
        }
        let pages = max(1, (list.count + perPage - 1) / perPage)
        guard page <= pages else {
            return .message(404, "Page \(page) does not exist; the last page is \(pages).")
        }
        let start = (page - 1) * perPage
        let end = min(list.count, start + perPage)
        let items = (start..<max(start, end)).map(list.item)

        var urls: [(String, JSONValue)] = []
        var links: [String] = []
        func add(_ rel: String, _ target: Int) {
            let url = self.url(request, page: target, perPage: perPage)
            urls.append((rel, .string(url)))
            links.append("<\(url)>; rel=\"\(rel)\"")
        }
        if page > 1 {
            add("first", 1)
            add("prev", page - 1)
        }
        if page < pages {
            add("next", page + 1)
            add("last", pages)
        }
        let pagination: JSONValue = .object([
            ("page", .int(page)),
            ("pages", .int(pages)),
            ("per_page", .int(perPage)),
            ("items", .int(list.count)),
            ("urls", .object(urls)),
        ])
        var reply = SandboxReply.json(.object([("pagination", pagination), (list.key, .array(items))] + list.extra))
        if !links.isEmpty {
            reply.headers.append((.linkHeader, links.joined(separator: ", ")))
        }
        return reply
    }

    /// The request's own URL with `page` and `per_page` set: other parameters (a `token`
    /// included, as on Discogs) are kept as sent, in order.
    func url(_ request: SandboxRequest, page: Int, perPage: Int) -> String {
        var parts: [String] = []
        var sawPage = false
        var sawPerPage = false
        for part in request.rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let name = part.prefix { $0 != "=" }
            switch OAuthSignature.percentDecode(name, plusAsSpace: true) {
            case "page":
                if !sawPage { parts.append("page=\(page)") }
                sawPage = true
            case "per_page":
                if !sawPerPage { parts.append("per_page=\(perPage)") }
                sawPerPage = true
            default:
                parts.append(String(part))
            }
        }
        if !sawPerPage { parts.append("per_page=\(perPage)") }
        if !sawPage { parts.append("page=\(page)") }
        return "\(baseURL)\(request.path)?\(parts.joined(separator: "&"))"
    }
}
