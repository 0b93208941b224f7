import Foundation
import Testing
@testable import DiscogsBatch

/// The resume scanner on outputs cut at every kind of place and corrupted at random (seeded, so every
/// run checks the same cases). `Fuzz/run FuzzResume` hunts the same properties on arbitrary bytes.
@Suite("Resume scanner")
struct ResumeStateTests {
    /// One unit the scanner must keep whole or drop whole: a record, or all item lines of one page.
    struct Unit {
        var key: String
        var lines: [String]
    }

    /// Whole records, an error record, page records and two item pages, in the order a run could write them.
    static let units: [Unit] = {
        var units: [Unit] = []
        for id in 1...4 {
            units.append(Unit(key: "release/id=\(id)", lines: [
                #"{"job":"t","request":"release","key":"release/id=\#(id)","seq":\#(id),"status":200,"body":{"id":\#(id),"title":"a \"quoted\" title\nwith a newline é"}}"#
            ]))
        }
        units.append(Unit(key: "release/id=404", lines: [
            #"{"job":"t","request":"release","key":"release/id=404","seq":5,"status":404,"error":{"kind":"http","message":"404"}}"#
        ]))
        for page in 1...2 {
            units.append(Unit(key: "pages/page=\(page)", lines: [
                #"{"job":"t","request":"pages","key":"pages/page=\#(page)","seq":6,"page":\#(page),"pages":2,"status":200,"body":{"items":[]}}"#
            ]))
        }
        for page in 1...2 {
            let count = 3
            units.append(Unit(key: "wants/page=\(page)", lines: (0..<count).map { index in
                #"{"job":"t","request":"wants","key":"wants/page=\#(page)/item=\#(index)","seq":7,"page":\#(page),"pages":2,"item_index":\#(index),"item_count":\#(count),"item":{"id":\#(index)}}"#
            }))
        }
        return units
    }()

    static let file: [UInt8] = Array(units.flatMap(\.lines).map { $0 + "\n" }.joined().utf8)

    /// End offset of each unit in `file`.
    static let ends: [Int] = {
        var end = 0
        return units.map { unit in
            end += unit.lines.reduce(0) { $0 + $1.utf8.count + 1 }
            return end
        }
    }()

    /// A new file holding `bytes`.
    func write(_ bytes: [UInt8]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString).ndjson").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func scan(_ bytes: [UInt8]) throws -> (state: ResumeState?, kept: [UInt8]) {
        let path = write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let state = try ResumeState.load(path: path)
        return (state, [UInt8](FileManager.default.contents(atPath: path) ?? Data()))
    }

    @Test func wholeFileIsKeptWithEveryKey() throws {
        let (state, kept) = try scan(Self.file)
        #expect(kept == Self.file)
        #expect(state?.truncatedBytes == 0)
        #expect(state.map { Set($0.done.keys) } == Set(Self.units.map(\.key)))
        #expect(state?.done["release/id=404"]?.failed == true)
        #expect(state?.done["pages/page=2"]?.pages == 2)
    }

    /// Every cut from 0 to the whole file: what is kept is exactly the units that end before the cut.
    @Test func everyCutKeepsExactlyTheCompleteUnits() throws {
        for cut in 0...Self.file.count {
            let (state, kept) = try scan(Array(Self.file[..<cut]))
            let complete = Self.ends.lastIndex { $0 <= cut }.map { $0 + 1 } ?? 0
            let end = complete == 0 ? 0 : Self.ends[complete - 1]
            #expect(kept == Array(Self.file[..<end]), "cut at \(cut)")
            #expect(state?.truncatedBytes == cut - end, "cut at \(cut)")
            #expect(state.map { Set($0.done.keys) } == Set(Self.units[..<complete].map(\.key)), "cut at \(cut)")
        }
    }

    /// A NUL byte put into a complete line at random makes that line no record: the scan refuses, names
    /// the line, and leaves the file as it was.
    @Test func corruptedLineIsRefusedByNumberAndTheFileIsLeftAlone() throws {
        var generator = SplitMix(seed: 8)
        let lines = Self.units.flatMap(\.lines)
        for _ in 0..<300 {
            let lineIndex = Int.random(in: 0..<lines.count, using: &generator)
            var line = Array(lines[lineIndex].utf8)
            line.insert(0, at: Int.random(in: 0...line.count, using: &generator))
            var bytes: [UInt8] = []
            for (index, text) in lines.enumerated() { bytes += (index == lineIndex ? line : Array(text.utf8)) + [0x0A] }
            // A torn tail after it changes nothing: the bad line comes first.
            bytes += Array(lines[0].utf8.prefix(Int.random(in: 0..<20, using: &generator)))
            let path = write(bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: ResumeState.Failure.self) { try ResumeState.load(path: path) }
            do {
                _ = try ResumeState.load(path: path)
            } catch let failure as ResumeState.Failure {
                let named = failure.description.contains(":\(lineIndex + 1): not a discogs-batch record")
                    || failure.description.contains(":\(lineIndex + 1): the item lines of")
                #expect(named, "\(failure.description)")
            }
            #expect([UInt8](FileManager.default.contents(atPath: path) ?? Data()) == bytes)
        }
    }

    /// Random bytes in place of a random span never crash the scan; whatever it accepts, it keeps a
    /// prefix of the file that ends at a line end.
    @Test func randomDamageNeverCrashesAndOnlyTheTailIsCut() throws {
        var generator = SplitMix(seed: 80)
        for _ in 0..<300 {
            var bytes = Self.file
            let start = Int.random(in: 0..<bytes.count, using: &generator)
            let length = min(Int.random(in: 1...40, using: &generator), bytes.count - start)
            for offset in start..<start + length { bytes[offset] = UInt8.random(in: 0...255, using: &generator) }
            bytes = Array(bytes.prefix(Int.random(in: start...bytes.count, using: &generator)))
            guard let (state, kept) = try? scan(bytes) else { continue }
            #expect(Array(bytes.prefix(kept.count)) == kept)
            #expect(kept.isEmpty || kept.last == 0x0A)
            #expect(kept.count + (state?.truncatedBytes ?? 0) == bytes.count)
        }
    }
}
