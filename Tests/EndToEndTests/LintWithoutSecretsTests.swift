import Foundation
import Testing

/// `validate` and `plan` on a machine without the job's secrets (a CI lint step, a pull request from
/// a fork): warnings, exit 0; `run` still refuses with exit 2.
@Suite("Lint without secrets", .serialized, .timeLimit(.minutes(3)))
struct LintWithoutSecretsTests {
    static let secrets = [
        "DISCOGS_TOKEN", "DISCOGS_CONSUMER_KEY", "DISCOGS_CONSUMER_SECRET", "DISCOGS_ACCESS_TOKEN", "DISCOGS_ACCESS_TOKEN_SECRET",
    ]

    static var examples: [String] {
        let folder = Harness.root.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    @Test(.enabled(if: CommandLineTests.binaryExists)) func everyExampleValidatesAndPlansWithoutSecrets() async throws {
        let empty = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let environment = ["DISCOGS_BATCH_CONFIG_DIR": empty.path]
        #expect(Self.examples.count >= 5)
        let validate = try await Harness.executable(["validate"] + Self.examples, environment: environment, removing: Self.secrets)
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stderr.contains("needed to run"))
        for example in Self.examples {
            let plan = try await Harness.executable(["plan", example], environment: environment, removing: Self.secrets)
            #expect(plan.status == 0, "\(example): \(plan.stderr)")
        }
        let token = try #require(Self.examples.first { $0.hasSuffix("collection-export.yaml") })
        let run = try await Harness.executable(["run", token, "--output", "-"], environment: environment, removing: Self.secrets)
        #expect(run.status == 2)
        #expect(run.stderr.contains("error: auth.token"))
    }
}
