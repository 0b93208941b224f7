import Foundation
import NIOCore
import NIOPosix
import Testing

/// A throwaway tinyproxy (Debian's package) on a free loopback port, with its own configuration and
/// log in a temporary folder, run in the foreground and stopped by the test.
final class Tinyproxy: Sendable {
    /// The executable, or nil when tinyproxy is not installed.
    static let executable: String? = {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"]
        return paths.map { "\($0)/tinyproxy" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Run the proxy tests: tinyproxy is installed, or this is CI, where its absence fails them.
    static var testable: Bool { executable != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    private struct Running: @unchecked Sendable { let process: Process }  // started, then only stopped and waited on

    let port: Int
    private let folder: URL
    private let running: Running

    private init(port: Int, folder: URL, running: Running) {
        self.port = port
        self.folder = folder
        self.running = running
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// What the proxy logged (at level Info: every connection and every request line it saw).
    var log: String { (try? String(contentsOf: folder.appendingPathComponent("tinyproxy.log"), encoding: .utf8)) ?? "" }

    /// Starts tinyproxy, requiring `basicAuth` when given; returns once it accepts connections.
    static func start(basicAuth: (user: String, password: String)? = nil) async throws -> Tinyproxy {
        let executable = try #require(executable, "tinyproxy is not installed (CI runs install it: .ci/run)")
        let folder = try Harness.temporaryDirectory()
        let port = try await freePort()
        let logPath = folder.appendingPathComponent("tinyproxy.log").path
        var configuration = """
            Port \(port)
            Listen 127.0.0.1
            Timeout 30
            LogFile "\(logPath)"
            LogLevel Info
            MaxClients 50
            Allow 127.0.0.1
            DisableViaHeader Yes

            """
        if let basicAuth { configuration += "BasicAuth \(basicAuth.user) \(basicAuth.password)\n" }
        let configurationPath = folder.appendingPathComponent("tinyproxy.conf").path
        try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-d", "-c", configurationPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let proxy = Tinyproxy(port: port, folder: folder, running: Running(process: process))
        // Ready once it says so in its log (polled: tinyproxy has no other signal).
        let started = ContinuousClock.now
        while !proxy.log.contains("Accepting connections") {
            guard process.isRunning, ContinuousClock.now - started < .seconds(20) else {
                await proxy.stop()
                throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "tinyproxy did not start: \(proxy.log)"])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return proxy
    }

    /// Stops the proxy and removes its folder.
    func stop() async {
        // SIGKILL: tinyproxy in the foreground lingers on SIGTERM while tunnels are open.
        if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
        await Harness.exit(of: running.process)
        try? FileManager.default.removeItem(at: folder)
    }

    /// A loopback port nothing listens on (bound, then released).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
