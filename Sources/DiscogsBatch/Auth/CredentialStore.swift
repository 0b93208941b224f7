import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The stored sign-ins of `auth login`: one JSON file, `credentials.json`, in a 0700 directory.
///
/// Location: `$DISCOGS_BATCH_CONFIG_DIR`, else `$XDG_CONFIG_HOME/discogs-batch`, else
/// `$HOME/.config/discogs-batch`, all from the environment given (never read globally).
/// The file is created 0600 and replaced atomically (temporary file in the same directory, write,
/// fsync, rename, fsync of the directory); updates hold an exclusive `flock` on `credentials.lock`.
/// A file readable by group or others is refused with the `chmod` that fixes it; a file that does not
/// parse is reported and never overwritten.
///
/// Format (`version` 1): `{"version": 1, "profiles": {NAME: {"mode": "oauth"|"token", "consumer_key",
/// "consumer_secret", "access_token", "access_token_secret" | "token", "username", "base_url", "created"}}}`.
public struct CredentialStore: Sendable {
    /// The store's file name inside its directory.
    public static let fileName = "credentials.json"
    /// The store format this version reads and writes.
    public static let formatVersion = 1

    /// The directory holding the store.
    public let directory: String

    /// The store's file.
    public var path: String { "\(directory)/\(Self.fileName)" }

    /// A store at an explicit directory.
    public init(directory: String) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    /// The store the environment points at (see the type's documentation).
    public init(environment: [String: String]) throws(CredentialStoreError) {
        guard let directory = Self.directory(environment: environment) else { throw .noLocation }
        self.init(directory: directory)
    }

