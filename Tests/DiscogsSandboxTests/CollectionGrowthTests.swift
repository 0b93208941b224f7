import Foundation
import Testing

@testable import DiscogsSandbox

/// `POST /_sandbox/collection/grow`: a collection grows between two runs without spending the budget.
@Suite struct CollectionGrowthTests {
    @Test func growAddsNewDistinctReleasesToFolderOneUncounted() async throws {
        try await withSandbox { sandbox throws in
            let user = SandboxCredentials.demo.username
            let token = [("Authorization", "Discogs token=\(SandboxCredentials.demo.token)")]
            func listed() async throws -> [String: Any] {
                let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/users/\(user)/collection/folders/0/releases?per_page=1", headers: token)
                return reply.json["pagination"] as? [String: Any] ?? [:]
            }
            let before = try await listed()["items"] as? Int ?? -1
            #expect(before == 240)
            let grown = try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/collection/grow?count=25")
            #expect(grown.status == 200)
            let added = grown.json["added"] as? [Int] ?? []
            #expect(added.count == 25)
            #expect(Set(added).count == 25)
            #expect(try await listed()["items"] as? Int == before + 25)
            // Control calls are not counted: only the two listings are.
            #expect(sandbox.stats().requests == 2)
            var held: [Int] = []
            for page in 1...3 {
                let reply = try await TestHTTP.send(
                    .GET, "\(sandbox.baseURL)/users/\(user)/collection/folders/1/releases?per_page=100&page=\(page)", headers: token)
                held += (reply.json["releases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            }
            // Folder 1 now holds the 25 new releases, none of which the collection held before.
            #expect(Set(added).isSubset(of: held))
            #expect(held.filter { added.contains($0) }.count == 25)

            #expect(try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/collection/grow?count=0").status == 422)
            #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/collection/grow?count=1").status == 405)
            #expect(try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/collection/grow?count=1&username=nobody").status == 404)
        }
    }

    @Test func growIsDeterministic() async throws {
        var lists: [[Int]] = []
        for _ in 0..<2 {
            try await withSandbox { sandbox throws in
                let grown = try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/collection/grow?count=5")
                lists.append(grown.json["added"] as? [Int] ?? [])
            }
        }
        #expect(lists[0] == lists[1])
        #expect(lists[0].count == 5)
    }
}
