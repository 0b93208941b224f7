import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sliding-window budget shared by every discogs-batch process on this machine that uses the
/// same credential: a small file of send times under the state folder, named by the credential's
/// fingerprint and read and written under `flock`.
///
/// The file is binary, little-endian `Int64`s: first the index of the oldest stamp that may still
/// count, then the send stamps (milliseconds since 1970) in ascending order. Expired stamps are skipped
/// by moving that index and cut off only once they outnumber the live ones, and a change rewrites only
/// the stamps from the first one it touched, so a send costs a few system calls and a read of the live
/// stamps, not a rewrite of the file. A file that is not in this form (damaged, or cut short by a
/// process killed while writing) is rebuilt from what can be read of it.
///
/// No lock is held between calls, so a process that dies leaves nothing stuck: its sends simply age
/// out of the window. No secret is written.
public final class SharedBudget: Sendable {
    public let path: String
    let budget: Int
    let span: Duration
    /// Open for the life of the budget; calls are serialised by the caller (the `RateGovernor` actor)
    /// and, between processes, by `flock`.
    private let fd: Int32

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
        path = "\(folder)/budget-\(fingerprint).stamps"
        self.budget = budget
        self.span = span
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("cannot open", path) }
    }

    deinit { close(fd) }

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
            Self.insert(nowMS, into: &sends)
            return .granted(nowMS)
        }
    }

    /// Counts the send stamped `granted` from `now` on, when its response came back (see
    /// `SlidingWindow.settle`): the server counted it in between.
    public func settle(granted: Int64, now: Date = Date()) throws {
        let nowMS = Self.milliseconds(now)
        _ = try update(now: nowMS) { sends -> Reservation in
            if let index = sends.lastIndex(of: granted) { sends.remove(at: index) }
            Self.insert(max(granted, nowMS), into: &sends)
            return .granted(granted)
        }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func insert(_ stamp: Int64, into sends: inout [Int64]) {
        sends.insert(stamp, at: (sends.lastIndex { $0 <= stamp } ?? -1) + 1)
    }

    private static func failure(_ what: String, _ path: String) -> NDJSONWriter.Failure {
        NDJSONWriter.Failure(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// Reads the live sends under an exclusive lock, lets `change` edit them, and writes back what changed.
    private func update(now nowMS: Int64, _ change: (inout [Int64]) -> Reservation) throws -> Reservation {
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw Self.failure("cannot lock", path) }
        }
        defer { flock(fd, LOCK_UN) }
        let oldest = nowMS - span.milliseconds
        var (start, stored, rebuild) = read()
        let latest = nowMS + span.milliseconds
        if rebuild || !zip(stored, stored.dropFirst()).allSatisfy({ $0 <= $1 }) || (stored.last ?? 0) > latest {
            // Not in the form this type writes: keep what is plausible and write the whole file anew.
            stored = stored.filter { $0 > oldest && $0 <= latest }.sorted()
            rebuild = true
        }
        let expired = stored.firstIndex { $0 > oldest } ?? stored.count
        start += expired
        let before = stored[expired...]
        var sends = Array(before)
        let result = change(&sends)
        let firstChange = zip(sends, before).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(sends.count, before.count)
        if rebuild || (start >= 512 && start > sends.count) {
            write([0] + sends, at: 0)
            _ = ftruncate(fd, off_t(8 * (sends.count + 1)))
        } else {
            if firstChange < sends.count { write(Array(sends[firstChange...]), at: 1 + start + firstChange) }
            if sends.count < before.count { _ = ftruncate(fd, off_t(8 * (1 + start + sends.count))) }
            if expired > 0 { write([Int64(start)], at: 0) }
        }
        return result
    }

    /// The start index and the stamps from it on (an empty file has none); `damaged` when the start
    /// index is out of range or the size is not whole stamps.
    private func read() -> (start: Int, stamps: [Int64], damaged: Bool) {
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 0 else { return (0, [], false) }
        let count = max(0, Int(status.st_size) / 8 - 1)
        var start: Int64 = 0
        let first = pread(fd, &start, 8, 0) == 8 ? Int(Int64(littleEndian: start)) : -1
        let from = (0...count).contains(first) ? first : 0
        let stamps = [Int64](unsafeUninitializedCapacity: count - from) { buffer, initialized in
            let n = pread(fd, buffer.baseAddress, (count - from) * 8, off_t(8 * (1 + from)))
            initialized = max(0, n) / 8
            for i in 0..<initialized { buffer[i] = Int64(littleEndian: buffer[i]) }
        }
        return (from, stamps, from != first || status.st_size % 8 != 0 || stamps.count != count - from)
    }

    /// Writes `stamps` at the `index`th 8-byte slot of the file.
    private func write(_ stamps: [Int64], at index: Int) {
        let bytes = stamps.map { $0.littleEndian }
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(8 * index)) }
    }
}
