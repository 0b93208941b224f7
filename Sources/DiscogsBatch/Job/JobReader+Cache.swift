import Foundation

extension JobReader {
    /// Longest `max_age` accepted: ten years.
    static let cacheAgeRange = Duration.seconds(1)...Duration.seconds(3650 * 86_400)

    /// The top-level `cache: {max_age, path, max_size}`.
    func readCache(_ node: YAMLNode) -> CacheSettings? {
        let c = context
        guard let e = c.mapping(node, "cache", allowed: ["max_age", "path", "max_size"]) else { return nil }
        var cache = CacheSettings()
        if let n = e["max_age"]?.value { cache.maxAge = c.duration(n, "cache.max_age", in: Self.cacheAgeRange) }
        if let n = e["path"]?.value, let value = c.string(n, "cache.path") {
            if value.isEmpty {
                c.error(n.mark, "cache.path", "expected a file path for the SQLite cache, found \"\"")
            } else {
                cache.path = value.hasPrefix("/") || directory.isEmpty ? value : "\(directory)/\(value)"
            }
        }
        if let n = e["max_size"]?.value {
            if let text = n.scalar?.text, let size = ByteSize.parse(text) {
                if size < 1_000_000 {
                    c.error(n.mark, "cache.max_size", "expected at least 1MB, found \(text)")
                } else {
                    cache.maxSize = size
                }
            } else {
                c.error(n.mark, "cache.max_size",
                    "expected a size such as 500MB or 2GB (KB, MB, GB are 1000-based; KiB, MiB, GiB 1024-based), found \(c.describe(n))")
            }
        }
        return cache
    }

    /// A request's `cache: false` or `cache: {max_age: DURATION}`.
    func readRequestCache(_ node: YAMLNode, _ path: String) -> RequestCachePolicy {
        let c = context
        if node.mapping != nil {
            guard let e = c.mapping(node, path, allowed: ["max_age"]) else { return .inherit }
            guard let n = e["max_age"]?.value else {
                c.error(node.mark, "\(path).max_age", "required key is missing; e.g. cache: {max_age: 30d}")
                return .inherit
            }
            return c.duration(n, "\(path).max_age", in: Self.cacheAgeRange).map { .maxAge($0) } ?? .inherit
        }
        if let scalar = node.scalar, scalar.style == .plain, LoadContext.coreBool(scalar.text) == false {
            return .off
        }
        c.error(node.mark, path, "expected false or a mapping such as {max_age: 30d}, found \(c.describe(node))")
        return .inherit
    }
}
