import DiscogsSandbox
import Foundation
import Testing

/// The real executable: `run --sandbox` in every credential mode under --verbose, with no credential
/// anywhere in what it prints or writes; exit codes; the README's first command.
@Suite("Command line", .serialized, .timeLimit(.minutes(3)))
struct CommandLineTests {
    /// `swift test` builds the executable with the tests; CI insists on running these.
    static let binaryExists = FileManager.default.isExecutableFile(
        atPath: Harness.binary.path)
        || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Distinctive fake credentials: the job registers them with the sandbox it starts.
    static let fakes = [
        "DISCOGS_TOKEN": "tok-9f8e7d6c5b4a",
        "DISCOGS_CONSUMER_KEY": "ckey-1a2b3c4d5e",
        "DISCOGS_CONSUMER_SECRET": "csec-5e4d3c2b1a",
        "DISCOGS_ACCESS_TOKEN": "atok-0f1e2d3c4b",
        "DISCOGS_ACCESS_TOKEN_SECRET": "asec-4b3c2d1e0f",
    ]

    @Test(.enabled(if: binaryExists), arguments: [
        "{mode: token}", "{mode: token, send_as: query}", "{mode: key_secret}", "{mode: key_secret, send_as: query}",
        "{mode: oauth}", "{mode: oauth, signature: hmac-sha1}",
    ])
    func noCredentialAnywhereUnderVerbose(_ auth: String) async throws {
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = folder.appendingPathComponent("job.yaml").path
        try """
            version: 1
            user_agent: "cli-tests/1.0"
            auth: \(auth)
            vars: {username: sandbox_user}
            requests:
              - name: release
                path: /releases/{id}
                foreach: {id: [1, 2]}
              - name: wants
                path: /users/{username}/wants
                query: {per_page: 5}
                paginate: {max_pages: 2}
                items: wants
            """.write(toFile: job, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out.ndjson").path
        let result = try await Harness.executable(["run", job, "--sandbox", "--verbose", "--output", output], environment: Self.fakes)
        let written = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(result.status == 0, "\(result.stderr)")
        #expect(written.split(separator: "\n").count == 12)
        #expect(result.stderr.contains("GET http://127.0.0.1:"))
        for secret in Self.fakes.values {
            #expect(!result.stdout.contains(secret))
            #expect(!result.stderr.contains(secret))
            #expect(!written.contains(secret))
        }
    }

    @Test(.enabled(if: binaryExists))
    func standardOutputCarriesOnlyRecords() async throws {
        let result = try await Harness.executable(
            ["run", Harness.root.appendingPathComponent("examples/quickstart.yaml").path, "--sandbox", "--output", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count > 5)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })
        #expect(result.stderr.contains("planned requests done"))
    }

    @Test(.enabled(if: binaryExists))
    func anExistingOutputIsRefusedWithExit4() async throws {
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ndjson").path
        try "previous\n".write(toFile: output, atomically: true, encoding: .utf8)
        let job = Harness.root.appendingPathComponent("examples/quickstart.yaml").path
        let refused = try await Harness.executable(["run", job, "--sandbox", "--output", output])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("--overwrite"))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous\n")
        let again = try await Harness.executable(["run", job, "--sandbox", "--output", output, "--overwrite", "--quiet"])
        #expect(again.status == 0)
        #expect(!(try String(contentsOfFile: output, encoding: .utf8)).contains("previous"))
    }

    @Test(.enabled(if: binaryExists))
    func invalidJobExits2AndUnreachableServerExits1() async throws {
        let folder = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.yaml").path
        try "version: 1\nrequests:\n  - name: r\n    method: FETCH\n    path: /x\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let usage = try await Harness.executable(["run", bad, "--concurrency", "0"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--concurrency must be from 1 to 64"))
        let invalid = try await Harness.executable(["run", bad, "--sandbox"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("bad.yaml:4:13: error: requests[0].method"))

        // Nothing listens on port 9: the request fails with a connection error and its line is written.
        let job = folder.appendingPathComponent("job.yaml").path
        try """
            version: 1
            user_agent: "cli-tests/1.0"
            base_url: http://127.0.0.1:9
            auth: {mode: token}
            retry: {max_attempts: 1}
            requests:
              - {name: r, path: /releases/1}
            """.write(toFile: job, atomically: true, encoding: .utf8)
        let unreachable = try await Harness.executable(["run", job, "--output", "-", "--quiet"], environment: Self.fakes)
        #expect(unreachable.status == 1)
        #expect(unreachable.stdout.contains("\"kind\":\"connection\""))
    }
}
