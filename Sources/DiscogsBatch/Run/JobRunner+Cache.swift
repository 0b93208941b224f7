import Foundation
import Logging

extension JobRunner {
    /// The job's cache, or nil when no request is cached or the run passes `--no-cache`. Opened on
    /// first use; a cache that cannot be used turns itself off with one warning.
    static func makeCache(job: Job, options: RunOptions, logger: Logger) -> ResponseCache? {
        guard options.cacheMode != .off,
            job.requests.contains(where: { $0.method == .GET && $0.cache.maxAge(job: job.cache) != nil })
        else { return nil }
        return ResponseCache(
            path: job.cache?.path ?? CacheSettings.defaultPath(environment: options.environment),
            maxSize: job.cache?.maxSize ?? CacheSettings.defaultMaxSize, logger: logger)
    }

    /// How long answers of `request` are served from the cache; nil: not cached.
    func cacheAge(_ request: PlannedRequest) -> Duration? {
        guard cache != nil, request.method == .GET, job.requests.indices.contains(request.requestIndex) else { return nil }
        return job.requests[request.requestIndex].cache.maxAge(job: job.cache)
    }

    /// Method, URL (credentials are added later, so `url` holds none), Accept and the credential's fingerprint.
    func cacheKey(_ request: PlannedRequest, url: String) -> CacheKey {
        let accept = request.headers.last { TransportResponse.sameName($0.name, "Accept") }?.value ?? Self.defaultAccept
        return CacheKey(method: request.method.rawValue, url: url, accept: accept, fingerprint: credentials.fingerprint)
    }

    /// A fresh, whole cache entry for `url` as the outcome its answer gave (original `at`, `ratelimit`,
    /// body bytes and masked URL), counted in `cached`; nil on a miss, with `--refresh`, or uncached.
    func cachedOutcome(_ request: PlannedRequest, url: String) async -> Outcome? {
        guard options.cacheMode == .normal, let cache, let age = cacheAge(request),
            let entry = await cache.lookup(cacheKey(request, url: url), maxAge: age),
            let range = JSONScanner(entry.body).document()
        else { return nil }
        var outcome = Outcome()
        outcome.response = TransportResponse(status: entry.status, headers: [], body: entry.body)
        outcome.rateLimit = entry.rateLimit
        outcome.attempts = entry.attempts
        outcome.at = entry.at
        outcome.url = entry.url
        outcome.document = (entry.body, range)
        outcome.cached = true
        state.withLockedValue { $0.summary.cached += 1 }
        logger.debug("cache hit: \(entry.url)")
        return outcome
    }

    /// Stores a GET 200 with a JSON body (masked, as the record embeds it) when the request is cached.
    func storeInCache(_ request: PlannedRequest, url: String, _ outcome: Outcome) async {
        guard let cache, cacheAge(request) != nil, !outcome.cached, outcome.failure == nil,
            let response = outcome.response, response.status == 200, let document = outcome.document
        else { return }
        let entry = CacheEntry(
            request: request.name, url: outcome.url, status: response.status, attempts: outcome.attempts,
            at: outcome.at, rateLimit: outcome.rateLimit, body: Array(document.bytes[document.range]))
        await cache.store(cacheKey(request, url: url), entry)
    }
}
