/// What `cache stats` reports.
public struct CacheStats: Sendable, Equatable {
    public struct PerRequest: Sendable, Equatable {
        public var name: String
        public var entries: Int
        public var bytes: Int64
    }

    public var path: String
    public var entries = 0
    /// Bytes of stored bodies.
    public var bytes: Int64 = 0
    /// Bytes of the database file and its WAL on disk.
    public var fileBytes: Int64 = 0
    /// The oldest entry's answer time (seconds since 1970); nil when empty.
    public var oldest: Double?
    public var requests: [PerRequest] = []

    public var text: String {
        var lines = [
            "cache: \(path)",
            "  \(entries) entries, \(bytes) bytes of bodies, \(fileBytes) bytes on disk",
            "  oldest: \(oldest.map { Record.timestamp($0) } ?? "none")",
        ]
        for request in requests {
            lines.append("  \(request.name): \(request.entries) entries, \(request.bytes) bytes")
        }
        return lines.joined(separator: "\n")
    }
}
