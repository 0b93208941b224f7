import Testing
@testable import DiscogsBatch

@Suite("YAML parser")
struct YAMLParserTests {
    func parse(_ text: String, limits: YAMLLimits = .default) throws -> YAMLNode {
        try #require(try YAMLParser.parse(Array(text.utf8), limits: limits))
    }

    func failure(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
        failure(Array(text.utf8), limits: limits)
    }

    func failure(_ bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLError? {
        do {
            _ = try YAMLParser.parse(bytes, limits: limits)
            return nil
        } catch {
            return error as? YAMLError
        }
    }

    @Test func marksAreOneBased() throws {
        let root = try parse("a: 1\nlist:\n  - x\n  - {k: v}\n")
        #expect(root.mark == Mark(line: 1, column: 1))
        #expect(root["a"]?.mark == Mark(line: 1, column: 4))
        let list = try #require(root["list"]?.sequence)
        #expect(list[0].mark == Mark(line: 3, column: 5))
        #expect(list[1]["k"]?.mark == Mark(line: 4, column: 9))
    }

    @Test func scalarsKeepTheirText() throws {
        let root = try parse("id: 0123\nflag: no\nswitch: on\nyes: yes\nfloat: 1.50\nnull_word: null\n")
        #expect(root["id"]?.scalar == YAMLScalar("0123"))
        #expect(root["flag"]?.scalar == YAMLScalar("no"))
        #expect(root["switch"]?.scalar == YAMLScalar("on"))
        #expect(root["yes"]?.scalar == YAMLScalar("yes"))
        #expect(root["float"]?.scalar?.text == "1.50")
        #expect(root["null_word"]?.scalar?.isNull == true)
    }

    @Test func quotedScalarsAndEscapes() throws {
        let root = try parse(#"""
            single: 'it''s'
            double: "tab\there \u00e9 \x41 \"q\" \\"
            nul: "a\0b"
            """#)
        #expect(root["single"]?.scalar == YAMLScalar("it's", style: .singleQuoted))
        #expect(root["double"]?.scalar == YAMLScalar("tab\there é A \"q\" \\", style: .doubleQuoted))
        #expect(root["nul"]?.scalar?.text == "a\u{0}b")
        #expect(root["nul"]?.scalar?.text.utf8.count == 3)
    }

    @Test func blockScalars() throws {
        let root = try parse("literal: |\n  line one\n  line two\nfolded: >\n  one\n  two\nstrip: |-\n  x\n")
        #expect(root["literal"]?.scalar == YAMLScalar("line one\nline two\n", style: .literal))
        #expect(root["folded"]?.scalar == YAMLScalar("one two\n", style: .folded))
        #expect(root["strip"]?.scalar?.text == "x")
    }

    @Test func flowStyleAndComments() throws {
        let root = try parse("# a comment\nmap: {a: 1, b: [x, 'y', \"z\"]}  # trailing\nempty: []\n")
        let b = try #require(root["map"]?["b"]?.sequence)
        #expect(b.map { $0.scalar?.text } == ["x", "y", "z"])
        #expect(root["empty"]?.sequence?.isEmpty == true)
    }

    @Test func anchorsAndAliases() throws {
        let root = try parse("base: &b {x: 1}\ncopy: *b\nlist: [&s hello, *s]\n")
        #expect(root["copy"]?["x"]?.scalar?.text == "1")
        #expect(root["list"]?.sequence?.map { $0.scalar?.text } == ["hello", "hello"])
    }

    @Test func mergeKeys() throws {
        let root = try parse("""
            common: &common {method: GET, path: /a, paginate: true}
            other: &other {items: wants, path: /b}
            one:
              name: one
              <<: *common
              path: /override
            two:
              <<: [*other, *common]
            """)
        let one = try #require(root["one"]?.mapping)
        #expect(one.map { $0.key.scalar?.text } == ["name", "method", "paginate", "path"])
        #expect(root["one"]?["path"]?.scalar?.text == "/override")
        let two = try #require(root["two"]?.mapping)
        #expect(two.map { $0.key.scalar?.text } == ["items", "path", "method", "paginate"])
        #expect(root["two"]?["path"]?.scalar?.text == "/b")
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        let root = try parse("'<<': x\n")
        #expect(root["<<"]?.scalar?.text == "x")
    }

    @Test func mergeOfAScalarIsAnError() {
        let error = failure("a: &x 1\nb:\n  <<: *x\n")
        #expect(error == YAMLError("merge key << expects a mapping or a list of mappings", at: Mark(line: 3, column: 3)))
    }

    @Test func duplicateKeys() {
        let error = failure("a: 1\nb: 2\na: 3\n")
        #expect(error == YAMLError("duplicate key \"a\" (first written at 1:1)", at: Mark(line: 3, column: 1)))
    }

    @Test func duplicateKeyQuotedAndPlainAreTheSame() {
        #expect(failure("a: 1\n\"a\": 2\n")?.mark == Mark(line: 2, column: 1))
    }

    @Test func secondDocument() {
        let error = failure("a: 1\n---\nb: 2\n")
        #expect(error?.mark == Mark(line: 2, column: 1))
        #expect(error?.message.contains("single document") == true)
    }

    @Test func emptyAndCommentOnlyInputHaveNoDocument() throws {
        #expect(try YAMLParser.parse([]) == nil)
        #expect(try YAMLParser.parse(Array("# nothing\n".utf8)) == nil)
    }

    @Test func syntaxErrorHasItsMark() {
        let error = failure("a: 1\n  b: 2\n")
        #expect(error?.mark == Mark(line: 2, column: 4))
        #expect(error?.message == "mapping values are not allowed in this context")
    }

    @Test func unknownAlias() {
        #expect(failure("a: *nope\n") == YAMLError("unknown alias *nope; an anchor &nope must come before it", at: Mark(line: 1, column: 4)))
    }

    @Test func complexKeysAreRejected() {
        #expect(failure("? [a, b]\n: 1\n")?.message == "expected a scalar as mapping key, found a list")
    }

    @Test func billionLaughsFailsAtTheFirstAliasPastTheLimit() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        let error = failure(text)
        #expect(error?.message.contains("alias bomb") == true)
        #expect(error?.mark.line == 6)
    }

    @Test func deepNestingFails() {
        let text = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let error = failure(text)
        #expect(error == YAMLError("nesting is deeper than 64 levels", at: Mark(line: 1, column: 65)))
    }

    @Test func deepBlockNestingFails() {
        var text = ""
        for depth in 0..<100 { text += String(repeating: " ", count: depth) + "k\(depth):\n" }
        #expect(failure(text)?.message == "nesting is deeper than 64 levels")
    }

    @Test func invalidUTF8HasItsPosition() {
        var bytes = Array("a: ok\nb: caf".utf8)
        bytes += [0xC3]  // a lead byte with no continuation
        bytes += Array(" x\n".utf8)
        let error = failure(bytes)
        #expect(error?.mark == Mark(line: 2, column: 7))
        #expect(error?.message == "invalid UTF-8 byte 0xC3; expected UTF-8 text")
    }

    @Test func multibyteColumnsCountCharacters() throws {
        let root = try parse("é: [ü, x]\n")
        #expect(root["é"]?.sequence?[1].mark == Mark(line: 1, column: 8))
    }

    @Test func controlCharacterIsAReaderErrorWithPosition() {
        let error = failure(Array("a: b\nc: \u{1}\n".utf8))
        #expect(error?.mark == Mark(line: 2, column: 4))
    }

    @Test func fileSizeLimit() {
        let error = failure(String(repeating: "#", count: 200), limits: YAMLLimits(maxBytes: 100))
        #expect(error?.message == "the file is larger than 100 bytes, the most a job file may hold")
    }

    @Test func tagsAreKept() throws {
        let root = try parse("a: !!str 12\n")
        #expect(root["a"]?.tag == "tag:yaml.org,2002:str")
    }
}
