import Foundation
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sliding-window budget shared by every discogs-batch process on this machine that uses the
/// same credential: a small file of send times under the state folder, named by the credential's
/// fingerprint, mapped into each process (`MAP_SHARED`) and changed only under `flock`.
///
/// The file (`budget-<fingerprint>.v2.stamps`) is binary `Int64`s in the machine's byte order (it
/// never leaves the machine): a header of four slots (`magic`, which also names the layout's version;
/// `start` and `end`, the stamps from `start` up to `end` being those that may still count; `busy`,
/// set while an update is under way), then the send stamps (milliseconds since 1970) in ascending
/// order. An update costs two `flock`s and work in the mapping that does not grow with the stamps in
/// the window: a binary search moves `start` past the expired ones, a send is appended (a settle moves
/// one stamp past the few granted after it), and the stamps are moved to the front only when the file
/// is full and the expired ones outnumber the live ones; otherwise the file doubles (on Linux its
/// blocks are allocated before they are touched, so a full disk is an error, not a `SIGBUS`).
///
/// The file never shrinks, so the size a process mapped is always there: `fstat` is asked only when
/// the header says more than the mapping holds (another process grew the file, which is then mapped
/// again, or the header is damaged). Only something other than discogs-batch cutting the file while
/// a process has it mapped can make that process fault; checking the size on every update would cost
/// a third system call per request.
///
/// The first update of a process checks every stamp; after that a file is rebuilt from what is
/// plausible in it (whole stamps within the window, sorted) when its header is not this layout's,
/// says more than the file holds, was left `busy` by a process killed while updating, or its last
/// stamp is in the future. The first layout (no header, the file `budget-<fingerprint>.stamps`) is
/// not shared with: a process of that version shrinks its file, which would fault a mapping of it.
///
/// No lock is held between calls, so a process that dies leaves nothing stuck: its sends simply age
/// out of the window. No secret is written.
public final class SharedBudget: Sendable {
    public let path: String
    let budget: Int
    let span: Duration
    /// Open for the life of the budget.
    private let fd: Int32
    /// The mapping and the settles not yet written. Calls are serialised by the caller (the
    /// `RateGovernor` actor) and this lock, and between processes by `flock`.
    private let state = NIOLockedValueBox(State())
    private let logger: Logger
    private let warned = NIOLockedValueBox(false)

    /// "budget" then the layout's version, 2.
    static let magic: Int64 = 0x6275_6467_6574_0002
    /// Slots before the stamps: magic, start, end, busy.
    static let header = 4
    /// A new file's size; it grows by doubling.
    static let initialBytes = 4096

    /// `$DISCOGS_BATCH_STATE_DIR`, else `$XDG_STATE_HOME/discogs-batch`, else `~/.local/state/discogs-batch`.
    public static func folder(environment: [String: String]) -> String {
        if let explicit = environment["DISCOGS_BATCH_STATE_DIR"], !explicit.isEmpty { return explicit }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return "\(state)/discogs-batch" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return "\(home)/.local/state/discogs-batch"
    }

    /// What went wrong with the budget file, naming it.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens (or creates) the file for `fingerprint` under `folder`; `logger` says once when it fails
    /// during the run.
    public init(
        folder: String, fingerprint: String, budget: Int, span: Duration,
        logger: Logger = Logger(label: "discogs-batch", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.logger = logger
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = "\(folder)/budget-\(fingerprint).v2.stamps"
        self.budget = budget
        self.span = span
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("cannot open", path) }
    }

    deinit {
        state.withLockedValue { $0.unmap() }
        close(fd)
    }

    public enum Reservation: Sendable, Hashable {
        /// A send was taken; its stamp (milliseconds since 1970) is what `settle` moves later.
        case granted(Int64)
        /// Nothing was taken: ask again after this long.
        case wait(Duration)
    }

    /// Logs `message` about the file, the first time only.
    func warnOnce(_ message: String) {
        guard warned.withLockedValue({ warned in
            defer { warned = true }
            return !warned
        }) else { return }
        logger.warning("the shared rate budget \(path): \(message)")
    }

    /// Takes one send from the shared budget at `now` (the governor's clock), or says how long to wait.
    public func reserve(now: Date) throws -> Reservation {
        let nowMS = Self.milliseconds(now)
        return try update(now: nowMS) { sends in
            if sends.count >= budget {
                return .wait(.milliseconds(max(1, sends[sends.count - budget] + span.milliseconds - nowMS)))
            }
            sends.insert(nowMS)
            return .granted(nowMS)
        }
    }

