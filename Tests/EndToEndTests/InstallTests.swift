import Foundation
import Testing

/// `scripts/install` into a temporary DESTDIR with the executable `swift test` built (BINARY) and the
/// committed man page (MANPAGE), then the installed files used as a user's shell would.
@Suite("Install", .serialized, .timeLimit(.minutes(3)), .enabled(if: CommandLineTests.binaryExists))
struct InstallTests {
    static func which(_ tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return paths.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func shell(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        try await Harness.onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    @Test func installsBinaryCompletionsAndManPage() async throws {
        let stage = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stage) }
        let root = Harness.root.path
        let installed = try await Self.shell("/bin/bash", ["\(root)/scripts/install"], environment: [
            "DESTDIR": stage.path, "PREFIX": "/opt/db",
            "BINARY": Harness.binary.path, "MANPAGE": "\(root)/docs/man/discogs-batch.1",
        ])
        #expect(installed.status == 0, "\(installed.output)")
        let prefix = stage.path + "/opt/db"
        let binary = prefix + "/bin/discogs-batch"
        let version = try await Self.shell(binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.output.range(of: #"^\d+\.\d+\.\d+(\+[0-9a-f]{12}(\.dirty)?)?\n$"#, options: .regularExpression) != nil, "\(version.output)")
        let validate = try await Self.shell(binary, ["validate", "\(root)/examples/quickstart.yaml"])
        #expect(validate.status == 0, "\(validate.output)")

        let bash = prefix + "/share/bash-completion/completions/discogs-batch"
        #expect(try await Self.shell("/bin/bash", ["-n", bash]).status == 0)
        #expect(try String(contentsOfFile: bash, encoding: .utf8).contains("--summary-json"))
        let zsh = prefix + "/share/zsh/site-functions/_discogs-batch"
        let fish = prefix + "/share/fish/vendor_completions.d/discogs-batch.fish"
        #expect(FileManager.default.fileExists(atPath: zsh) && FileManager.default.fileExists(atPath: fish))
        if let tool = Self.which("zsh") { #expect(try await Self.shell(tool, ["-n", zsh]).status == 0) }
        if let tool = Self.which("fish") { #expect(try await Self.shell(tool, ["-n", fish]).status == 0) }

        let page = prefix + "/share/man/man1/discogs-batch.1"
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("summary-json"))
        if let man = Self.which("man") {
            let rendered = try await Self.shell(man, ["-l", page], environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100"])
            #expect(rendered.status == 0, "\(rendered.output)")
            #expect(rendered.output.contains("discogs-batch"))
        }
    }

    /// The committed page is the one the plugin makes from the current commands: every option of
    /// `run --help` appears in it (regenerate with the README's command when this fails).
    @Test func committedManPageHasEveryRunOption() async throws {
        let page = try String(contentsOfFile: Harness.root.appendingPathComponent("docs/man/discogs-batch.1").path, encoding: .utf8)
        let help = try await Harness.executable(["run", "--help"])
        let options = Set(help.stdout.matches(of: /--[a-z][a-z-]+/).map { String($0.output) })
        #expect(options.count > 10)
        for option in options where option != "--help" {
            #expect(page.contains(option.dropFirst(2)), "\(option) is missing from docs/man/discogs-batch.1")
        }
    }
}
