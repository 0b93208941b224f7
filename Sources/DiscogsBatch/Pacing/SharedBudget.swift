import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sliding-window budget shared by every discogs-batch process on this machine that uses the
/// same credential: a small file of send times (milliseconds since 1970, one per line) under the
/// state folder, named by the credential's fingerprint and read and written under `flock`.
///
/// Nothing is held between calls, so a process that dies leaves nothing stuck: its sends simply
/// age out of the window. A file that cannot be parsed is rebuilt. No secret is written.
public final class SharedBudget: Sendable {
    public let path: String
    let budget: Int
    let span: Duration

    /// `$DISCOGS_BATCH_STATE_DIR`, else `$XDG_STATE_HOME/discogs-batch`, else `~/.local/state/discogs-batch`.
    public static func folder(environment: [String: String]) -> String {
        if let explicit = environment["DISCOGS_BATCH_STATE_DIR"], !explicit.isEmpty { return explicit }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return "\(state)/discogs-batch" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return "\(home)/.local/state/discogs-batch"
    }

    public init(folder: String, fingerprint: String, budget: Int, span: Duration) throws {
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.path = "\(folder)/budget-\(fingerprint).txt"
        self.budget = budget
        self.span = span
    }

    public enum Reservation: Sendable, Hashable {
        /// A send was taken; its stamp (milliseconds since 1970) is what `settle` moves later.
        case granted(Int64)
        /// Nothing was taken: ask again after this long.
        case wait(Duration)
    }

    /// Takes one send from the shared budget now, or says how long to wait.
    public func reserve(now: Date = Date()) throws -> Reservation {
        let nowMS = Self.milliseconds(now)
        return try update(now: nowMS) { sends in
            if sends.count >= budget {
                return .wait(.milliseconds(max(1, sends[sends.count - budget] + span.milliseconds - nowMS)))
            }
            sends.append(nowMS)
            return .granted(nowMS)
        }
    }

    /// Counts the send stamped `granted` from `now` on, when its response came back (see
    /// `SlidingWindow.settle`): the server counted it in between.
    public func settle(granted: Int64, now: Date = Date()) throws {
        let nowMS = Self.milliseconds(now)
        _ = try update(now: nowMS) { sends -> Reservation in
            if let index = sends.firstIndex(of: granted) { sends[index] = max(granted, nowMS) }
            return .granted(granted)
        }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Reads the live sends under an exclusive lock, lets `change` edit them, and writes them back.
    private func update(now nowMS: Int64, _ change: (inout [Int64]) -> Reservation) throws -> Reservation {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw NDJSONWriter.Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw NDJSONWriter.Failure(description: "cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
        defer { flock(fd, LOCK_UN) }
        let spanMS = span.milliseconds
        let stored = Self.read(fd)
        var sends = stored.filter { $0 > nowMS - spanMS && $0 <= nowMS + spanMS }.sorted()
        let result = change(&sends)
        if sends != stored {
            let text = sends.sorted().map(String.init).joined(separator: "\n") + "\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        }
        return result
    }

    private static func read(_ fd: Int32) -> [Int64] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n <= 0 { break }
            bytes += chunk[..<n]
            offset += off_t(n)
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        let sends = lines.compactMap { Int64($0) }
        // A line that is not a number marks a damaged file: returning a different list rewrites it.
        return sends.count == lines.count ? sends : sends + [Int64.min]
    }
}
