// Fills a response cache with N entries keyed exactly as `discogs-batch run` keys the releases
// /releases/1 ... /releases/N of BASE_URL without credentials, with bodies of BYTES each, so that a
// run of that job is served entirely from the cache (nothing is sent: BASE_URL need not answer).
//
//   cache-fill CACHE.sqlite N BASE_URL [BYTES]
import DiscogsBatch
import Foundation
import Logging

let arguments = CommandLine.arguments
guard arguments.count >= 4, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: cache-fill CACHE.sqlite N BASE_URL [BYTES]\n".utf8))
    exit(2)
}
let size = arguments.count > 4 ? Int(arguments[4]) ?? 3000 : 3000
let cache = ResponseCache(path: arguments[1], maxSize: 1 << 40, logger: Logger(label: "cache-fill"))
let filler = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: size / 45 + 1).prefix(size)
let now = Date().timeIntervalSince1970
for id in 1...count {
    let url = "\(arguments[3])/releases/\(id)"
    let body = Array(#"{"id":\#(id),"title":"Release \#(id)","notes":"\#(filler)"}"#.utf8)
    let key = CacheKey(method: "GET", url: url, accept: "application/vnd.discogs.v2.discogs+json", fingerprint: Credentials.none.fingerprint)
    await cache.store(key, CacheEntry(
        request: "release", url: url, status: 200, attempts: 1, at: now,
        rateLimit: nil, body: body))
    if id % 10_000 == 0 { FileHandle.standardError.write(Data("\(id) entries\n".utf8)) }
}
await cache.close()
