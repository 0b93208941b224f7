import Foundation
import Testing
@testable import DiscogsBatch

@Suite("JSON scanner")
struct JSONScannerTests {
    func scanner(_ text: String) -> JSONScanner { JSONScanner(Array(text.utf8)) }

    func text(_ s: JSONScanner, _ range: Range<Int>?) -> String? {
        range.map { String(decoding: s.bytes[$0], as: UTF8.self) }
    }

    @Test(arguments: [
        #"{}"#, #"[]"#, #" {"a": [1, -2.5e+3, 0, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]} "#, #""s""#, "0", "-0.1",
        "{\"a\":\n{\"b\":[]}}",
    ])
    func validDocuments(_ json: String) {
        #expect(scanner(json).document() != nil)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "1.", "-", ".5", "tru", "\"unterminated", "\"bad \\x escape\"",
        "\"raw\ncontrol\"", "[1] 2", "{\"a\":1,}", "nul", "[1 2]",
    ])
    func invalidDocuments(_ json: String) {
        #expect(scanner(json).document() == nil)
    }

    @Test func stringsMustBeWellFormedUTF8() {
        func document(_ inner: [UInt8]) -> Range<Int>? { JSONScanner([0x22] + inner + [0x22]).document() }
        for valid: [UInt8] in [[0xC3, 0xA9], [0xE2, 0x80, 0xA6], [0xED, 0x9F, 0xBF], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF]] {
            #expect(document(valid) != nil, "\(valid)")
        }
        // Overlong, surrogate, past U+10FFFF, lone continuation, cut short, bad continuation.
        for invalid: [UInt8] in [[0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0x80], [0xE2, 0x80], [0xC3, 0x41], [0xE2, 0x80, 0x41], [0xFF]]
        {
            #expect(document(invalid) == nil, "\(invalid)")
        }
        #expect(JSONScanner([0xC3, 0xA9]).document() == nil)  // outside a string
    }

    /// Long strings are skipped eight bytes at a time: every special byte at every offset is still seen.
    @Test func specialBytesAreFoundAtEveryOffsetOfALongString() {
        for offset in 0..<24 {
            let a = [UInt8](repeating: 0x61, count: offset)
            let b = [UInt8](repeating: 0x62, count: 24 - offset)
            // A quote there ends the first string: two elements, the first exactly `"aaa…"`.
            let two = JSONScanner(Array("[\"".utf8) + a + Array("\",\"".utf8) + b + Array("\"]".utf8))
            let elements = two.document().flatMap { two.elements(ofArrayAt: $0) }
            #expect(elements?.count == 2 && elements?.first?.count == offset + 2, "quote at \(offset)")
            for (special, valid): ([UInt8], Bool) in [([0x5C, 0x6E], true), ([0xC3, 0xA9], true), ([0x5C, 0x78], false), ([0x0A], false), ([0x1F], false), ([0xFF], false)] {
                let scanner = JSONScanner(Array("[\"".utf8) + a + special + b + Array("\"]".utf8))
                #expect((scanner.document() != nil) == valid, "\(special) at \(offset)")
            }
        }
    }

    /// `document()` has a loop of its own; the recursive walker it replaced is the reference. Both must
    /// agree on every truncation of the samples and on thousands of seeded mutations of them, with an
    /// alphabet rich in what changes the answer: syntax, digits, escapes, control and non-ASCII bytes.
    @Test func documentAgreesWithTheRecursiveWalker() {
        let samples: [[UInt8]] = [
            #"{"id":5,"title":"Live","year":1967,"artists":[{"name":"The Iron Engines","id":111785}],"ok":true,"no":false,"x":null,"e":[]}"#,
            #" [ -0.5e+10 , 1E-2, 0, -0, 12.25, 3e7, {"k" : { } }, [ [ ] ], "a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00" ] "#,
            "{\"é\":\"ünïcödé 日本語 😀 \u{7F}\",\"long\":\"abcdefghijklmnopqrstuvwxyz0123456789 with a \\\"quote\\\" later\"}\n",
            "\t\"just a string, long enough for the eight-byte loop\"\r\n", "-12.5e-3", "true", "[null]",
        ].map { Array($0.utf8) }
        let alphabet: [UInt8] =
            Array(#"{}[]:,"\/ u0123456789.eE+-tfnrlsaAbF"#.utf8) + [0x09, 0x0A, 0x0D] + Array(0x00...0x1F) + Array(0x7F...0xFF)
        var mismatches: [[UInt8]] = []
        func check(_ bytes: [UInt8]) {
            let scanner = JSONScanner(bytes)
            if scanner.document() != scanner.documentByWalking(), mismatches.count < 5 { mismatches.append(bytes) }
        }
        var checked = 0
        for sample in samples {
            for end in 0...sample.count {
                check(Array(sample[..<end]))
                check(Array(sample[end...]))
            }
            checked += 2 * (sample.count + 1)
        }
        var random = SplitMix(seed: 8259)
        for _ in 0..<20_000 {
            var bytes = samples[Int.random(in: 0..<samples.count, using: &random)]
            for _ in 0...Int.random(in: 0..<3, using: &random) {
                let at = Int.random(in: 0...bytes.count, using: &random)
                let byte = alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(byte, at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = byte }
                }
            }
            check(bytes)
            checked += 1
        }
        #expect(mismatches.isEmpty, "\(mismatches.map { String(decoding: $0, as: UTF8.self).debugDescription })")
        #expect(checked > 20_000)
    }

    /// Random mutations rarely make an overlong form or a surrogate, so every lead byte is tried with
    /// every second byte, followed by no, one or two continuation bytes, in a string and in an array.
    @Test func documentAgreesWithTheRecursiveWalkerOnEveryLeadAndSecondByte() {
        var mismatches: [[UInt8]] = []
        for lead in UInt8(0x80)...0xFF {
            for second in UInt8(0)...0xFF {
                for bytes: [UInt8] in [[0x22, lead, second, 0x22], [0x22, lead, second, 0xBF, 0x22], [0x22, lead, second, 0x80, 0x80, 0x22],
                    [0x5B, 0x22, lead, second, 0x80, 0x22, 0x5D]]
                {
                    let scanner = JSONScanner(bytes)
                    if scanner.document() != scanner.documentByWalking() { mismatches.append(bytes) }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Up to `maxDepth` containers may nest (depth 0 to 511); a value inside the 512th may not.
    @Test(arguments: [#"[]"#, #"{}"#, #"[1]"#, #"{"a":"b"}"#, #"["s"]"#, #"[[]]"#])
    func depthLimit(_ innermost: String) {
        let holdsAValue = innermost.count > 2
        for outer in JSONScanner.maxDepth - 3...JSONScanner.maxDepth {
            let scanner = scanner(String(repeating: "[", count: outer) + innermost + String(repeating: "]", count: outer))
            let containers = outer + (innermost == "[[]]" ? 2 : 1)
            let valid = innermost == "[[]]" || !holdsAValue ? containers <= JSONScanner.maxDepth : containers < JSONScanner.maxDepth
            #expect((scanner.document() != nil) == valid, "\(outer) around \(innermost)")
            #expect(scanner.document() == scanner.documentByWalking(), "\(outer) around \(innermost)")
        }
    }

    @Test func valueAtAPath() throws {
        let s = scanner(#"{"pagination": {"page": 2, "pages": 14, "urls": {}}, "wants": [{"id": 1}, {"id": [2, 3]}], "x\u0041": 7}"#)
        let doc = try #require(s.document())
        let pagination = s.value(at: ["pagination"], in: doc)
        #expect(pagination.flatMap { s.value(at: ["pages"], in: $0) }.flatMap(s.integer) == 14)
        #expect(s.value(at: ["pagination", "page"], in: doc).flatMap(s.integer) == 2)
        #expect(s.value(at: ["missing"], in: doc) == nil)
        #expect(s.value(at: ["wants", "id"], in: doc) == nil)
        #expect(text(s, s.value(at: ["xA"], in: doc)) == "7")
        let wants = try #require(s.value(at: ["wants"], in: doc))
        let elements = try #require(s.elements(ofArrayAt: wants))
        #expect(elements.map { text(s, $0) } == [#"{"id": 1}"#, #"{"id": [2, 3]}"#])
    }

    @Test func elementsOfEmptyAndNonArrays() throws {
        let s = scanner(#"{"a": [], "b": {"c": 1}}"#)
        let doc = try #require(s.document())
        #expect(s.elements(ofArrayAt: s.value(at: ["a"], in: doc)!) == [])
        #expect(s.elements(ofArrayAt: s.value(at: ["b"], in: doc)!) == nil)
    }

    @Test func integersAreNonNegativeWholeNumbers() {
        let s = scanner("[12, -1, 1.5, 99999999999999999999]")
        #expect(s.integer(at: 1..<3) == 12)
        #expect(s.integer(at: 5..<7) == nil)
        #expect(s.integer(at: 9..<12) == nil)
    }
}

@Suite("JSON text")
struct JSONTextTests {
    @Test(arguments: ["plain", "", "quote \" and \\ back", "tab\tnew\nline\r", "\u{1}\u{1F}", "é ü 😀", "a\u{2028}b\u{2029}", "\u{2026}…"])
    func bytesAndStringFormsAgree(_ text: String) throws {
        var bytes: [UInt8] = []
        JSONText.appendString(text, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == JSONText.string(text))
        let decoded = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
        #expect(decoded == text)
    }
}

@Suite("Record")
struct RecordTests {
    @Test func aLineHasTheFieldsOfTheSchemaInOrder() {
        var record = Record(
            job: "j", request: "r", key: "r/id=1", seq: 3, vars: [("id", "1")], method: "GET",
            url: "https://api.discogs.com/releases/1?token=REDACTED", status: 200, attempts: 2, at: 1_795_000_000.5,
            ms: 42, rateLimit: .init(limit: 60, used: 1, remaining: 59))
        record.payload = .json(Array(#"{"id":1}"#.utf8))
        #expect(String(decoding: record.encoded(), as: UTF8.self) == #"""
            {"job":"j","request":"r","key":"r/id=1","seq":3,"vars":{"id":"1"},"method":"GET","url":"https://api.discogs.com/releases/1?token=REDACTED","status":200,"attempts":2,"at":"2026-11-18T11:06:40.500Z","ms":42,"ratelimit":{"limit":60,"used":1,"remaining":59},"body":{"id":1}}

            """#)
    }

    @Test func failuresItemsAndText() {
        var record = Record(
            job: "j", request: "r", key: "k", seq: 1, vars: [], method: "GET", url: "u", status: nil, attempts: 5,
            at: 0, ms: 0, page: 2, pages: 3)
        record.error = RecordFailure(.timeout, "timed out \"waiting\"")
        #expect(String(decoding: record.encoded(), as: UTF8.self).hasSuffix(
            #""status":null,"attempts":5,"at":"1970-01-01T00:00:00.000Z","ms":0,"page":2,"pages":3,"error":{"kind":"timeout","message":"timed out \"waiting\""}}"# + "\n"))
        record.error = nil
        record.payload = .item(Array("[1]".utf8), index: 4, count: 9)
        #expect(String(decoding: record.encoded(), as: UTF8.self).hasSuffix(#""item":[1],"item_index":4,"item_count":9}"# + "\n"))
        record.payload = .text("<html>\n")
        #expect(String(decoding: record.encoded(), as: UTF8.self).hasSuffix(#""body":"<html>\n"}"# + "\n"))
    }
}
