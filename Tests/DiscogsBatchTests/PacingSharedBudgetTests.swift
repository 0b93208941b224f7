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
        budget.settle(granted: stamp, now: t0.addingTimeInterval(3))
        #expect(try budget.reserve(now: t0.addingTimeInterval(11)) == .wait(.seconds(2)))
        #expect(try budget.reserve(now: t0.addingTimeInterval(13)) == .granted(1_800_000_013_000))
    }

    @Test func aSettleReachesOtherProcessesWithTheNextReserveOrFlush() throws {
        let dir = try folder()
        let a = try SharedBudget(folder: dir, fingerprint: "f", budget: 2, span: .seconds(10))
        let b = try SharedBudget(folder: dir, fingerprint: "f", budget: 2, span: .seconds(10))
        _ = try a.reserve(now: t0)
        a.settle(granted: 1_800_000_000_000, now: t0.addingTimeInterval(1))
        #expect(try contents(a.path) == [0, 1_800_000_000_000])  // held in memory, not written yet
        _ = try a.reserve(now: t0.addingTimeInterval(2))
        #expect(try contents(a.path) == [0, 1_800_000_001_000, 1_800_000_002_000])
        a.settle(granted: 1_800_000_002_000, now: t0.addingTimeInterval(4))
        try a.flush(now: t0.addingTimeInterval(4))
        #expect(try b.reserve(now: t0.addingTimeInterval(5)) == .wait(.seconds(6)))
    }

    /// The file's Int64s: the start index, then the stamps.
    func contents(_ path: String) throws -> [Int64] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count - raw.count % 8, by: 8).map { raw.loadUnaligned(fromByteOffset: $0, as: Int64.self) }
        }
    }

    @Test func aDamagedFileIsRebuiltAndHoldsNoSecret() throws {
        let dir = try folder()
        let budget = try SharedBudget(folder: dir, fingerprint: "f", budget: 5, span: .seconds(10))
        try "garbage\n{not a number\n".write(toFile: budget.path, atomically: false, encoding: .utf8)
        #expect(try budget.reserve(now: t0) == .granted(1_800_000_000_000))
        #expect(try contents(budget.path) == [0, 1_800_000_000_000])
    }

    @Test func aWriteCutShortIsRebuiltKeepingTheWholeStamps() throws {
        let budget = try SharedBudget(folder: try folder(), fingerprint: "f", budget: 5, span: .seconds(10))
        _ = try budget.reserve(now: t0)
        _ = try budget.reserve(now: t0.addingTimeInterval(1))
        let handle = try #require(FileHandle(forUpdatingAtPath: budget.path))
        try handle.truncate(atOffset: 8 * 3 - 3)  // the second stamp half written
        try handle.close()
        #expect(try budget.reserve(now: t0.addingTimeInterval(2)) == .granted(1_800_000_002_000))
        #expect(try contents(budget.path) == [0, 1_800_000_000_000, 1_800_000_002_000])
    }

    /// Thousands of sends through one file: never more than the budget in any span, each wait exactly
    /// until the oldest counted send expires, and expired stamps are cut off, so the file stays small.
    @Test func manySendsKeepTheBudgetAndTheFileSmall() throws {
        let budget = try SharedBudget(folder: try folder(), fingerprint: "f", budget: 100, span: .seconds(1))
        var granted: [Int64] = []
        var nowMS: Int64 = 1_800_000_000_000
        var largest = 0
        while granted.count < 2_000 {
            switch try budget.reserve(now: Date(timeIntervalSince1970: Double(nowMS) / 1000)) {
            case .granted(let stamp):
                granted.append(stamp)
                budget.settle(granted: stamp, now: Date(timeIntervalSince1970: Double(nowMS + 3) / 1000))
                granted[granted.count - 1] = nowMS + 3
                nowMS += 1
            case .wait(let wait):
                #expect(granted.count >= 100)
                #expect(nowMS + wait.milliseconds == granted[granted.count - 100] + 1000)
                nowMS += wait.milliseconds
            }
            let size = try FileManager.default.attributesOfItem(atPath: budget.path)[.size] as? Int ?? 0
            largest = max(largest, size / 8)
        }
        for (index, stamp) in granted.enumerated().dropFirst(100) {
            #expect(stamp - granted[index - 100] >= 1000, "send \(index)")
        }
        #expect(largest <= 1 + 100 + 512 + 8)
    }
}
