import Foundation
import Testing

@testable import DiscogsBatch

@Suite struct PacingSharedBudgetTests {
    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shared-budget-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func twoProcessesDrawFromOneFile() throws {
        let dir = try folder()
        let a = try SharedBudget(folder: dir, fingerprint: "f1", budget: 2, span: .seconds(10))
        let b = try SharedBudget(folder: dir, fingerprint: "f1", budget: 2, span: .seconds(10))
        #expect(try a.reserve(now: t0) == .granted(1_800_000_000_000))
        #expect(try b.reserve(now: t0.addingTimeInterval(1)) == .granted(1_800_000_001_000))
        #expect(try a.reserve(now: t0.addingTimeInterval(2)) == .wait(.seconds(8)))
        #expect(try b.reserve(now: t0.addingTimeInterval(10)) == .granted(1_800_000_010_000))
        let mode = try FileManager.default.attributesOfItem(atPath: a.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let other = try SharedBudget(folder: dir, fingerprint: "f2", budget: 2, span: .seconds(10))
        #expect(try other.reserve(now: t0.addingTimeInterval(2)) == .granted(1_800_000_002_000))
    }

    @Test func settleMovesAStampToItsResponse() throws {
        let budget = try SharedBudget(folder: try folder(), fingerprint: "f", budget: 1, span: .seconds(10))
        guard case .granted(let stamp) = try budget.reserve(now: t0) else { Issue.record("not granted"); return }
        try budget.settle(granted: stamp, now: t0.addingTimeInterval(3))
        #expect(try budget.reserve(now: t0.addingTimeInterval(11)) == .wait(.seconds(2)))
        #expect(try budget.reserve(now: t0.addingTimeInterval(13)) == .granted(1_800_000_013_000))
    }

    @Test func aDamagedFileIsRebuiltAndHoldsNoSecret() throws {
        let dir = try folder()
        let budget = try SharedBudget(folder: dir, fingerprint: "f", budget: 5, span: .seconds(10))
        try "garbage\n{not a number\n".write(toFile: budget.path, atomically: true, encoding: .utf8)
        #expect(try budget.reserve(now: t0) == .granted(1_800_000_000_000))
        #expect(try String(contentsOfFile: budget.path, encoding: .utf8) == "1800000000000\n")
    }
}
