import Foundation
import Testing

/// A throwaway PostgreSQL cluster for one test: `initdb` in a temporary folder, the server listening
/// only on a Unix socket in that folder (no port to collide with), password authentication, stopped
/// (and its folder removed) by `stop`. Debian's `postgresql` package provides the programs (`.ci/run`
/// installs it); as root they run as the `postgres` user, since PostgreSQL refuses to run as root.
final class PostgresCluster: Sendable {
    let folder: String
    let password: String
    let bin: String

    /// The programs' folder, e.g. /usr/lib/postgresql/15/bin; nil when PostgreSQL is not installed.
    static let binFolder: String? = {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return versions.compactMap(Int.init).sorted().reversed().map { "\(base)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    /// Tests that need PostgreSQL run when it is installed, and always under CI (where its absence fails them).
    static var enabled: Bool { binFolder != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The URL processes use, with its password.
    var url: String { "postgres://discogs:\(password)@localhost/postgres?host=\(folder)&sslmode=disable" }

    private init(folder: String, password: String, bin: String) {
        self.folder = folder
        self.password = password
        self.bin = bin
    }

    /// Creates and starts a cluster; throws when PostgreSQL is missing or does not start.
    static func start() async throws -> PostgresCluster {
        guard let bin = binFolder else { throw Failure(description: "PostgreSQL is not installed (Debian's postgresql package)") }
        // Short: a Unix socket's path has at most 107 bytes.
        let folder = "/tmp/dbpg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let password = "pw-\(UUID().uuidString)"
        try password.write(toFile: "\(folder)/pw", atomically: true, encoding: .utf8)
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", folder]) }
        let cluster = PostgresCluster(folder: folder, password: password, bin: bin)
        do {
            try await Harness.onOwnThread {
                try cluster.tool("initdb", ["-D", "\(folder)/data", "-U", "discogs", "--pwfile=\(folder)/pw",
                    "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-N", "-E", "UTF8"])
                try cluster.startServer()
            }
        } catch {
            cluster.remove()
            throw error
        }
        return cluster
    }

    func startServer() throws {
        try tool("pg_ctl", ["-D", "\(folder)/data", "-l", "\(folder)/log", "-w", "-t", "30", "-o",
            "-c listen_addresses='' -c unix_socket_directories='\(folder)' -c fsync=off -c max_connections=40", "start"])
    }

    /// Runs `body` with a fresh cluster, stopped and removed afterwards whatever happens.
    static func with<T: Sendable>(_ body: (PostgresCluster) async throws -> T) async throws -> T {
        let cluster = try await start()
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Runs SQL through psql; returns the rows, fields separated by `|`.
    func sql(_ statement: String) async throws -> [String] {
        let output = try await Harness.onOwnThread {
            try Self.run("/usr/bin/psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.folder, "-U", "discogs",
                "-d", "postgres", "-c", statement], environment: ["PGPASSWORD": self.password])
        }
        return output.split(separator: "\n").map(String.init)
    }

    /// Stops the server at once, as a crash would (`-m immediate`), keeping its files.
    func kill() async {
        _ = try? await Harness.onOwnThread { try self.tool("pg_ctl", ["-D", "\(self.folder)/data", "-m", "immediate", "stop"]) }
    }

    /// Stops the server and removes the cluster.
    func stop() async {
        await kill()
        remove()
    }

    private func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs one of PostgreSQL's programs, as `postgres` when this process is root.
    private func tool(_ name: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", "\(bin)/\(name)"] + arguments)
        } else {
            try Self.run("\(bin)/\(name)", arguments)
        }
    }

    /// Runs a program through `system` (a shell that waits for it alone): Foundation's `Process`
    /// does not see the end of a `pg_ctl start` whose server keeps running.
    @discardableResult
    private static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgtool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let settings = environment.map { "\($0.key)=\(quoted($0.value)) " }.joined()
        let command = settings + ([path] + arguments).map(quoted).joined(separator: " ") + " </dev/null >\(quoted(file)) 2>&1"
        let status = system(command)
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw Failure(description: "\((path as NSString).lastPathComponent) \(arguments.last ?? "") failed: \(text)")
        }
        return text
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
