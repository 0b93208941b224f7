import Foundation
import Testing
@testable import DiscogsBatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The credential store: location, file modes, atomic replacement, refusal of insecure and corrupt files.
@Suite("CredentialStore")
struct CredentialStoreTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("discogs-batch-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let oauthProfile = CredentialProfile.oauth(
        consumerKey: "store-consumer-key-1234", consumerSecret: "store-consumer-secret-5678",
        accessToken: "store-access-token-9012", accessTokenSecret: "store-access-secret-3456",
        username: "store_user", baseURL: "https://api.discogs.com")

    static func mode(_ path: String) -> UInt16 {
        var info = stat()
        _ = stat(path, &info)
        return UInt16(info.st_mode & 0o777)
    }

    @Test func locationFollowsTheEnvironment() throws {
        #expect(CredentialStore.directory(environment: ["DISCOGS_BATCH_CONFIG_DIR": "/a", "XDG_CONFIG_HOME": "/b", "HOME": "/c"]) == "/a")
        #expect(CredentialStore.directory(environment: ["XDG_CONFIG_HOME": "/b", "HOME": "/c"]) == "/b/discogs-batch")
        #expect(CredentialStore.directory(environment: ["HOME": "/c"]) == "/c/.config/discogs-batch")
        #expect(CredentialStore.directory(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/c"]) == "/c/.config/discogs-batch")
        #expect(CredentialStore.directory(environment: [:]) == nil)
        #expect(throws: CredentialStoreError.noLocation) { try CredentialStore(environment: [:]) }
        #expect(try CredentialStore(environment: ["HOME": "/c"]).path == "/c/.config/discogs-batch/credentials.json")
    }

    @Test func aMissingStoreHasNoProfiles() throws {
        let store = CredentialStore(directory: try Self.temporaryDirectory() + "/nested/config")
        #expect(try store.load().isEmpty)
        #expect(try store.profile(named: "default") == nil)
    }

    @Test func savesWithDirectory0700AndFile0600AndReadsBack() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let old = umask(0o022)
        defer { umask(old) }
        let store = CredentialStore(directory: root + "/config/discogs-batch")
        try store.save(Self.oauthProfile, as: "default")
        try store.save(.token("store-personal-token-7777", username: "store_user", baseURL: "http://127.0.0.1:9"), as: "tok")
        #expect(Self.mode(store.directory) == 0o700)
        #expect(Self.mode(store.path) == 0o600)
        let profiles = try store.load()
        #expect(profiles["default"] == Self.oauthProfile)
        #expect(profiles["tok"]?.token == "store-personal-token-7777")
        #expect(profiles["tok"]?.mode == .token)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"version\" : 1"))
        #expect(text.contains("\"base_url\" : \"https://api.discogs.com\""))
        #expect(text.contains("\"access_token_secret\""))
        // No temporary file is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        #expect(names.sorted() == ["credentials.json", "credentials.lock"])
    }

    @Test func removeDeletesOneProfile() throws {
        let store = CredentialStore(directory: try Self.temporaryDirectory())
        try store.save(Self.oauthProfile, as: "a")
        try store.save(Self.oauthProfile, as: "b")
        #expect(try store.remove("a"))
        #expect(try !store.remove("a"))
        #expect(try store.load().keys.sorted() == ["b"])
    }

    @Test func aCrashBetweenWriteAndRenameLeavesTheOldStoreIntact() throws {
        let store = CredentialStore(directory: try Self.temporaryDirectory())
        try store.save(Self.oauthProfile, as: "default")
        let before = try Data(contentsOf: URL(fileURLWithPath: store.path))
        // The first half of an update, then the "crash": the rename never happens.
        var changed = try store.load()
        changed["default"] = nil
        changed["other"] = .token("store-personal-token-8888", username: nil, baseURL: "https://api.discogs.com")
        let temporary = try store.writeTemporary(changed)
        #expect(FileManager.default.fileExists(atPath: temporary))
        #expect(Self.mode(temporary) == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.path)) == before)
        #expect(try store.load() == ["default": Self.oauthProfile])
        // The next update works despite the stray temporary file, and keeps the old profile.
        try store.save(.token("store-personal-token-9999", username: nil, baseURL: "https://api.discogs.com"), as: "next")
        #expect(try store.load().keys.sorted() == ["default", "next"])
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func aStoreReadableByOthersIsRefusedWithTheChmodThatFixesIt(_ mode: Int) throws {
        let store = CredentialStore(directory: try Self.temporaryDirectory())
        try store.save(Self.oauthProfile, as: "default")
        chmod(store.path, mode_t(mode))
        let before = try Data(contentsOf: URL(fileURLWithPath: store.path))
        let error = #expect(throws: CredentialStoreError.self) { try store.load() }
        #expect(error == .insecurePermissions(path: store.path, mode: UInt16(mode)))
        #expect("\(error!)".contains("chmod 600 \(store.path)"))
        #expect("\(error!)".contains(String(format: "mode 0%o", mode)))
        #expect(!"\(error!)".contains("store-consumer-secret"))
        // Saving is refused as well, and the file is not touched.
        #expect(throws: CredentialStoreError.self) { try store.save(Self.oauthProfile, as: "other") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.path)) == before)
        chmod(store.path, 0o600)
        #expect(try store.load().count == 1)
    }

    @Test(arguments: [
        ("{not json", "not a JSON object"),
        ("{\"version\": 2, \"profiles\": {}}", "format version 2"),
        ("{\"version\": 1}", "profiles is not an object"),
        ("{\"version\": 1, \"profiles\": {\"p\": {\"mode\": \"oauth\", \"base_url\": \"x\", \"consumer_key\": \"k\"}}}",
         "profile \"p\" has no consumer_secret"),
        ("{\"version\": 1, \"profiles\": {\"p\": {\"mode\": \"magic\"}}}", "mode is not oauth or token"),
    ])
    func aCorruptStoreIsReportedAndNeverOverwritten(_ text: String, _ reason: String) throws {
        let store = CredentialStore(directory: try Self.temporaryDirectory())
        let fd = open(store.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        #expect(fd >= 0)
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let error = #expect(throws: CredentialStoreError.self) { try store.load() }
        #expect("\(error!)".contains(reason))
        #expect("\(error!)".contains("left untouched"))
        #expect(throws: CredentialStoreError.self) { try store.save(Self.oauthProfile, as: "default") }
        #expect(try String(contentsOfFile: store.path, encoding: .utf8) == text)
    }

    @Test func maskedValuesShowNoSecret() {
        let profile = Self.oauthProfile
        let shown = profile.maskedFields.map(\.value).joined(separator: " ") + " \(profile)"
        for secret in profile.secrets { #expect(!shown.contains(secret)) }
        #expect(profile.maskedFields.first { $0.name == "consumer_key" }?.value == "stor…")
        #expect(profile.maskedFields.first { $0.name == "consumer_secret" }?.value == "****")
        #expect(CredentialProfile.maskIdentifier("short-key") == "****")
    }

    @Test func profileNames() {
        #expect(CredentialStore.isValidProfileName("default"))
        #expect(CredentialStore.isValidProfileName("shop-2.eu_x"))
        #expect(!CredentialStore.isValidProfileName(""))
        #expect(!CredentialStore.isValidProfileName(".hidden"))
        #expect(!CredentialStore.isValidProfileName("a/b"))
        #expect(!CredentialStore.isValidProfileName(String(repeating: "a", count: 65)))
    }
}
