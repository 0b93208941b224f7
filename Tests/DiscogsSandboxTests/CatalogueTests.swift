import Foundation
import Testing

@testable import DiscogsSandbox

@Suite struct CatalogueTests {
    @Test func deterministicForASeed() {
        let one = Catalogue(seed: 1, baseURL: "http://x")
        #expect(one.release(id: 5, authenticated: true)?.bytes == Catalogue(seed: 1, baseURL: "http://x").release(id: 5, authenticated: true)?.bytes)
        #expect(one.release(id: 5, authenticated: true)?.bytes != Catalogue(seed: 2, baseURL: "http://x").release(id: 5, authenticated: true)?.bytes)
        #expect(one.release(id: 0, authenticated: true) == nil)
        #expect(one.release(id: 1_000_001, authenticated: true) == nil)
        #expect(one.release(id: 1_000_000, authenticated: true) != nil)
    }

    @Test func releasesAreSizedLikeDiscogs() throws {
        let catalogue = Catalogue(seed: 1, baseURL: "http://127.0.0.1:12345")
        let sizes = (1...200).map { catalogue.release(id: $0, authenticated: true)!.bytes.count }
        #expect(sizes.min()! >= 1500)
        #expect(sizes.reduce(0, +) / sizes.count >= 3000)
        let large = catalogue.release(id: 3000, authenticated: true)!.bytes
        #expect(large.count >= 100_000)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(large)) as? [String: Any])
        for key in ["id", "title", "artists", "labels", "formats", "tracklist", "extraartists", "identifiers", "images", "community"] {
            #expect(json[key] != nil, "\(key)")
        }
        let summary = catalogue.releaseSummary(id: 3000, authenticated: false)
        #expect(summary["title"] == json["title"].map { JSONValue.string($0 as! String) })
    }

    @Test func routesAnswerLikeDiscogs() async throws {
        try await withSandbox(SandboxConfiguration(rateLimited: false)) { sandbox throws in
            let base = sandbox.baseURL
            let ok = [
                "/releases/1", "/releases/1/rating", "/releases/1/stats", "/masters/1", "/masters/1/versions",
                "/artists/1", "/artists/1/releases", "/labels/1", "/labels/1/releases", "/users/sandbox_user",
                "/users/sandbox_user/collection/folders", "/users/sandbox_user/collection/folders/0/releases",
                "/users/sandbox_user/wants", "/users/sandbox_user/inventory", "/marketplace/listings/1",
                "/marketplace/stats/1?curr_abbr=EUR", "/",
            ]
            for path in ok {
                let reply = try await TestHTTP.send(.GET, base + path)
                #expect(reply.status == 200, "\(path): \(reply.text.prefix(200))")
                #expect(reply.header("Content-Type") == "application/json", "\(path)")
                #expect(reply.header("X-Discogs-Ratelimit-Remaining") != nil)
            }
            let release = try await TestHTTP.send(.GET, base + "/releases/1")
            #expect(release.json["resource_url"] as? String == "\(base)/releases/1")
            #expect(release.body.count >= 1500)
            let again = try await TestHTTP.send(.GET, base + "/releases/1")
            #expect(again.body == release.body)
            let large = try await TestHTTP.send(.GET, base + "/releases/1000")
            #expect(large.body.count >= 100_000)

            for path in ["/releases/0", "/releases/1000001", "/releases/abc", "/nope", "/masters/999999", "/users/nobody", "/users/nobody/wants"] {
                let reply = try await TestHTTP.send(.GET, base + path)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.message != nil, "\(path)")
            }
            let post = try await TestHTTP.send(.POST, base + "/releases/1", body: "{}", contentType: "application/json")
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET")
            #expect(post.message != nil)
            let stats = try await TestHTTP.send(.GET, base + "/marketplace/stats/1?curr_abbr=EUR")
            if let lowest = stats.json["lowest_price"] as? [String: Any] { #expect(lowest["currency"] as? String == "EUR") }
        }
    }

    @Test func searchNeedsAUserAndIsStable() async throws {
        try await withSandbox(SandboxConfiguration(rateLimited: false)) { sandbox throws in
            let url = "\(sandbox.baseURL)/database/search?q=blue&type=artist&per_page=5&token=\(SandboxCredentials.demo.token)"
            let first = try await TestHTTP.send(.GET, url)
            #expect(first.status == 200)
            let results = try #require(first.json["results"] as? [[String: Any]])
            #expect(results.allSatisfy { $0["type"] as? String == "artist" })
            #expect(try await TestHTTP.send(.GET, url).body == first.body)
        }
    }
}
