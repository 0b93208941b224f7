import Foundation
@testable import DiscogsBatch

/// Paths of the repository's fixtures and examples, and a loader with a fixed environment.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The `.yaml` files of a folder, sorted.
    static func files(in relative: String) -> [String] {
        let folder = path(relative)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
    }

    /// A file's text, with invalid UTF-8 replaced (fixtures include such a file on purpose).
    static func text(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// Fake credentials: long enough to be found by redaction, obviously not real.
    static let environment: [String: String] = [
        "DISCOGS_TOKEN": "fixture-token-0123456789",
        "DISCOGS_CONSUMER_KEY": "fixture-consumer-key",
        "DISCOGS_CONSUMER_SECRET": "fixture-consumer-secret",
        "DISCOGS_ACCESS_TOKEN": "fixture-access-token",
        "DISCOGS_ACCESS_TOKEN_SECRET": "fixture-access-secret",
        "FIXTURE_USER": "fixture_user",
        "DISCOGS_BATCH_CONFIG_DIR": configDirectory,
    ]

    /// A credential store holding the profile the examples name (`shop`), created once per test process.
    static let configDirectory: String = {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("discogs-batch-fixtures-\(UUID().uuidString)").path
        try? CredentialStore(directory: directory).save(
            .oauth(
                consumerKey: "fixture-profile-consumer-key", consumerSecret: "fixture-profile-consumer-secret",
                accessToken: "fixture-profile-access-token", accessTokenSecret: "fixture-profile-access-secret",
                username: "fixture_user", baseURL: "https://api.discogs.com"),
            as: "shop")
        return directory
    }()

    static let loader = JobLoader.withCredentialStore(environment: environment)

    static func load(_ yaml: String, file: String = "job.yaml", environment: [String: String] = environment) -> JobLoader.Result {
        JobLoader.withCredentialStore(environment: environment).load(bytes: Array(yaml.utf8), file: file)
    }

    /// Diagnostics of a result without the folder in front of the file name.
    static func lines(_ result: JobLoader.Result, folder: String) -> [String] {
        result.diagnostics.map { $0.description.replacingOccurrences(of: folder + "/", with: "") }
    }
}
