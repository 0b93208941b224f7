import Foundation
import Testing
@testable import DiscogsBatch

/// Issue 8's input limits, each through the loader as `validate` and `run` use it (a file on disk): a clear
/// error at a position, or correct loading. Hostile sizes are refused after reading at most one byte past
/// the limit, which `/dev/zero` proves (it never ends). Time and memory per case are measured by
/// `Benchmarks/limits`, not asserted here.
@Suite("Input limits")
struct InputLimitsTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("discogs-batch-limits-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = "\(folder)/\(name)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func load(_ path: String) -> JobLoader.Result {
        JobLoader.withCredentialStore(environment: Fixtures.environment).load(path: path)
    }

    func job(foreachFile: String) -> [UInt8] {
        Array("version: 1\nuser_agent: limits/1.0\nrequests:\n  - name: r\n    path: /releases/{id}\n    foreach:\n      id: {file: \(foreachFile)}\n".utf8)
    }

    /// Lines of `count` seven-digit ids, as a real id file would hold.
    func idLines(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 8)
        for n in 0..<count { bytes += Array(String(1_000_000 + n).utf8) + [0x0A] }
        return bytes
    }

    @Test func hundredMegabyteJobFileIsRefusedBySize() {
        var bytes = Array("version: 1\nrequests: [{name: r, path: /r}]\n".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "#"), count: 100_000_000) + [0x0A]
        let result = load(write("big.yaml", bytes))
        #expect(result.errors.map(\.description) == [
            "\(folder)/big.yaml:1:1: error: the file is larger than 16777216 bytes, the most a job file may hold"
        ])
    }

    @Test func endlessJobFileIsRefusedBySize() {
        let result = load("/dev/zero")
        #expect(result.errors.map(\.message) == ["the file is larger than 16777216 bytes, the most a job file may hold"])
    }

    @Test func billionLaughsIsRefusedAtTheAliasThatCrossesTheLimit() {
        let result = load(Fixtures.path("Tests/Fixtures/invalid/yaml-billion-laughs.yaml"))
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.contains("alias bomb") == true)
    }

    @Test(arguments: [
        String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000),
        String(repeating: "{a: ", count: 20_000) + "1" + String(repeating: "}", count: 20_000),
        // Block nesting indents one more column a level, so 20,000 levels would be a 200 MB file, which
        // the size limit refuses first; 4,000 levels (8 MB) reach the depth limit.
        (0..<4_000).map { String(repeating: " ", count: $0) + "k:\n" }.joined(),
        (0..<4_000).map { String(repeating: " ", count: $0) + "- \n" }.joined(),
    ])
    func deepNestingStopsAtDepth64(_ text: String) throws {
        let result = load(write("deep.yaml", Array(text.utf8)))
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.message == "nesting is deeper than 64 levels")
        #expect(error.mark.line >= 1 && error.mark.line <= 65)
    }

    @Test func tenMillionLineForeachFileIsRefusedBySize() throws {
        let chunk = Data(idLines(100_000))
        #expect(FileManager.default.createFile(atPath: "\(folder)/ids.txt", contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: "\(folder)/ids.txt"))
        for _ in 0..<100 { try handle.write(contentsOf: chunk) }
        try handle.close()
        let result = load(write("job.yaml", job(foreachFile: "ids.txt")))
        #expect(result.errors.map(\.description) == [
            "\(folder)/job.yaml:7:18: error: requests[0].foreach.id.file: \(folder)/ids.txt is larger than 16777216 bytes, the most a foreach file may hold (split it into several jobs)"
        ])
    }

    @Test func endlessForeachFileIsRefusedBySize() {
        let result = load(write("job.yaml", job(foreachFile: "/dev/zero")))
        #expect(result.errors.map(\.message) == ["/dev/zero is larger than 16777216 bytes, the most a foreach file may hold (split it into several jobs)"])
    }

    @Test func foreachFileWithinTheLimitLoadsEveryValue() throws {
        var bytes = Array("\u{FEFF}# ids\r\n  42 \r\n\r\n\t43\n".utf8) + idLines(200_000)
        bytes += Array("last-without-newline".utf8)
        _ = write("ids.txt", bytes)
        let job = try load(write("job.yaml", job(foreachFile: "ids.txt"))).get()
        let plan = Plan(job: job)
        #expect(plan.count == 200_003)
        let values = plan.prefix(3).map { $0.vars.first?.value }
        // The byte order mark a Windows editor puts first is not part of the first line (a comment here).
        #expect(values == ["42", "43", "1000000"])
        let axis = try #require(job.requests.first?.foreach.first)
        #expect(axis.value(at: axis.count - 1) == "last-without-newline")
    }

    @Test(arguments: [[0xFF] as [UInt8], [0x31, 0x0A, 0x00, 0x32, 0x0A]])
    func foreachFileThatIsNotTextIsAnError(_ bytes: [UInt8]) {
        _ = write("ids.txt", bytes)
        let result = load(write("job.yaml", job(foreachFile: "ids.txt")))
        #expect(result.errors.map(\.message) == ["\(folder)/ids.txt is not UTF-8 text (expected one value per line)"])
    }

    @Test func rangeOfATrillionIsRefusedWithoutExpandingIt() {
        let result = load(Fixtures.path("Tests/Fixtures/invalid/foreach-huge-range.yaml"))
        #expect(result.errors.map(\.message) == [
            "expands to 1000000000000 requests; a job may expand to at most 10000000 (split it into several jobs or shards)"
        ])
    }

    @Test func invalidUTF8IsAnErrorAtItsPosition() throws {
        let result = load(write("bad.yaml", Array("version: 1\nname: caf".utf8) + [0xE9] + Array("\n".utf8)))
        let error = try #require(result.errors.first)
        #expect(error.description.hasSuffix("bad.yaml:2:10: error: invalid UTF-8 byte 0xE9; expected UTF-8 text"))
    }

    static let plain = "version: 1\nuser_agent: limits/1.0\nrequests:\n  - name: r\n    path: /releases/{id}\n    foreach: {id: [1, 2]}\n"

    @Test func byteOrderMarkIsAccepted() throws {
        let plain = try load(write("plain.yaml", Array(Self.plain.utf8))).get()
        let marked = try load(write("bom.yaml", Array("\u{FEFF}\(Self.plain)".utf8))).get()
        #expect(Plan(job: marked).map(\.url) == Plan(job: plain).map(\.url))
        let error = try #require(load(write("bom-bad.yaml", Array("\u{FEFF}versio: 1\n".utf8))).errors.first)
        #expect(error.mark == Mark(line: 1, column: 1))
    }

    @Test func crlfLineEndsLoadTheSameAndPointAtTheRightLine() throws {
        let crlf = Self.plain.replacingOccurrences(of: "\n", with: "\r\n")
        let plain = try load(write("plain.yaml", Array(Self.plain.utf8))).get()
        let windows = try load(write("crlf.yaml", Array(crlf.utf8))).get()
        #expect(Plan(job: windows).map(\.url) == Plan(job: plain).map(\.url))

        let bad = "version: 1\r\nrequests:\r\n  - name: r\r\n    path: releases\r\n"
        let result = load(write("crlf-bad.yaml", Array(bad.utf8)))
        let error = try #require(result.errors.first)
        #expect(error.mark.line == 4)
        let rendered = error.rendered(source: result.source)
        #expect(rendered.hasSuffix("\n        path: releases\n    " + String(repeating: " ", count: error.mark.column - 1) + "^"))
        #expect(!rendered.contains("\r"))
    }

    @Test func nulByteIsAnErrorAtItsPositionAndNeverEchoedRaw() throws {
        let result = load(write("nul.yaml", Array("version: 1\nname: a\u{0}b\n".utf8)))
        let error = try #require(result.errors.first)
        #expect(error.mark == Mark(line: 2, column: 8))
        let rendered = error.rendered(source: result.source)
        #expect(!rendered.unicodeScalars.contains("\u{0}"))
        #expect(rendered.contains("    name: a\u{2400}b\n           ^"))
    }

    @Test func escapeSequencesInAJobFileNeverReachTheTerminalRaw() throws {
        let result = load(write("esc.yaml", Array("version: 1\n\u{1B}[2Jkey\u{1B}]0;title\u{7}: 1\n".utf8)))
        let text = result.diagnostics.map { $0.rendered(source: result.source) }.joined(separator: "\n")
        #expect(!result.diagnostics.isEmpty)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        #expect(text.contains("\u{241B}[2Jkey"))
    }
}

