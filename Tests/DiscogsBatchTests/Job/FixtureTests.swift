import Foundation
import Testing
@testable import DiscogsBatch

/// Every invalid fixture states, in `# expect:` lines at its top, the exact diagnostics it must produce
/// (`FILE:LINE:COL: severity: path: message`). Valid fixtures and examples must load with no error.
@Suite("Job fixtures")
struct FixtureTests {
    static let invalid = Fixtures.files(in: "Tests/Fixtures/invalid")
    static let valid = Fixtures.files(in: "Tests/Fixtures/valid") + Fixtures.files(in: "examples")

    static func expectations(_ path: String) -> [String] {
        let text = Fixtures.text(path)
        let name = (path as NSString).lastPathComponent
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# expect: ") ? "\(name):" + line.dropFirst("# expect: ".count) : nil
        }
    }

    @Test func thereAreAtLeastFortyInvalidFixtures() {
        #expect(Self.invalid.count >= 40)
    }

    @Test(arguments: invalid)
    func invalidFixtureGivesExactlyItsDiagnostics(_ path: String) {
        let result = Fixtures.loader.load(path: path)
        let expected = Self.expectations(path)
        #expect(!expected.isEmpty, "fixture has no # expect: lines")
        #expect(Fixtures.lines(result, folder: (path as NSString).deletingLastPathComponent) == expected)
        #expect(result.job == nil)
    }

    @Test(arguments: valid)
    func validFixtureLoads(_ path: String) {
        let result = Fixtures.loader.load(path: path)
        #expect(result.errors.map(\.description) == [])
        #expect(result.job != nil)
    }
}
