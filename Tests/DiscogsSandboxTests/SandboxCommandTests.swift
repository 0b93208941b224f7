import Foundation
import Testing

/// The `discogs-batch sandbox` contract, on the built executable: the base URL is the first line
/// of standard output, and SIGTERM stops it cleanly.
@Suite struct SandboxCommandTests {
    /// The executable built beside this test bundle.
    static let executable: URL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("discogs-batch")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: executable.path), "needs the discogs-batch executable beside the tests"))
    func printsTheBaseURLFirstAndStopsOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["sandbox", "--window", "2s", "--seed", "7", "--fault", "steal=2"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var bytes: [UInt8] = []
        while !bytes.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            bytes += chunk
        }
        let firstLine = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        #expect(firstLine.hasPrefix("http://127.0.0.1:"))

        let reply = try await TestHTTP.send(.GET, "\(firstLine)/releases/1?token=sandbox-demo-token")
        #expect(reply.status == 200)
        #expect(reply.intHeader("X-Discogs-Ratelimit-Used") == 3)
        let head = try await TestHTTP.send(.HEAD, "\(firstLine)/releases/1")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
