import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback HTTP/1.1 server that answers every request from recorded answers: one connection at a
/// time, `Connection: close`, requests without bodies (GET). It notes each request target it saw.
final class ReplayServer: @unchecked Sendable {
    struct Answer {
        var status: Int
        var reason: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var seen: [String] = []
    private let answer: @Sendable (String) -> Answer
    private let stopped = DispatchSemaphore(value: 0)

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The request targets (path and query) received, in order.
    var targets: [String] { lock.withLock { seen } }

    init(answer: @escaping @Sendable (_ target: String) -> Answer) throws {
        self.answer = answer
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in serve() }.start()
    }

    /// Stops accepting and waits until the serving thread has left.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        stopped.wait()
    }

    private func serve() {
        defer { stopped.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while !request.suffix(4).elementsEqual(end) && request.firstRange(of: end) == nil {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { return }
            request += buffer[0..<count]
        }
        let line = String(decoding: request.prefix { $0 != 0x0D }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return }
        let target = String(parts[1])
        lock.withLock { seen.append(target) }
        let reply = answer(target)
        var head = "HTTP/1.1 \(reply.status) \(reply.reason)\r\n"
        for header in reply.headers where !["content-length", "connection", "transfer-encoding"].contains(header.name.lowercased()) {
            head += "\(header.name): \(header.value)\r\n"
        }
        head += "Content-Length: \(reply.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + reply.body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            sent += count
        }
    }
}

/// The recorded real Discogs answers under Tests/Fixtures/recorded (see the README there).
enum Recorded {
    static let folder = Harness.root.appendingPathComponent("Tests/Fixtures/recorded")

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// A recorded header set (`curl -D` form): status line, then `Name: value` lines.
    static func headers(_ name: String) throws -> (status: Int, reason: String, headers: [(name: String, value: String)]) {
        let text = String(decoding: try bytes(name), as: UTF8.self)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (Int(statusLine[1]) ?? 0, statusLine.count > 2 ? String(statusLine[2]) : "", headers)
    }

    /// A JSON body as a record embeds it: line breaks become spaces (they are whitespace outside
    /// strings in JSON), surrounding whitespace dropped, `replacing` applied.
    static func embedded(_ bytes: [UInt8], replacing: [(String, String)] = []) -> String {
        var text = String(decoding: bytes.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self)
        for (from, to) in replacing { text = text.replacingOccurrences(of: from, with: to) }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The page a request target asks for (1 when it names none).
    static func page(of target: String) -> Int {
        URLComponents(string: target)?.queryItems?.first { $0.name == "page" }?.value.flatMap { Int($0) } ?? 1
    }
}
