import NIOCore
import Testing

@testable import DiscogsSandbox

@Suite struct ReleaseCacheTests {
    @Test func boundedByEntriesAndBytes() {
        let cache = ReleaseCache(capacity: 3, maxBytes: 10)
        for id in 1...5 {
            #expect(cache.body(id: id, authenticated: false) { ByteBuffer(repeating: 1, count: 3) }?.readableBytes == 3)
        }
        #expect(cache.count == 3)
        #expect(cache.bytes == 9)
        var made = false
        _ = cache.body(id: 5, authenticated: false) { made = true; return ByteBuffer() }
        #expect(!made)
        _ = cache.body(id: 5, authenticated: true) { made = true; return ByteBuffer(repeating: 2, count: 8) }
        #expect(made)
        #expect(cache.bytes <= 10)
        #expect(cache.body(id: 0, authenticated: false) { nil } == nil)
    }
}
