import Foundation

/// What real Discogs answers taught (recorded answers, 2014-2020): small pure rules the runner asks.
extension JobRunner {
    /// Discogs serves at most this many search results, whatever `pagination.pages` says.
    static var searchResultCap: Int { 10_000 }
    /// Discogs serves at most this many pages of another seller's inventory.
    static var inventoryPageCap: Int { 100 }

    /// The last page Discogs serves of a walk of `url`, whatever `pagination.pages` says: a search's
    /// 10,000th result, an inventory's 100th page; nil for other lists.
    static func pageCap(url: String) -> Int? {
        guard let components = URLComponents(string: url) else { return nil }
        if components.path.hasSuffix("/database/search") { return (searchResultCap - 1) / perPage(components) + 1 }
        let segments = components.path.split(separator: "/")
        if segments.count >= 3, segments[segments.count - 3] == "users", segments.last == "inventory" { return inventoryPageCap }
        return nil
    }

    static func perPage(_ components: URLComponents) -> Int {
        components.queryItems?.last(where: { $0.name == "per_page" })?.value.flatMap { Int($0) }
            .map { min(max($0, 1), 100) } ?? 50
    }

    /// Names the cap when an error answers a page past what Discogs serves of a search (10,000
    /// results) or of an inventory (100 pages); nil for any other error.
    static func capMessage(url: String, page: Int) -> String? {
        guard let components = URLComponents(string: url) else { return nil }
        let path = components.path
        let perPage = perPage(components)
        if path.hasSuffix("/database/search"), (page - 1) * perPage >= searchResultCap {
            return "Discogs serves at most 10,000 search results (page \(page) at per_page \(perPage) is past that cap); narrow the search to reach the rest"
        }
        let segments = path.split(separator: "/")
        if segments.count >= 3, segments[segments.count - 3] == "users", segments.last == "inventory", page > inventoryPageCap {
            return "Discogs serves at most 100 pages of another seller's inventory (page \(page) is past that cap); filter or sort it to reach the rest"
        }
        return nil
    }

    /// How many requests an answer's own rate headers say are left in the window: `Remaining`, else
    /// `limit - Used`; nil when it carried neither.
    static func freeBudget(_ rate: Record.RateLimit) -> Int? {
        if let remaining = rate.remaining { return remaining }
        guard let limit = rate.limit, let used = rate.used else { return nil }
        return limit - used
    }
}
