import Foundation
import Testing

@testable import DiscogsSandbox

/// What real Discogs does beyond our first reading of the docs (issue 17), reproduced by the sandbox.
@Suite struct RealAnswerRulesTests {
    let demo = SandboxCredentials.demo

    /// The Discogs authentication page searches with a consumer key and secret; only no credentials is refused.
    @Test func keyAndSecretMaySearch() async throws {
        try await withSandbox { sandbox throws in
            let header = try await TestHTTP.send(
                .GET, "\(sandbox.baseURL)/database/search?q=blue&per_page=5",
                headers: [("Authorization", "Discogs key=\(demo.consumerKey), secret=\(demo.consumerSecret)")])
            #expect(header.status == 200)
            #expect((header.json["results"] as? [Any])?.count == 5)
            let query = try await TestHTTP.send(
                .GET, "\(sandbox.baseURL)/database/search?q=blue&key=\(demo.consumerKey)&secret=\(demo.consumerSecret)")
            #expect(query.status == 200)
            let none = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/database/search?q=blue")
            #expect(none.status == 401)
        }
    }

    /// Search serves 10,000 results though `pages` says more; the page past the cap answers 404.
    @Test func searchStopsAtTenThousandResults() async throws {
        try await withSandbox { sandbox throws in
            let auth = [("Authorization", "Discogs token=\(demo.token)")]
            let first = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/database/search?per_page=100", headers: auth)
            let pages = try #require((first.json["pagination"] as? [String: Any])?["pages"] as? Int)
            #expect(pages > 100)
            let last = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/database/search?per_page=100&page=100", headers: auth)
            #expect(last.status == 200)
            let past = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/database/search?per_page=100&page=101", headers: auth)
            #expect(past.status == 404)
            #expect(past.message == "Page 101 is outside of valid range [1, 100].")
            let pastDefault = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/database/search?page=201", headers: auth)
            #expect(pastDefault.status == 404)
        }
    }

    /// Another seller's inventory stops at 100 pages; the owner sees all of it.
    @Test func otherSellersInventoryStopsAtOneHundredPages() async throws {
        try await withSandbox { sandbox throws in
            let base = "\(sandbox.baseURL)/users/\(demo.username)/inventory?per_page=1"
            let first = try await TestHTTP.send(.GET, "\(base)&page=1")
            #expect((first.json["pagination"] as? [String: Any])?["pages"] as? Int == 150)
            #expect(try await TestHTTP.send(.GET, "\(base)&page=100").status == 200)
            let past = try await TestHTTP.send(.GET, "\(base)&page=101")
            #expect(past.status == 404)
            #expect(past.message == "Page 101 is outside of valid range [1, 100].")
            let owner = try await TestHTTP.send(.GET, "\(base)&page=101", headers: [("Authorization", "Discogs token=\(demo.token)")])
            #expect(owner.status == 200)
        }
    }

    /// The page past the end answers Discogs's own message (recorded: `Page 4 is outside of valid range [1, 1].`).
    @Test func pagePastTheEndSaysTheValidRange() async throws {
        try await withSandbox { sandbox throws in
            let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/users/\(demo.username)/wants?per_page=100&page=5")
            #expect(reply.status == 404)
            #expect(reply.message == "Page 5 is outside of valid range [1, 4].")
        }
    }
}
