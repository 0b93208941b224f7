import Foundation
import NIOConcurrencyHelpers
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sliding-window budget shared by every discogs-batch process on this machine that uses the
/// same credential: a small file of send times under the state folder, named by the credential's
/// fingerprint and read and written under `flock`.
///
/// The file is binary `Int64`s in the machine's byte order (it never leaves the machine): first the
/// index of the oldest stamp that may still count, then the send stamps (milliseconds since 1970) in
/// ascending order. Expired stamps are skipped by moving that index (on disk every 64) and cut off only
/// once they outnumber the live ones, and a change rewrites only the stamps from the first one it
/// touched, so a send costs a few system calls and a read of the live stamps, not a rewrite of the
/// file. A file that is not in this form (damaged, or cut short by a process killed while writing) is
/// rebuilt from what can be read of it.
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
    /// Settles not yet written: (granted stamp, response stamp). The next `reserve` (or `flush`) writes
    /// them under the same lock as its own change, so a send costs one locked update, not two.
    private let unwritten = NIOLockedValueBox<[(granted: Int64, at: Int64)]>([])
    /// The file's size at the last read, in bytes: how much the next read makes room for.
    private let lastSize = Atomic<Int>(0)

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
            if sends.list.count >= budget {
                return .wait(.milliseconds(max(1, sends.list[sends.list.count - budget] + span.milliseconds - nowMS)))
            }
            sends.insert(nowMS)
            return .granted(nowMS)
        }
    }

    /// Counts the send stamped `granted` from `now` on, when its response came back (see
    /// `SlidingWindow.settle`): the server counted it in between. Written with the next `reserve`, or
    /// by `flush`; until then other processes count the send from its grant, a few milliseconds early,
    /// which the window's margin covers.
    public func settle(granted: Int64, now: Date = Date()) {
        let nowMS = Self.milliseconds(now)
        unwritten.withLockedValue { $0.append((granted, max(granted, nowMS))) }
    }

    /// Writes the settles not yet written (at the end of a run).
    public func flush(now: Date = Date()) throws {
        if unwritten.withLockedValue({ $0.isEmpty }) { return }
        _ = try update(now: Self.milliseconds(now)) { _ in .granted(0) }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The live stamps during one update, and the lowest index changed: what must be written back.
    struct Stamps {
        var list: [Int64]
        var firstChange: Int

        mutating func insert(_ stamp: Int64) {
            var index = list.count
            while index > 0, list[index - 1] > stamp { index -= 1 }
            list.insert(stamp, at: index)
            firstChange = min(firstChange, index)
        }

        mutating func remove(_ stamp: Int64) {
            guard let index = list.lastIndex(of: stamp) else { return }
            list.remove(at: index)
            firstChange = min(firstChange, index)
        }
    }

    private static func failure(_ what: String, _ path: String) -> NDJSONWriter.Failure {
        NDJSONWriter.Failure(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// Reads the live sends under an exclusive lock, lets `change` edit them, and writes back what changed.
    private func update(now nowMS: Int64, _ change: (inout Stamps) -> Reservation) throws -> Reservation {
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw Self.failure("cannot lock", path) }
        }
        defer { flock(fd, LOCK_UN) }
        let oldest = nowMS - span.milliseconds
        let latest = nowMS + span.milliseconds
        var (start, stored, rebuild) = read()
        let ascending = stored.withUnsafeBufferPointer { list in (1..<max(1, list.count)).allSatisfy { list[$0 - 1] <= list[$0] } }
        if rebuild || !ascending || (stored.last ?? 0) > latest {
            // Not in the form this type writes: keep what is plausible and write the whole file anew.
            stored = stored.filter { $0 > oldest && $0 <= latest }.sorted()
            rebuild = true
        }
        var expired = 0
        var upper = stored.count
        while expired < upper {
            let middle = (expired + upper) / 2
            if stored[middle] > oldest { upper = middle } else { expired = middle + 1 }
        }
        start += expired
        stored.removeFirst(expired)
        let count = stored.count
        var sends = Stamps(list: stored, firstChange: count)
        for settle in unwritten.withLockedValue({ list in defer { list.removeAll() }; return list }) {
            sends.remove(settle.granted)
            sends.insert(settle.at)
        }
        let result = change(&sends)
        let list = sends.list
        if rebuild || (start >= 512 && start > list.count) {
            write([0] + list, at: 0)
            _ = ftruncate(fd, off_t(8 * (list.count + 1)))
        } else {
            if sends.firstChange < list.count { write(list[sends.firstChange...], at: 1 + start + sends.firstChange) }
            if list.count < count { _ = ftruncate(fd, off_t(8 * (1 + start + list.count))) }
            // The start index moves on disk only every 64 expired stamps: readers skip the few
            // expired ones before it by binary search, and most updates save a write.
            if expired >= 64 { write([Int64(start)], at: 0) }
        }
        return result
    }

    /// The start index and the stamps from it on (an empty file has none), read with one `pread` into
    /// room for the size last read and some more (no `fstat`; a file that fills the room is read again
    /// into twice as much); `damaged` when the start index is out of range or the size is not whole stamps.
    private func read() -> (start: Int, stamps: [Int64], damaged: Bool) {
        var slots = max(64, lastSize.load(ordering: .relaxed) / 8 + 64)
        while true {
            var length = 0
            var stamps = [Int64](unsafeUninitializedCapacity: slots) { buffer, initialized in
                length = pread(fd, buffer.baseAddress, slots * 8, 0)
                initialized = max(0, length) / 8
            }
            if length == slots * 8 {
                slots *= 2
                continue
            }
            if length == 0 { return (0, [], false) }
            lastSize.store(max(0, length), ordering: .relaxed)
            guard let first = stamps.first.map(Int.init) else { return (0, [], true) }
            let count = stamps.count - 1
            let from = (0...count).contains(first) ? first : 0
            stamps.removeFirst(1 + from)
            return (from, stamps, from != first || length % 8 != 0)
        }
    }

    /// Writes `stamps` at the `index`th 8-byte slot of the file.
    private func write(_ stamps: some Collection<Int64>, at index: Int) {
        _ = stamps.withContiguousStorageIfAvailable { list in
            pwrite(fd, list.baseAddress, 8 * list.count, off_t(8 * index))
        }
    }
}
