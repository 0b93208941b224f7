import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-shot HTTP listener on `127.0.0.1:<random port>/callback` that receives the browser's redirect
/// from the authorize page and captures `oauth_verifier` for the expected `oauth_token`.
///
/// Plain POSIX sockets on a dedicated thread: one connection at a time, requests of at most 8 KiB,
/// an HTML page in answer. Requests for other paths (a favicon) get 404; a callback for another token
/// gets 400 and the wait goes on; `denied=` ends the wait with `OAuthLoginError.denied`.
public final class OAuthCallbackListener: Sendable {
    private let socket: Int32
    /// The port the kernel chose.
    public let port: Int
    private let stopped = Atomic<Bool>(false)

    /// The URL to pass as `oauth_callback`.
    public var callbackURL: String { "http://127.0.0.1:\(port)/callback" }

    /// Binds a loopback port and listens.
    public init() throws(OAuthLoginError) {
        let fd = openStreamSocket()
        guard fd >= 0 else { throw .listener(String(cString: strerror(errno))) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw .listener(message)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        socket = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(socket)
    }

    /// Waits for the callback carrying `expectedToken` and returns its verifier. Gives up after `timeout`
    /// or when the task is cancelled.
    public func verifier(expectedToken: String, timeout: Duration) async throws(OAuthLoginError) -> String {
        let deadline = ContinuousClock.now + timeout
        let result: Result<String, OAuthLoginError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { [self] in
                    continuation.resume(returning: serve(expectedToken: expectedToken, deadline: deadline))
                }
                thread.start()
            }
        } onCancel: {
            stopped.store(true, ordering: .relaxed)
        }
        return try result.get()
    }

    /// Accept loop with a 100 ms poll so that cancellation and the deadline are noticed.
    private func serve(expectedToken: String, deadline: ContinuousClock.Instant) -> Result<String, OAuthLoginError> {
        while !stopped.load(ordering: .relaxed) {
            if ContinuousClock.now >= deadline { return .failure(.timedOut) }
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready <= 0 { continue }
            let client = accept(socket, nil, nil)
            if client < 0 { continue }
            defer { close(client) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard let target = Self.readRequestTarget(client) else {
                Self.respond(client, status: "400 Bad Request", title: "Bad request", text: "Not an HTTP request.")
                continue
            }
            let (path, query) = Self.split(target)
            guard path == "/callback" else {
                Self.respond(client, status: "404 Not Found", title: "Not found", text: "Nothing here.")
                continue
            }
            var parameters: [String: String] = [:]
            for pair in OAuth1Signer.parseForm(query) where parameters[pair.name] == nil {
                parameters[pair.name] = pair.value
            }
            if let denied = parameters["denied"], denied == expectedToken {
                Self.respond(client, status: "200 OK", title: "Access denied",
                    text: "discogs-batch was not authorized. You can close this tab.")
                return .failure(.denied)
            }
            guard parameters["oauth_token"] == expectedToken, let verifier = parameters["oauth_verifier"],
                !verifier.isEmpty
            else {
                Self.respond(client, status: "400 Bad Request", title: "Unexpected callback",
                    text: "This callback is not for the sign-in in progress; discogs-batch is still waiting.")
                continue
            }
            Self.respond(client, status: "200 OK", title: "Signed in",
                text: "discogs-batch received the authorization. You can close this tab.")
            return .success(verifier)
        }
        return .failure(.invalidInput("cancelled; nothing was stored"))
    }

    /// The request target of `GET TARGET HTTP/1.x`, reading up to the end of the head (8 KiB at most).
    private static func readRequestTarget(_ fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while bytes.count < 8192 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if String(decoding: bytes, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let head = String(decoding: bytes, as: UTF8.self)
        guard let line = head.split(separator: "\r\n", maxSplits: 1).first else { return nil }
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[0] == "GET", parts[2].hasPrefix("HTTP/1.") else { return nil }
        return String(parts[1])
    }

    private static func split(_ target: String) -> (path: String, query: String) {
        guard let question = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<question]), String(target[target.index(after: question)...]))
    }

    private static func respond(_ fd: Int32, status: String, title: String, text: String) {
        let body = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(title)</title></head>
            <body><h1>\(title)</h1><p>\(text)</p></body></html>

            """
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n\(body)"
        var bytes = Array(response.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

/// A TCP socket, close-on-exec.
private func openStreamSocket() -> Int32 {
    #if os(Linux)
    socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    #else
    socket(AF_INET, SOCK_STREAM, 0)
    #endif
}

/// `send` flags: no SIGPIPE when the browser has gone.
#if os(Linux)
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let noSignal: Int32 = 0
#endif
