import HTTPTypes
import NIOCore

/// An answer before the rate-limit headers and faults are applied.
struct SandboxReply: Sendable {
    var status: Int
    var body: ByteBuffer
    var contentType: String?
    var headers: [(HTTPField.Name, String)] = []

    static func json(_ value: JSONValue, status: Int = 200) -> SandboxReply {
        SandboxReply(status: status, body: ByteBuffer(bytes: value.bytes), contentType: "application/json")
    }

    static func bytes(_ buffer: ByteBuffer, status: Int = 200) -> SandboxReply {
        SandboxReply(status: status, body: buffer, contentType: "application/json")
    }

    /// A Discogs-style error: `{"message": "..."}`.
    static func message(_ status: Int, _ text: String) -> SandboxReply {
        json(.object([("message", .string(text))]), status: status)
    }

    static func notFound(_ text: String = "The requested resource was not found.") -> SandboxReply {
        message(404, text)
    }

    static func methodNotAllowed(_ allowed: [String]) -> SandboxReply {
        var reply = message(405, "The method is not allowed for the requested URL.")
        reply.headers.append((.allow, allowed.joined(separator: ", ")))
        return reply
    }

    /// 401 with `WWW-Authenticate`.
    static func unauthorized(_ text: String, scheme: String = "Discogs") -> SandboxReply {
        var reply = message(401, text)
        reply.headers.append((.wwwAuthenticate, "\(scheme) realm=\"discogs-sandbox\""))
        return reply
    }

    static func text(_ text: String, status: Int = 200, contentType: String) -> SandboxReply {
        SandboxReply(status: status, body: ByteBuffer(string: text), contentType: contentType)
    }

    static let noContent = SandboxReply(status: 204, body: ByteBuffer(), contentType: nil)
}

extension HTTPField.Name {
    static let discogsRatelimit = HTTPField.Name("X-Discogs-Ratelimit")!
    static let discogsRatelimitUsed = HTTPField.Name("X-Discogs-Ratelimit-Used")!
    static let discogsRatelimitRemaining = HTTPField.Name("X-Discogs-Ratelimit-Remaining")!
    static let linkHeader = HTTPField.Name("Link")!
}
