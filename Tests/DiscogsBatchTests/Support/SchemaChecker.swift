import Foundation

/// Runs `check-jsonschema` (PyPI) on files; CI installs it, elsewhere the schema tests skip without it.
enum SchemaChecker {
    static let executable: String? = {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return paths.map { "\($0)/check-jsonschema" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// True when the schema checks must run: the tool is there, or CI demands it.
    static var enabled: Bool { executable != nil || isCI }

    /// Whether each file validates against the schema, by path.
    static func check(schema: String, files: [String]) throws -> [String: Bool] {
        guard let executable else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "check-jsonschema is not installed (pip install check-jsonschema)"])
        }
        var results: [String: Bool] = [:]
        for file in files {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["--schemafile", schema, file]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
            if exited.wait(timeout: .now() + 30) == .timedOut {
                process.terminate()
                exited.wait()
            }
            results[file] = process.terminationStatus == 0
        }
        return results
    }
}
