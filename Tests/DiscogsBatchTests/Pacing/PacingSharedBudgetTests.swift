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
        #expect(try file(a.path).live == [1_800_000_000_000])  // held in memory, not written yet
        _ = try a.reserve(now: t0.addingTimeInterval(2))
        #expect(try file(a.path).live == [1_800_000_001_000, 1_800_000_002_000])
        a.settle(granted: 1_800_000_002_000, now: t0.addingTimeInterval(4))
        try a.flush(now: t0.addingTimeInterval(4))
        #expect(try b.reserve(now: t0.addingTimeInterval(5)) == .wait(.seconds(6)))
    }

    /// The file's whole Int64s, its header and the stamps its header says may still count (none when
    /// the header is not this layout's or says more than the file holds).
    func file(_ path: String) throws -> (slots: [Int64], header: [Int64], live: [Int64]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let slots = [Int64](unsafeUninitializedCapacity: data.count / 8) { buffer, initialized in
            initialized = data.copyBytes(to: buffer) / 8
        }
        let header = Array(slots.prefix(SharedBudget.header))
        guard header.count == SharedBudget.header, header[0] == SharedBudget.magic, 0 <= header[1], header[1] <= header[2],
            header[2] <= slots.count - SharedBudget.header
        else { return (slots, header, []) }
        return (slots, header, Array(slots[SharedBudget.header + Int(header[1])..<SharedBudget.header + Int(header[2])]))
    }

    /// Replaces a file's bytes in place (no `fsync`, unlike `Data.write`: thousands of them stay fast).
    func put(_ bytes: Data, at path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    /// A file this layout's update leaves: the magic, not busy, the range within the file, and the
    /// stamps in it ascending and within `oldest...latest`.
    func expectWellFormed(_ path: String, oldest: Int64, latest: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (slots, header, live) = try file(path)
        #expect(header.count == 4 && header[0] == SharedBudget.magic && header[3] == 0, sourceLocation: sourceLocation)
        #expect(header.count == 4 && header[2] <= slots.count - 4, sourceLocation: sourceLocation)
        #expect(zip(live, live.dropFirst()).allSatisfy { $0 <= $1 }, sourceLocation: sourceLocation)
        #expect(live.allSatisfy { $0 >= oldest && $0 <= latest }, sourceLocation: sourceLocation)
    }

    @Test func aDamagedFileIsRebuiltAndHoldsNoSecret() throws {
        let dir = try folder()
        let budget = try SharedBudget(folder: dir, fingerprint: "f", budget: 5, span: .seconds(10))
        try "garbage\n{not a number\n".write(toFile: budget.path, atomically: false, encoding: .utf8)
        #expect(try budget.reserve(now: t0) == .granted(1_800_000_000_000))
        #expect(try file(budget.path).live == [1_800_000_000_000])
        #expect(try file(budget.path).header == [SharedBudget.magic, 0, 1, 0])
    }

    /// The next process finds a file cut short (the stamps are never written with `write`, so only
    /// something else cuts it: a restore, a damaged disk) and keeps its whole stamps.
    @Test func aFileCutShortIsRebuiltKeepingTheWholeStamps() throws {
        let dir = try folder()
        let budget = try SharedBudget(folder: dir, fingerprint: "f", budget: 5, span: .seconds(10))
        _ = try budget.reserve(now: t0)
        _ = try budget.reserve(now: t0.addingTimeInterval(1))
        let handle = try #require(FileHandle(forUpdatingAtPath: budget.path))
        try handle.truncate(atOffset: 8 * 6 - 3)  // the second stamp cut
        try handle.close()
        let next = try SharedBudget(folder: dir, fingerprint: "f", budget: 5, span: .seconds(10))
        #expect(try next.reserve(now: t0.addingTimeInterval(2)) == .granted(1_800_000_002_000))
        #expect(try file(budget.path).live == [1_800_000_000_000, 1_800_000_002_000])
        #expect(try budget.reserve(now: t0.addingTimeInterval(3)) == .granted(1_800_000_003_000))
        #expect(try file(budget.path).live == [1_800_000_000_000, 1_800_000_002_000, 1_800_000_003_000])
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

    /// Two processes on one file with thousands of stamps in the window, and a third that replaces
    /// one of them midway (the second dies with settles unwritten): every reservation, and the file
    /// along the way, is what a plain sorted list gives. The file grows and is compacted meanwhile.
    @Test func thousandsOfLiveStampsGiveTheReferenceModelsAnswers() throws {
        let dir = try folder()
        let (limit, spanMS): (Int, Int64) = (2_500, 1_000)
        func open() throws -> SharedBudget {
            try SharedBudget(folder: dir, fingerprint: "f", budget: limit, span: .milliseconds(spanMS))
        }
        var processes = [try open(), try open()]
        var model = ReferenceBudget(budget: limit, spanMS: spanMS)
        var outstanding: [[Int64]] = [[], []]  // granted, not settled, by process
        var random = SplitMix(seed: 0x5EED)
        var nowMS: Int64 = 1_800_000_000_000
        var (waits, largestLive, largestFile, compactions, lastStart) = (0, 0, 0, 0, Int64(0))
        for step in 0..<30_000 {
            if random.below(4) == 0 { nowMS += 1 }
            let now = Date(timeIntervalSince1970: Double(nowMS) / 1000)
            let who = random.below(2)
            if step == 15_000 {
                processes[1] = try open()
                model.pending[1] = []
                outstanding[1] = []
            }
            switch random.below(20) {
            case 0..<13:
                let expected = model.reserve(by: who, now: nowMS)
                let got = try processes[who].reserve(now: now)
                #expect(got == expected, "step \(step)")
                guard got == expected else { return }
                if case .granted(let stamp) = got { outstanding[who].append(stamp) } else { waits += 1 }
            case 13..<19:
                guard !outstanding[who].isEmpty else { continue }
                // One of the latest: a response comes back soon after its request.
                let count = outstanding[who].count
                let granted = outstanding[who].remove(at: count - 1 - random.below(min(count, 16)))
                processes[who].settle(granted: granted, now: now)
                model.settle(by: who, granted: granted, now: nowMS)
            default:
                try processes[who].flush(now: now)
                model.flush(by: who, now: nowMS)
            }
            largestLive = max(largestLive, model.live.count)
            if step % 250 == 0 {
                let (slots, header, live) = try file(processes[0].path)
                #expect(live == Array(model.live), "step \(step)")
                largestFile = max(largestFile, slots.count)
                if header[1] < lastStart { compactions += 1 }
                lastStart = header[1]
            }
        }
        for who in 0..<2 {
            try processes[who].flush(now: Date(timeIntervalSince1970: Double(nowMS) / 1000))
            model.flush(by: who, now: nowMS)
        }
        #expect(try file(processes[0].path).live == Array(model.live))
        #expect(waits > 100 && largestLive == limit)
        #expect(largestFile > 512 && largestFile <= 4 * limit + 512)
        #expect(compactions >= 2)
    }

    /// Growth and compaction over many reserves from one process: the file grows from one page
    /// while the window fills, then stays within a few times the window's stamps as they expire.
    @Test func theFileGrowsWithTheWindowAndIsCompactedAsStampsExpire() throws {
        let budget = try SharedBudget(folder: try folder(), fingerprint: "f", budget: 1_000, span: .seconds(1))
        var (sizes, starts): ([Int], [Int64]) = ([], [])
        for index in 0..<20_000 {
            let nowMS = 1_800_000_000_000 + Int64(index)
            let reservation = try budget.reserve(now: Date(timeIntervalSince1970: Double(nowMS) / 1000))
            #expect(reservation == .granted(nowMS))
            guard index % 10 == 0 else { continue }
            let (slots, header, live) = try file(budget.path)
            #expect(live.count == min(index + 1, 1_000))
            sizes.append(slots.count)
            starts.append(header[1])
        }
        #expect(sizes.first == 512 && Set(sizes).count > 2)
        #expect(sizes.max()! <= 4 * 1_000 + 512)
        #expect(zip(starts, starts.dropFirst()).filter { $0 > $1 }.count >= 5)
    }

    /// Every length the file can be cut to, as a new process finds it: no crash, the whole stamps
    /// kept (the header then says more than the file holds), the file usable again.
    @Test func aFileCutAtEveryLengthIsRebuiltFromItsWholeStamps() throws {
        let dir = try folder()
        let open = { (name: String) in try SharedBudget(folder: dir, fingerprint: name, budget: 1_000, span: .seconds(10)) }
        var stamps: [Int64] = []
        let first = try open("f")
        for index in 0..<300 {
            guard case .granted(let stamp) = try first.reserve(now: t0.addingTimeInterval(Double(index) / 1000)) else { return }
            stamps.append(stamp)
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: first.path))
        #expect(whole.count == 4096)
        let now = t0.addingTimeInterval(1)
        for length in 0...whole.count {
            // A file of its own for each length: cutting one file 4,097 times is slow on ext4.
            try put(whole.prefix(length), at: "\(dir)/budget-f\(length).v2.stamps")
            let next = try open("f\(length)")
            #expect(try next.reserve(now: now) == .granted(1_800_000_001_000), "length \(length)")
            let kept = Array(stamps.prefix(max(0, length / 8 - 4)))
            #expect(try file(next.path).live == kept + [1_800_000_001_000], "length \(length)")
            #expect(try next.reserve(now: now) == .granted(1_800_000_001_000), "length \(length)")
        }
    }

    /// Garbage of every kind, as a new process finds it: random bytes, this layout's header with a
    /// range out of bounds or left busy, stamps out of order or in the future, the first layout.
    @Test func garbageIsRebuiltFromWhatIsPlausible() throws {
        let dir = try folder()
        let nowMS: Int64 = 1_800_000_010_000
        let now = Date(timeIntervalSince1970: Double(nowMS) / 1000)
        var random = SplitMix(seed: 42)
        func stamp() -> Int64 { nowMS - 12_000 + Int64(random.below(14_000)) }
        func any() -> Int64 { Int64(bitPattern: random.next()) }
        var files: [[Int64]] = [
            [0, nowMS - 2, nowMS - 1],  // the first layout: start index, then stamps
            [SharedBudget.magic, 0, 2, 1, nowMS - 3, nowMS - 2, nowMS - 1],  // busy: a kill mid-insert
            [SharedBudget.magic, 0, 3, 0, nowMS - 1, nowMS - 3, nowMS - 2],  // out of order
            [SharedBudget.magic, 0, 2, 0, nowMS - 1, nowMS + 60_000],  // ends in the future
            [SharedBudget.magic, 1, 0, 0, nowMS - 1],  // start after end
            [SharedBudget.magic, -1, 1, 0, nowMS - 1],
            [SharedBudget.magic, 0, .max, 0, nowMS - 1],  // says far more than the file holds
            [SharedBudget.magic, .min, .max, 0],
        ]
        for _ in 0..<300 {
            let count = random.below(1_200)
            switch random.below(3) {
            case 0: files.append((0..<count).map { _ in any() })
            case 1: files.append([SharedBudget.magic, any() % 1_300, any() % 1_300, any() % 2] + (0..<count).map { _ in stamp() })
            default: files.append([SharedBudget.magic, 0, Int64(count), 0] + (0..<count).map { _ in random.below(2) == 0 ? stamp() : any() })
            }
        }
        for (index, slots) in files.enumerated() {
            let cut = index >= 8 && random.below(2) == 0 ? random.below(8) : 0
            let bytes = slots.withUnsafeBytes { Data($0) }.dropLast(cut)
            try put(bytes, at: "\(dir)/budget-f.v2.stamps")
            let next = try SharedBudget(folder: dir, fingerprint: "f", budget: 1_000, span: .seconds(10))
            _ = try next.reserve(now: now)
            try expectWellFormed(next.path, oldest: nowMS - 10_000 + 1, latest: nowMS + 10_000)
        }
        // What the first few keep exactly.
        func kept(_ slots: [Int64]) throws -> [Int64] {
            try put(slots.withUnsafeBytes { Data($0) }, at: "\(dir)/budget-f.v2.stamps")
            let next = try SharedBudget(folder: dir, fingerprint: "f", budget: 1_000, span: .seconds(10))
            #expect(try next.reserve(now: now) == .granted(nowMS))
            return try file(next.path).live
        }
        #expect(try kept(files[0]) == [nowMS - 2, nowMS - 1, nowMS])
        #expect(try kept(files[1]) == [nowMS - 3, nowMS - 2, nowMS - 1, nowMS])
        #expect(try kept(files[2]) == [nowMS - 3, nowMS - 2, nowMS - 1, nowMS])
        #expect(try kept(files[3]) == [nowMS - 1, nowMS])
        #expect(try kept(files[6]) == [nowMS - 1, nowMS])
    }

    /// Another process grows the file past what this one mapped: the header says more than the
    /// mapping knows, so this one maps the file again and sees every stamp.
    @Test func aFileGrownByAnotherProcessIsMappedAgain() throws {
        let dir = try folder()
        let a = try SharedBudget(folder: dir, fingerprint: "f", budget: 5_000, span: .seconds(10))
        let b = try SharedBudget(folder: dir, fingerprint: "f", budget: 5_000, span: .seconds(10))
        #expect(try a.reserve(now: t0) == .granted(1_800_000_000_000))
        for index in 1...3_000 { _ = try b.reserve(now: t0.addingTimeInterval(Double(index) / 1000)) }
        #expect(try file(a.path).slots.count > 512)
        #expect(try a.reserve(now: t0.addingTimeInterval(4)) == .granted(1_800_000_004_000))
        #expect(try file(a.path).live.count == 3_002)
    }
}