    /// The store directory the environment names, or nil when nothing locates it.
    public static func directory(environment: [String: String]) -> String? {
        if let explicit = environment["DISCOGS_BATCH_CONFIG_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return "\(xdg)/discogs-batch" }
        if let home = environment["HOME"], !home.isEmpty { return "\(home)/.config/discogs-batch" }
        return nil
    }

    /// True for a usable profile name: 1–64 letters, digits, `.`, `_`, `-`.
    public static func isValidProfileName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
            }
    }

    // MARK: - Reading

    /// Every profile by name; empty when there is no store yet.
    public func load() throws(CredentialStoreError) -> [String: CredentialProfile] {
        guard let data = try readFile() else { return [:] }
        return try decode(data)
    }

    /// One profile, or nil when the store or the profile does not exist.
    public func profile(named name: String) throws(CredentialStoreError) -> CredentialProfile? {
        try load()[name]
    }

    /// The store's bytes after the permission check; nil when the file does not exist.
    private func readFile() throws(CredentialStoreError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .io(path: path, operation: "open it", errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "inspect it", errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .corrupt(path: path, reason: "not a regular file") }
        let mode = UInt16(info.st_mode & 0o7777)
        if mode & 0o077 != 0 { throw .insecurePermissions(path: path, mode: mode) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read it", errno: errno)
            }
            if n == 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 4 << 20 { throw .corrupt(path: path, reason: "larger than 4 MiB") }
        }
        return Data(bytes)
    }

    /// Parses the store. Reasons name the profile and field, never a value.
    func decode(_ data: Data) throws(CredentialStoreError) -> [String: CredentialProfile] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .corrupt(path: path, reason: "not a JSON object")
        }
        guard let version = root["version"] as? Int else { throw .corrupt(path: path, reason: "no version") }
        guard version == Self.formatVersion else {
            throw .corrupt(path: path, reason: "format version \(version), this tool reads \(Self.formatVersion)")
        }
        guard let entries = root["profiles"] as? [String: Any] else {
            throw .corrupt(path: path, reason: "profiles is not an object")
        }
        var profiles: [String: CredentialProfile] = [:]
        for (name, value) in entries {
            guard let fields = value as? [String: Any] else {
                throw .corrupt(path: path, reason: "profile \"\(name)\" is not an object")
            }
            func text(_ key: String, required: Bool) throws(CredentialStoreError) -> String? {
                switch fields[key] {
                case nil, is NSNull:
                    if required { throw .corrupt(path: path, reason: "profile \"\(name)\" has no \(key)") }
                    return nil
                case let string as String:
                    if required && string.isEmpty {
                        throw .corrupt(path: path, reason: "profile \"\(name)\": \(key) is empty")
                    }
                    return string
                default:
                    throw .corrupt(path: path, reason: "profile \"\(name)\": \(key) is not a string")
                }
            }
            guard let modeText = try text("mode", required: true), let mode = AuthMode(rawValue: modeText),
                mode == .oauth || mode == .token
            else {
                throw .corrupt(path: path, reason: "profile \"\(name)\": mode is not oauth or token")
            }
            let oauth = mode == .oauth
            profiles[name] = CredentialProfile(
                mode: mode,
                consumerKey: try text("consumer_key", required: oauth),
                consumerSecret: try text("consumer_secret", required: oauth),
                accessToken: try text("access_token", required: oauth),
                accessTokenSecret: try text("access_token_secret", required: oauth),
                token: try text("token", required: !oauth),
                username: try text("username", required: false),
                baseURL: try text("base_url", required: true) ?? "",
                created: try text("created", required: false) ?? "")
        }
        return profiles
    }

    /// The store's JSON text for these profiles, keys sorted.
    func encode(_ profiles: [String: CredentialProfile]) -> Data {
        var entries: [String: Any] = [:]
        for (name, profile) in profiles {
            var fields: [String: Any] = ["mode": profile.mode.rawValue, "base_url": profile.baseURL, "created": profile.created]
            let optional: [(String, String?)] = [
                ("consumer_key", profile.consumerKey), ("consumer_secret", profile.consumerSecret),
                ("access_token", profile.accessToken), ("access_token_secret", profile.accessTokenSecret),
                ("token", profile.token), ("username", profile.username),
            ]
            for (key, value) in optional { if let value { fields[key] = value } }
            entries[name] = fields
        }
        let root: [String: Any] = ["version": Self.formatVersion, "profiles": entries]
        var data = (try? JSONSerialization.data(
            withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        data.append(0x0A)
        return data
    }

    // MARK: - Writing

    /// Adds or replaces one profile.
    public func save(_ profile: CredentialProfile, as name: String) throws(CredentialStoreError) {
        try update { $0[name] = profile }
    }

    /// Removes one profile; false when it did not exist (the store is then left as it was).
    @discardableResult
    public func remove(_ name: String) throws(CredentialStoreError) -> Bool {
        var removed = false
        try update { profiles in removed = profiles.removeValue(forKey: name) != nil }
        return removed
    }

    /// Reads, changes and atomically rewrites the store under an exclusive lock. A store that cannot be
    /// read (insecure, corrupt) is never written.
    public func update(_ change: (inout [String: CredentialProfile]) -> Void) throws(CredentialStoreError) {
        try createDirectory()
        let lockPath = "\(directory)/credentials.lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw .io(path: lockPath, operation: "create the lock file", errno: errno) }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            if errno != EINTR { throw .io(path: lockPath, operation: "lock it", errno: errno) }
        }
        defer { flock(lock, LOCK_UN) }
        var profiles = try load()
        let before = profiles
        change(&profiles)
        if profiles == before, FileManager.default.fileExists(atPath: path) { return }
        let temporary = try writeTemporary(profiles)
        try commit(temporary)
    }

    /// Creates the directory (and its parents) with mode 0700 when missing.
    func createDirectory() throws(CredentialStoreError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { throw .io(path: directory, operation: "use it as a directory", errno: ENOTDIR) }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io(path: directory, operation: "create it", errno: (error as NSError).code == 0 ? EIO : EACCES)
        }
        chmod(directory, 0o700)
    }

    /// First half of an atomic write: the new store in a fresh 0600 temporary file in the same directory,
    /// written and fsynced. Returns its path. `commit(_:)` puts it in place; a crash in between leaves
    /// the old store intact (and a stray temporary file that is ignored).
    func writeTemporary(_ profiles: [String: CredentialProfile]) throws(CredentialStoreError) -> String {
        let data = encode(profiles)
        var random = SystemRandomNumberGenerator()
        let temporary = "\(directory)/.\(Self.fileName).\(getpid()).\(String(random.next() as UInt64, radix: 36)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: temporary, operation: "create it", errno: errno) }
        var failure: Int32 = fchmod(fd, 0o600) != 0 ? errno : 0
        if failure == 0 {
            failure = data.withUnsafeBytes { DurableWrite.writeSyncClose(fd, $0) }
        } else {
            close(fd)
        }
        if failure != 0 {
            unlink(temporary)
            throw .io(path: temporary, operation: "write it", errno: failure)
        }
        return temporary
    }

    /// Second half: rename the temporary file over the store, then fsync the directory.
    func commit(_ temporary: String) throws(CredentialStoreError) {
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .io(path: path, operation: "replace it", errno: code)
        }
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: directory, operation: "open it", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: directory, operation: "sync it", errno: errno) }
    }
}
