import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an existing output file already holds, for `--resume`: the keys it completes, after a torn
/// last line and a page whose item lines were cut short have been cut off the end of the file.
///
/// The writer writes each record, and all item lines of a page, with one `write` call under a lock,
/// so only the last write can be torn: whatever is incomplete is at the end of the file.
public struct ResumeState: Sendable {
    public struct Done: Sendable, Hashable {
        /// `pages` of a page record.
        public var pages: Int?
        public var failed: Bool
    }

    /// Complete records by key: a whole request, a page, or (items mode) a page whose item lines are all there.
    public var done: [String: Done] = [:]
    /// Bytes cut off the end: a torn line and the lines of an incomplete page.
    public var truncatedBytes = 0
    public var records = 0
    /// The values the kept records give dependent requests, in file order: the run takes them up
    /// again without fetching their sources anew.
    public var sourceValues: [SourceValue] = []
    /// Source paths that led nowhere or to null, and to an object or list, in the kept records.
    public var missingValues = 0
    public var notScalarValues = 0

    /// What the records of a request give others: the dependent request's index and its `select`.
    public typealias Consumers = [String: [(consumer: Int, select: ValuePath)]]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Scans `path` and truncates its incomplete tail; nil when there is no such file.
    public static func load(path: String, consumers: Consumers = [:]) throws -> ResumeState? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Failure(description: "cannot open \(path) to resume it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var state = ResumeState()
        var pending: [UInt8] = []
        var offset = 0  // file offset of pending[0]
        var goodEnd = 0  // end of the last line that belongs to a complete record or page
        var lineNumber = 0
        // Item lines of the page being read, not yet known to be complete.
        var page: (key: String, start: Int, expected: Int, seen: Int, failed: Bool, pages: Int?)?
        // Values found, each with the file offset of its line, so that a cut-off tail takes its own back.
        var found: [(offset: Int, value: SourceValue)] = []
        var missing: [(offset: Int, missing: Int, notScalar: Int)] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            pending += chunk[..<n]
            var lineStart = 0
            while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
                lineNumber += 1
                let line = Array(pending[lineStart..<newline])
                let lineOffset = offset + lineStart
                lineStart = newline + 1
                guard let record = Self.parse(line, consumers: consumers) else {
                    throw Failure(description: "\(path):\(lineNumber): not a discogs-batch record; refusing to resume (move the file aside or pass --overwrite)")
                }
                if let selected = record.selected {
                    found += selected.values.map { (lineOffset, $0) }
                    missing.append((lineOffset, selected.missing, selected.notScalar))
                }
                state.records += 1
                if let item = record.item {
                    if let open = page, open.key != item.pageKey {
                        throw Failure(description: "\(path):\(lineNumber): the item lines of \(open.key) stop before this line; refusing to resume")
                    }
                    if page == nil {
                        page = (item.pageKey, lineOffset, item.count, 0, record.failed, record.pages)
                    }
                    page!.seen += 1
                    if page!.seen == page!.expected {
                        state.done[page!.key] = Done(pages: page!.pages, failed: page!.failed)
                        goodEnd = offset + lineStart
                        page = nil
                    }
                } else {
                    if page != nil {
                        throw Failure(description: "\(path):\(lineNumber): the item lines of \(page!.key) stop before this line; refusing to resume")
                    }
                    state.done[record.key] = Done(pages: record.pages, failed: record.failed)
                    goodEnd = offset + lineStart
                }
            }
            offset += lineStart
            pending.removeFirst(lineStart)
        }
        let size = offset + pending.count
        if goodEnd < size {
            state.truncatedBytes = size - goodEnd
            guard ftruncate(fd, off_t(goodEnd)) == 0 else {
                throw Failure(description: "cannot truncate \(path): \(String(cString: strerror(errno)))")
            }
            fsync(fd)
        }
        state.sourceValues = found.lazy.filter { $0.offset < goodEnd }.map(\.value)
        for entry in missing where entry.offset < goodEnd {
            state.missingValues += entry.missing
            state.notScalarValues += entry.notScalar
        }
        return state
    }

    struct Parsed {
        var key: String
        var pages: Int?
        var failed: Bool
        var item: (pageKey: String, count: Int)?
        /// What a successful record of a source request gives its dependent requests.
        var selected: (values: [SourceValue], missing: Int, notScalar: Int)?
    }

    static func parse(_ line: [UInt8], consumers: Consumers = [:]) -> Parsed? {
        let scanner = JSONScanner(line)
        guard let document = scanner.document(), let keyRange = scanner.value(at: ["key"], in: document),
            line[keyRange.lowerBound] == UInt8(ascii: "\""),
            let key = try? JSONDecoderLite.string(Array(line[keyRange]))
        else { return nil }
        let pages = scanner.value(at: ["pages"], in: document).flatMap(scanner.integer)
        let failed = scanner.value(at: ["error"], in: document) != nil
        var item: (String, Int)?
        if scanner.value(at: ["item_index"], in: document) != nil,
            let count = scanner.value(at: ["item_count"], in: document).flatMap(scanner.integer),
            let slash = key.range(of: "/item=", options: .backwards)
        {
            item = (String(key[..<slash.lowerBound]), count)
        }
        var selected: (values: [SourceValue], missing: Int, notScalar: Int)?
        if !failed, !consumers.isEmpty, let nameRange = scanner.value(at: ["request"], in: document),
            let name = try? JSONDecoderLite.string(Array(line[nameRange])), let wanted = consumers[name],
            let content = scanner.value(at: ["item"], in: document) ?? scanner.value(at: ["body"], in: document)
        {
            let seq = scanner.value(at: ["seq"], in: document).flatMap(scanner.integer) ?? 0
            var result: (values: [SourceValue], missing: Int, notScalar: Int) = ([], 0, 0)
            for (consumer, select) in wanted {
                let selection = scanner.select(select, in: content)
                result.values += selection.values.map { SourceValue(consumer: consumer, value: $0, from: key, seq: seq) }
                result.missing += selection.missing
                result.notScalar += selection.notScalar
            }
            selected = result
        }
        return Parsed(key: key, pages: pages, failed: failed, item: item, selected: selected)
    }
}