/// The shared budget as a plain sorted list, for comparison: the same rules, none of the file.
struct ReferenceBudget {
    let budget: Int
    let spanMS: Int64
    var live: ArraySlice<Int64> = []
    var pending: [[(granted: Int64, at: Int64)]] = [[], []]

    init(budget: Int, spanMS: Int64) {
        self.budget = budget
        self.spanMS = spanMS
    }

    mutating func update(by who: Int, now: Int64) {
        while let first = live.first, first <= now - spanMS { live.removeFirst() }
        for (granted, at) in pending[who] {
            if let index = live.lastIndex(of: granted) { live.remove(at: index) }
            insert(at)
        }
        pending[who] = []
    }

    mutating func insert(_ stamp: Int64) {
        let index = live.lastIndex { $0 <= stamp }.map { $0 + 1 } ?? live.startIndex
        live.insert(stamp, at: index)
    }

    mutating func reserve(by who: Int, now: Int64) -> SharedBudget.Reservation {
        update(by: who, now: now)
        if live.count >= budget {
            return .wait(.milliseconds(max(1, live[live.endIndex - budget] + spanMS - now)))
        }
        insert(now)
        return .granted(now)
    }

    mutating func settle(by who: Int, granted: Int64, now: Int64) {
        pending[who].append((granted, max(granted, now)))
    }

    mutating func flush(by who: Int, now: Int64) {
        if !pending[who].isEmpty { update(by: who, now: now) }
    }
}

extension SplitMix {
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
