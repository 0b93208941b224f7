import HTTPTypes

/// Discogs pagination: `page`/`per_page` (default 50, at most 100; more is clamped to 100), the
/// `pagination` object with `urls` keys present only where they apply, and a `Link` header
/// saying the same. Only the last page can be short. A page past the last is a 404 (Discogs's own message: `Page 4 is outside of valid range [1, 3].`); `page` or
/// `per_page` that is not a positive integer is a 422. A page past a `Cap` answers the same 404.
struct Paginator {
    static let defaultPerPage = 50
    static let maxPerPage = 100

    let baseURL: String

    /// How far Discogs serves a list whatever its length: search at most 10,000 results, another
    /// seller's inventory at most 100 pages. `pagination.pages` still reports the whole list; a page
    /// past the cap answers like a page past the end.
    enum Cap {
        case items(Int)
        case pages(Int)

        static let search = Cap.items(10_000)
        static let foreignInventory = Cap.pages(100)

        func lastPage(perPage: Int) -> Int {
            switch self {
            case .items(let count): (count + perPage - 1) / perPage
            case .pages(let count): count
            }
        }
    }

    func reply(_ list: GeneratedList, request: SandboxRequest, cap: Cap? = nil) -> SandboxReply {
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
        let served = min(pages, cap?.lastPage(perPage: perPage) ?? pages)
        guard page <= served else {
            return .message(404, "Page \(page) is outside of valid range [1, \(served)].")
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