    /// Counts the send stamped `granted` from `now` on, when its response came back (see
    /// `SlidingWindow.settle`): the server counted it in between. Written with the next `reserve`, or
    /// by `flush`; until then other processes count the send from its grant, a few milliseconds early,
    /// which the window's margin covers.
    public func settle(granted: Int64, now: Date) {
        let nowMS = Self.milliseconds(now)
        state.withLockedValue { $0.unwritten.append((granted, max(granted, nowMS))) }
    }

    /// Writes the settles not yet written (at the end of a run).
    public func flush(now: Date) throws {
        if state.withLockedValue({ $0.unwritten.isEmpty }) { return }
        _ = try update(now: Self.milliseconds(now)) { _ in .granted(0) }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func failure(_ what: String, _ path: String) -> Failure {
        Failure(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// Locks the file, makes sure its header and mapping can be trusted, moves `start` past the expired
    /// stamps, writes the pending settles, lets `change` edit the live stamps, and writes the header.
    private func update(now nowMS: Int64, _ change: (inout Stamps) -> Reservation) throws -> Reservation {
        try state.withLockedValue { state in
            while flock(fd, LOCK_EX) != 0 {
                if errno != EINTR { throw Self.failure("cannot lock", path) }
            }
            defer { flock(fd, LOCK_UN) }
            let (oldest, latest) = (nowMS - span.milliseconds, nowMS + span.milliseconds)
            if state.base == nil { try state.map(fd, size: State.size(fd)) }
            var (start, end) = try state.validRange(fd, latest: latest) ?? state.rebuild(fd, oldest: oldest, latest: latest)
            state.checked = true
            state.head[3] = 1  // a process killed from here on (or a growth that fails) leaves the next update to rebuild
            start = Self.firstAbove(oldest, in: state.stamps, start..<end)
            let room = end + state.unwritten.count + 1  // each settle moves a stamp; a reserve adds one
            if room > state.capacity { (start, end) = try state.makeRoom(fd, start: start, end: end, for: room - end) }
            var sends = Stamps(list: state.stamps, start: start, end: end)
            for settle in state.unwritten {
                sends.remove(settle.granted)
                sends.insert(settle.at)
            }
            state.unwritten.removeAll(keepingCapacity: true)
            let result = change(&sends)
            state.head[1] = Int64(sends.start)
            state.head[2] = Int64(sends.end)
            state.head[3] = 0
            return result
        }
    }

    /// The index of the first stamp above `stamp` in `range` of the ascending `list`.
    static func firstAbove(_ stamp: Int64, in list: UnsafeMutablePointer<Int64>, _ range: Range<Int>) -> Int {
        var (low, high) = (range.lowerBound, range.upperBound)
        while low < high {
            let middle = (low + high) / 2
            if list[middle] > stamp { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The live stamps during one update, `start..<end` in place in the mapping, which has room for
    /// the inserts the update can make.
    struct Stamps {
        let list: UnsafeMutablePointer<Int64>
        var start: Int
        var end: Int
        var count: Int { end - start }
        subscript(index: Int) -> Int64 { list[start + index] }

        /// After the stamps equal to it: usually at the end.
        mutating func insert(_ stamp: Int64) {
            let index = SharedBudget.firstAbove(stamp, in: list, start..<end)
            (list + index + 1).update(from: list + index, count: end - index)
            list[index] = stamp
            end += 1
        }

        /// The last one equal to it, if it is still live.
        mutating func remove(_ stamp: Int64) {
            let index = SharedBudget.firstAbove(stamp, in: list, start..<end) - 1
            guard index >= start, list[index] == stamp else { return }
            (list + index).update(from: list + index + 1, count: end - index - 1)
            end -= 1
        }
    }

    /// The mapping of the file and what this process knows of it. The pointers are used only under
    /// the box's lock and `flock`.
    struct State: @unchecked Sendable {
        /// The header's slots; nil until the first update maps the file (or when it is too small).
        var base: UnsafeMutablePointer<Int64>?
        /// Bytes mapped: all within the file, which never shrinks.
        var bytes = 0
        /// This process has checked every stamp once.
        var checked = false
        /// Settles not yet written: (granted stamp, response stamp). The next `reserve` (or `flush`)
        /// writes them under the same lock as its own change, so a send costs one locked update, not two.
        var unwritten: [(granted: Int64, at: Int64)] = []

        var head: UnsafeMutablePointer<Int64> { base! }
        var stamps: UnsafeMutablePointer<Int64> { base! + SharedBudget.header }
        /// Stamps the mapping has room for.
        var capacity: Int { bytes / 8 - SharedBudget.header }

        /// The file's size in bytes.
        static func size(_ fd: Int32) throws -> Int {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw SharedBudget.failure("cannot stat", "the shared budget") }
            return Int(info.st_size)
        }

        /// Maps the file's first `size` bytes, all of it (nothing when it is too small to hold the header).
        mutating func map(_ fd: Int32, size: Int) throws {
            unmap()
            guard size >= 8 * SharedBudget.header else { return }
            let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
            guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
                throw SharedBudget.failure("cannot map", "the shared budget")
            }
            base = address.bindMemory(to: Int64.self, capacity: size / 8)
            bytes = size
        }

        mutating func unmap() {
            if let base { munmap(base, bytes) }
            base = nil
            bytes = 0
        }

        /// The header's `start..<end` when the file is in this layout, within the file, not left busy,
        /// and not ending in the future (all stamps checked on this process's first update); nil otherwise.
        mutating func validRange(_ fd: Int32, latest: Int64) throws -> (Int, Int)? {
            guard base != nil, head[0] == SharedBudget.magic, head[3] == 0, 0 <= head[1], head[1] <= head[2] else {
                return nil
            }
            if head[2] > Int64(capacity) {
                // Another process grew the file, or the header is damaged: only the file's size tells.
                try map(fd, size: Self.size(fd))
                guard base != nil, head[2] <= Int64(capacity) else { return nil }
            }
            let (start, end) = (Int(head[1]), Int(head[2]))
            if end > start, stamps[end - 1] > latest { return nil }
            if !checked, start < end, !(start + 1..<end).allSatisfy({ stamps[$0 - 1] <= stamps[$0] }) { return nil }
            return (start, end)
        }

        /// Writes the file anew from what is plausible in it: whole stamps in the window, sorted. With
        /// this layout's header those within its range (and one more if an insert was cut short),
        /// else every slot. Returns the new range.
        mutating func rebuild(_ fd: Int32, oldest: Int64, latest: Int64) throws -> (Int, Int) {
            unmap()
            let size = try Self.size(fd)
            let slots = [Int64](unsafeUninitializedCapacity: size / 8) { buffer, initialized in
                initialized = max(0, pread(fd, buffer.baseAddress, 8 * buffer.count, 0)) / 8
            }
            var candidates = slots[...]
            let header = SharedBudget.header
            if slots.count >= header, slots[0] == SharedBudget.magic, 0 <= slots[1], slots[1] <= slots[2] {
                let room = Int64(slots.count - header)
                let from = Int(min(slots[1], room))
                let to = min(Int(min(slots[2], room)) + (slots[3] == 0 ? 0 : 1), Int(room))
                candidates = slots[header + from..<header + to]
            }
            let kept = candidates.filter { $0 > oldest && $0 <= latest }.sorted()
            try allocate(fd, bytes: 8 * (header + 2 * kept.count), beyond: size)
            stamps.update(from: kept, count: kept.count)
            head.update(from: [SharedBudget.magic, 0, Int64(kept.count), 0], count: header)
            return (0, kept.count)
        }

        /// Makes room for `more` stamps after `end`: maps what another process may have grown; else
        /// moves the live stamps to the front when the expired ones outnumber them (the move cannot
        /// overlap its source); else doubles the file. Returns the new range.
        mutating func makeRoom(_ fd: Int32, start: Int, end: Int, for more: Int) throws -> (Int, Int) {
            let size = try Self.size(fd)
            if size != bytes { try map(fd, size: size) }
            guard base != nil else { throw SharedBudget.failure("cannot map", "the shared budget") }
            if end + more <= capacity { return (start, end) }
            var (start, end) = (start, end)
            if start > 0, start >= end - start {
                stamps.update(from: stamps + start, count: end - start)
                (start, end) = (0, end - start)
                if end + more <= capacity { return (start, end) }
            }
            try allocate(fd, bytes: max(2 * bytes, 8 * (SharedBudget.header + 2 * (end + more))), beyond: bytes)
            return (start, end)
        }

        /// Grows the file to at least `bytes` (whole pages, at least the first size) unless it is
        /// `size` already, with its blocks allocated before any is touched, and maps it.
        mutating func allocate(_ fd: Int32, bytes wanted: Int, beyond size: Int) throws {
            let page = SharedBudget.initialBytes
            let bytes = max(page, (wanted + page - 1) / page * page)
            if size < bytes {
                #if canImport(Glibc)
                let error = posix_fallocate(fd, 0, off_t(bytes))
                #else
                let error = ftruncate(fd, off_t(bytes)) == 0 ? 0 : errno
                #endif
                if error != 0 {
                    errno = error
                    throw SharedBudget.failure("cannot grow", "the shared budget")
                }
            }
            try map(fd, size: max(size, bytes))
            guard base != nil else { throw SharedBudget.failure("cannot map", "the shared budget") }
        }
    }
}
