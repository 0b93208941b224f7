import Foundation
import Testing

@testable import DiscogsSandbox

@Suite struct BlobTests {
    @Test(arguments: [0, 1, 40, 41, 1000, 4096, 65_537, 1 << 20])
    func exactSizeValidJSON(bytes: Int) throws {
        let body = Blob.json(seed: 1, id: 7, bytes: bytes)
        let minimum = Blob.json(seed: 1, id: 7, bytes: 0).count
        #expect(body.count == max(bytes, minimum))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["id"] as? Int == 7)
        #expect(object["bytes"] as? Int == bytes)
        #expect(object["items"] is [Any])
        #expect(object["pad"] is String)
    }

    @Test func deterministicBySeedAndID() {
        #expect(Blob.json(seed: 1, id: 3, bytes: 10_000) == Blob.json(seed: 1, id: 3, bytes: 10_000))
        #expect(Blob.json(seed: 1, id: 3, bytes: 10_000) != Blob.json(seed: 1, id: 4, bytes: 10_000))
        #expect(Blob.json(seed: 1, id: 3, bytes: 10_000) != Blob.json(seed: 2, id: 3, bytes: 10_000))
    }

    @Test func servedUncountedWithDefaultAndCap() async throws {
        try await withSandbox { sandbox throws in
            let megabyte = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/blob/1", userAgent: nil)
            #expect(megabyte.status == 200)
            #expect(megabyte.header("Content-Type") == "application/json")
            #expect(megabyte.body.count == 1 << 20)
            #expect(megabyte.body == Blob.json(seed: 1, id: 1, bytes: 1 << 20))
            #expect(megabyte.header("X-Discogs-Ratelimit") == nil)

            let small = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/blob/2?bytes=5000")
            #expect(small.body.count == 5000)
            #expect(small.json["id"] as? Int == 2)

            let tooBig = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/blob/1?bytes=\((16 << 20) + 1)")
            #expect(tooBig.status == 422)
            #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/blob/x").status == 422)
            #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/blob/1/2").status == 422)
            #expect(try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/blob/1").status == 405)
            #expect(sandbox.stats().requests == 0)
        }
    }
}
