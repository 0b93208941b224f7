#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// Appends complete lines to a file or standard output, each batch in one `write` call, so a crash
/// leaves at most one torn line at the end (which `--resume` drops).
public final class NDJSONWriter: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let fd: Int32
    private let closes: Bool
    private let lock = NIOLock()
    public let path: String?

    /// Standard output.
    public init() {
        fd = 1
        closes = false
        path = nil
    }

    /// Opens `path` for appending, creating it (mode 0644) when absent. With `truncate`, existing
    /// content is dropped first.
    public init(path: String, truncate: Bool) throws {
        var flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC
        if truncate { flags |= O_TRUNC }
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else {
            throw Failure(description: "cannot open \(path) for writing: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.closes = true
        self.path = path
    }

    deinit {
        if closes { close(fd) }
    }

    /// The C library's `write` (this type's own `write` hides the unqualified name).
    private static func systemWrite(_ fd: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, bytes, count)
        #else
        Darwin.write(fd, bytes, count)
        #endif
    }

    /// Writes the bytes (one or more complete lines) with one system call, retried on partial writes.
    public func write(_ bytes: [UInt8]) throws {
        try lock.withLock {
            try bytes.withUnsafeBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Self.systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw Failure(description: "cannot write \(path ?? "standard output"): \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
        }
    }

    /// Flushes the file to disk (end of run).
    public func sync() {
        if closes { fsync(fd) }
    }
}
