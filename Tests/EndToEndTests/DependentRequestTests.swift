import DiscogsSandbox
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Dependent requests through the real executable against the sandbox: a collection walked into the
/// details of each release and its master, each fetched once, with `from` provenance right; killed at
/// random instants and resumed; split into shards.
@Suite("Dependent requests", .serialized, .timeLimit(.minutes(8)), .enabled(if: CommandLineTests.binaryExists))
struct DependentRequestTests {
    let resume = ResumeTests()

    /// collection → release (and its artists, fanned out) → master, at a rate the sandbox does not limit.
    func job(_ baseURL: String, folder: URL, concurrency: Int = 3) throws -> String {
        let path = folder.appendingPathComponent("job.yaml").path
        try """
            version: 1
            name: details
            user_agent: "dependent-tests/1.0"
            base_url: \(baseURL)
            auth: {mode: token, token: sandbox-demo-token}
            rate: {limit: 100000, window: 1s}
            concurrency: \(concurrency)
            retry: {max_attempts: 8, max_wait: 10s}
            requests:
              - name: collection
                path: /users/sandbox_user/collection/folders/0/releases
                query: {per_page: 25, sort: added}
                paginate: true
                items: releases
              - name: release
                path: /releases/{release_id}
                foreach:
                  release_id: {from: collection, select: basic_information.id}
              - name: master
                path: /masters/{master_id}
                foreach:
                  master_id: {from: release, select: master_id}
              - name: artist
                path: /artists/{artist_id}
                foreach:
                  artist_id: {from: release, select: "artists[].id"}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func records(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The values `select` finds in a record (its item, else its body), as the tool reads them.
    static func selected(_ record: [String: Any], _ path: String) -> [String] {
        var current: [Any] = [record["item"] ?? record["body"] ?? NSNull()]
        for segment in path.split(separator: ".") {
            let fansOut = segment.hasSuffix("[]")
            let key = String(fansOut ? segment.dropLast(2) : segment)
            current = current.flatMap { value -> [Any] in
                guard let next = (value as? [String: Any])?[key] else { return [] }
                return fansOut ? (next as? [Any] ?? []) : [next]
            }
        }
        return current.compactMap { value in
            if let string = value as? String { return string }
            if let number = value as? NSNumber, !(value is NSNull) { return number.stringValue }
            return nil
        }
    }

    /// Every dependent request made once per distinct value its source records give, no other, and
    /// each record's `from` names a source record that gives its value.
    static func checkProvenance(_ records: [[String: Any]]) throws {
        var byKey: [String: [String: Any]] = [:]
        for record in records { byKey[try #require(record["key"] as? String)] = record }
        let rules = [("release", "collection", "basic_information.id", "release_id"),
                     ("master", "release", "master_id", "master_id"), ("artist", "release", "artists[].id", "artist_id")]
        for (child, source, select, variable) in rules {
            let sources = records.filter { $0["request"] as? String == source && $0["error"] == nil }
            let expected = Set(sources.flatMap { selected($0, select) })
            let children = records.filter { $0["request"] as? String == child }
            let values = children.compactMap { ($0["vars"] as? [String: String])?[variable] }
            #expect(values.count == children.count)
            #expect(Set(values).count == values.count, "\(child): a value fetched twice")
            #expect(Set(values) == expected, "\(child): not one request per distinct value of \(source)'s \(select)")
            for record in children {
                let from = try #require(record["from"] as? String)
                let origin = try #require(byKey[from], "\(child) from \(from): no such record")
                #expect(origin["request"] as? String == source)
                let value = try #require((record["vars"] as? [String: String])?[variable])
                #expect(selected(origin, select).contains(value), "\(from) does not give \(value)")
                #expect(record["seq"] as? Int == origin["seq"] as? Int)
            }
        }
    }

    /// Records without the fields that vary from run to run, and without `from` (which source gives a
    /// value first depends on timing when several give it; checkProvenance checks it instead).
    func comparable(_ path: String) throws -> [String: String] {
        let normalized = try ResumeTests.normalized(path).records
        return try normalized.mapValues { text in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            object.removeValue(forKey: "from")
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
        }
    }

    @Test func collectionToReleasesToMastersAndArtistsEachFetchedOnce() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 3, rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson").path
        let result = try await Harness.executable(["run", try job(sandbox.baseURL, folder: folder), "--output", output])
        let stats = sandbox.stats()
        await sandbox.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(output)
        let items = records.filter { $0["request"] as? String == "collection" }
        #expect(items.count == 240)  // the sandbox user's whole collection, walked page by page
        try Self.checkProvenance(records)
        // The sandbox user owns some releases twice: each is fetched once.
        let releases = records.filter { $0["request"] as? String == "release" }.count
        #expect(releases == items.count - 12)
        // The server saw exactly the pages and one request per record: nothing fetched twice.
        let pages = Set(items.compactMap { $0["page"] as? Int }).count
        #expect(pages == 10)
        #expect(stats.requests == pages + records.count - items.count)
        #expect(result.stderr.contains("\(records.count - items.count + 1) of \(records.count - items.count + 1) planned requests done"))
        #expect(try Harness.schemaProblems(records.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }) == nil)
    }

    @Test func wantlistPricesExampleCrossesEachWantWithItsCurrencies() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = folder.appendingPathComponent("job.yaml").path
        try String(contentsOfFile: Harness.root.appendingPathComponent("examples/wantlist-prices.yaml").path, encoding: .utf8)
            .replacingOccurrences(of: "currency: [EUR]", with: "currency: [EUR, USD]")
            .replacingOccurrences(of: "version: 1\n", with: "version: 1\nbase_url: \(sandbox.baseURL)\nrate: {limit: 100000, window: 1s}\nconcurrency: 4\n")
            .write(toFile: job, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.ndjson").path
        let result = try await Harness.executable(["run", job, "--output", output], environment: Harness.environment)
        await sandbox.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(output)
        let wants = records.filter { $0["request"] as? String == "wantlist" }
        let prices = records.filter { $0["request"] as? String == "price" }
        #expect(wants.count == 327)
        #expect(prices.count == 2 * 327)
        let first = try #require(prices.first)
        let id = try #require((first["vars"] as? [String: String])?["release_id"])
        #expect((first["from"] as? String).map { $0.hasPrefix("wantlist/page=") } == true)
        #expect(Set(prices.compactMap { $0["key"] as? String }).isSuperset(of: ["price/release_id=\(id)/currency=EUR", "price/release_id=\(id)/currency=USD"]))
    }

    @Test func killedAtRandomInstantsAndResumedGivesTheUninterruptedRecords() async throws {
        let sandbox = try await Sandbox.start(
            SandboxConfiguration(seed: 7, rateLimited: false, faults: [try SandboxFault.parse("slow=20ms:0.3")]))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try job(sandbox.baseURL, folder: folder)
        let reference = folder.appendingPathComponent("reference.ndjson").path
        let crashed = folder.appendingPathComponent("crashed.ndjson").path
        let whole = try resume.start(["run", job, "--output", reference, "--quiet"])
        await Harness.exit(of: whole)
        #expect(whole.terminationStatus == 0)

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var finished = false
        // At least 20 kills at random instants of a dependent run, each followed by --resume.
        while kills < 20 || !finished {
            let run = try resume.start(["run", job, "--output", crashed, "--resume", "--quiet"])
            if kills < 20 {
                usleep(UInt32.random(in: 20_000...400_000, using: &generator))
                if run.isRunning {
                    kill(run.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            await Harness.exit(of: run)
            finished = run.terminationReason == .exit && run.terminationStatus == 0
            if finished && kills < 20 {
                // Finished before the kill: start the output again so that later kills land mid-run.
                try FileManager.default.removeItem(atPath: crashed)
                finished = false
            }
        }
        await sandbox.stop()
        #expect(try comparable(crashed) == (try comparable(reference)))
        try Self.checkProvenance(try Self.records(crashed))
    }

    @Test func shardsTogetherGiveTheUnshardedRecordsEachOnce() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(seed: 9, rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = try job(sandbox.baseURL, folder: folder)
        let whole = folder.appendingPathComponent("whole.ndjson").path
        let run = try resume.start(["run", job, "--output", whole, "--quiet"])
        await Harness.exit(of: run)
        #expect(run.terminationStatus == 0)

        var union: [String: String] = [:]
        var records: [[String: Any]] = []
        for k in 1...3 {
            let part = folder.appendingPathComponent("shard\(k).ndjson").path
            let shard = try resume.start(["run", job, "--output", part, "--shard", "\(k)/3", "--quiet"])
            await Harness.exit(of: shard)
            #expect(shard.terminationStatus == 0)
            let own = try comparable(part)
            #expect(Set(own.keys).isDisjoint(with: union.keys))
            union.merge(own) { a, _ in a }
            records += try Self.records(part)
        }
        await sandbox.stop()
        #expect(union == (try comparable(whole)))
        try Self.checkProvenance(records)
    }

    @Test func artistDiscographyExampleTakesEachMastersMainRelease() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = folder.appendingPathComponent("job.yaml").path
        try String(contentsOfFile: Harness.root.appendingPathComponent("examples/artist-discography.yaml").path, encoding: .utf8)
            .replacingOccurrences(of: "version: 1\n", with: "version: 1\nbase_url: \(sandbox.baseURL)\nrate: {limit: 100000, window: 1s}\n")
            .write(toFile: job, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.ndjson").path
        let result = try await Harness.executable(["run", job, "--output", output, "--verbose"], environment: Harness.environment)
        await sandbox.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(output)
        let listed = records.filter { $0["request"] as? String == "artist-releases" }
        let masters = listed.filter { ($0["item"] as? [String: Any])?["type"] as? String == "master" }
        let expected = Set(masters.flatMap { Self.selected($0, "main_release") })
        let fetched = records.filter { $0["request"] as? String == "main-release" }
        #expect(records.filter { $0["request"] as? String == "artist" }.count == 3)
        #expect(!expected.isEmpty)
        #expect(Set(fetched.compactMap { ($0["vars"] as? [String: String])?["release_id"] }) == expected)
        // The plain release entries carry no main_release: skipped, counted and named with --verbose.
        let skipped = listed.count - masters.count
        #expect(result.stderr.contains("\(skipped) source values missing, null or not a scalar"))
        #expect(result.stderr.contains("main_release has no value for main-release; skipped"))
    }
}