/// A diagnostic quotes its source line; a credential written on that line must not be shown.
@Suite("Credentials in quoted source lines")
struct QuotedSourceCredentialsTests {
    @Test func aLiteralTokenIsHiddenWhereverItIsQuoted() throws {
        let yaml = "version: 1\nauth: {mode: token, token: Lit+Tok/en=42}\nrequests:\n  - {name: r, path: /r, headers: {X-Echo: Lit+Tok/en=42}}\n"
        let result = Fixtures.load(yaml)
        let text = result.diagnostics.map { $0.rendered(source: result.source) }.joined(separator: "\n")
        #expect(text.contains("auth: {mode: token, token: *************}"))
        #expect(!text.contains("Lit+Tok/en=42"))
        #expect(result.diagnostics.contains { $0.message.contains("a secret is written literally") })
    }

    /// A line libyaml cannot read never reaches the credential reader: the key still hides it.
    @Test(arguments: [
        "version: 1\nauth:\n  mode: oauth\n  consumer_secret: \"Broken:Secret\n",
        "version: 1\nauth: {mode: token, token: Broken:Secret, }}\n",
        "version: 1\nauth:\n  'access_token_secret':  Broken:Secret ]\n",
    ])
    func aValueOnALineTooBrokenToReadIsHiddenByItsKey(_ yaml: String) throws {
        let result = Fixtures.load(yaml)
        let error = try #require(result.errors.first)
        let rendered = error.rendered(source: result.source)
        #expect(!rendered.contains("Broken:Secret"), "\(rendered)")
        #expect(!rendered.contains("Broken"), "\(rendered)")
    }

