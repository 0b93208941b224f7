import CompressNIO
import HTTPTypes
import NIOCore

/// The compression the sandbox answers with, as real Discogs does: gzip when the request's
/// `Accept-Encoding` allows it, else deflate (zlib format, RFC 9110), else none.
enum ContentCoding: String, Sendable {
    case gzip, deflate

    /// The coding `acceptEncoding` allows (a q of 0 refuses one; `*` stands for any), gzip first.
    static func chosen(by acceptEncoding: String?) -> ContentCoding? {
        guard let acceptEncoding else { return nil }
        var allowed: [String: Bool] = [:]
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first, !name.isEmpty else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            allowed[name] = q > 0
        }
        return [.gzip, .deflate].first { allowed[$0.rawValue] ?? allowed["*"] ?? false }
    }

    /// `body` compressed in this coding.
    func encode(_ body: ByteBuffer) -> ByteBuffer {
        var body = body
        // Compressing a buffer in memory fails only for want of memory.
        return (try? body.compress(with: self == .gzip ? .gzip() : .zlib())) ?? body
    }

    /// `GET /_sandbox/bomb?bytes=N`: gzip of a JSON document of N bytes (N - 2 spaces and `{}`), which
    /// compresses about a thousand times: a small N decodes to `{}`, a large one is a decompression bomb.
    static func bomb(bytes: Int) -> ByteBuffer {
        var document = ByteBuffer(repeating: UInt8(ascii: " "), count: max(0, bytes - 2))
        document.writeString("{}")
        return ContentCoding.gzip.encode(document)
    }
}
