import Foundation
import Testing

@testable import DiscogsSandbox

@Suite struct PaginationTests {
    let user = SandboxCredentials.demo.username

    @Test func shapeLinkHeaderAndShortLastPage() async throws {
        try await withSandbox { sandbox throws in
            let base = "\(sandbox.baseURL)/users/\(user)/wants"
            let first = try await TestHTTP.send(.GET, "\(base)?per_page=100")
            #expect(first.status == 200)
            let pagination = try #require(first.json["pagination"] as? [String: Any])
            #expect(pagination["page"] as? Int == 1)
            #expect(pagination["pages"] as? Int == 4)
            #expect(pagination["per_page"] as? Int == 100)
            #expect(pagination["items"] as? Int == 327)
            let urls = try #require(pagination["urls"] as? [String: String])
            #expect(Set(urls.keys) == ["next", "last"])
            #expect(urls["next"] == "\(base)?per_page=100&page=2")
            #expect(urls["last"] == "\(base)?per_page=100&page=4")
            #expect((first.json["wants"] as? [Any])?.count == 100)
            #expect(first.header("Link") == "<\(base)?per_page=100&page=2>; rel=\"next\", <\(base)?per_page=100&page=4>; rel=\"last\"")

            let middle = try await TestHTTP.send(.GET, "\(base)?page=2&per_page=100")
            let middleURLs = try #require((middle.json["pagination"] as? [String: Any])?["urls"] as? [String: String])
            #expect(Set(middleURLs.keys) == ["first", "prev", "next", "last"])
            #expect(middleURLs["prev"] == "\(base)?page=1&per_page=100")

            let last = try await TestHTTP.send(.GET, "\(base)?per_page=100&page=4")
            #expect((last.json["wants"] as? [Any])?.count == 27)
            let lastURLs = try #require((last.json["pagination"] as? [String: Any])?["urls"] as? [String: String])
            #expect(Set(lastURLs.keys) == ["first", "prev"])
            #expect(last.header("Link")?.contains("rel=\"next\"") == false)

            #expect(try await TestHTTP.send(.GET, "\(base)?per_page=100&page=5").status == 404)
            #expect(try await TestHTTP.send(.GET, "\(base)?page=0").status == 422)
            #expect(try await TestHTTP.send(.GET, "\(base)?per_page=abc").status == 422)
        }
    }

    @Test func defaultsClampingAndQueryKept() async throws {
        try await withSandbox { sandbox throws in
            let base = "\(sandbox.baseURL)/users/\(user)/wants"
            let defaults = try await TestHTTP.send(.GET, base)
            let pagination = try #require(defaults.json["pagination"] as? [String: Any])
            #expect(pagination["per_page"] as? Int == 50)
            #expect(pagination["pages"] as? Int == 7)
            let urls = try #require(pagination["urls"] as? [String: String])
            #expect(urls["next"] == "\(base)?per_page=50&page=2")

            let clamped = try await TestHTTP.send(.GET, "\(base)?per_page=500")
            #expect((clamped.json["pagination"] as? [String: Any])?["per_page"] as? Int == 100)
            #expect((clamped.json["wants"] as? [Any])?.count == 100)

            // a token in the query reappears in the urls, as on Discogs
            let token = SandboxCredentials.demo.token
            let withToken = try await TestHTTP.send(.GET, "\(base)?token=\(token)&per_page=10")
            let tokenURLs = try #require((withToken.json["pagination"] as? [String: Any])?["urls"] as? [String: String])
            #expect(tokenURLs["next"] == "\(base)?token=\(token)&per_page=10&page=2")

            let empty = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/artists/1/releases?per_page=100&page=1")
            #expect(empty.status == 200)
        }
    }
}