    @Test func environmentReferencesStayVisible() {
        let hidden = JobLoader.hidingCredentials(in: "auth: {mode: oauth, consumer_key: ${KEY}, consumer_secret: abcd1234}\n", literals: [])
        #expect(hidden == "auth: {mode: oauth, consumer_key: ${KEY}, consumer_secret: ********}\n")
    }
}

@Suite("Long source lines in diagnostics")
struct LongSourceLineTests {
    /// A one-line flow job of a megabyte with an error far along it: the 160 characters around the
    /// column are quoted, the cut ends marked, the caret under the column.
    @Test func aLongLineIsQuotedAroundTheColumn() throws {
        let padding = String(repeating: "1, ", count: 400_000)
        let yaml = "version: 1\nrequests: [{name: r, path: /r, foreach: {id: [\(padding)2]}, bogus: 1}]\n"
        let result = Fixtures.load(yaml)
        let error = try #require(result.errors.first { $0.message.contains("bogus") })
        let rendered = error.rendered(source: result.source)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("    …") && lines[1].hasSuffix("…") == false)
        #expect(lines[1].unicodeScalars.count <= 4 + 1 + 160 + 1)
        let caret = try #require(lines[2].firstIndex(of: "^"))
        let pointed = lines[1][lines[1].index(lines[1].startIndex, offsetBy: lines[2].distance(from: lines[2].startIndex, to: caret))...]
        #expect(pointed.hasPrefix("bogus"))
    }
}
