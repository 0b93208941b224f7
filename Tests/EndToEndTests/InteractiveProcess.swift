import Foundation
import NIOConcurrencyHelpers

/// The built executable run with pipes the test can talk to while it runs: wait for text on standard
/// error, write to standard input, then collect everything at exit. Waiting is on the data itself
/// (a continuation resumed by the reader thread), never on a sleep.
final class InteractiveProcess: Sendable {
    private struct State {
        var stderr = Data()
        var closed = false
        var waiters: [(needle: String, continuation: CheckedContinuation<String?, Never>)] = []
    }

    private let process: Process
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let state = NIOLockedValueBox(State())

    init(_ arguments: [String], environment: [String: String]) throws {
        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        self.process = process
        try process.run()
        let handle = errors.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                let ready: [(CheckedContinuation<String?, Never>, String?)] = state.withLockedValue { state in
                    if chunk.isEmpty { state.closed = true } else { state.stderr.append(chunk) }
                    let text = String(decoding: state.stderr, as: UTF8.self)
                    var ready: [(CheckedContinuation<String?, Never>, String?)] = []
                    let closed = state.closed
                    state.waiters.removeAll { waiter in
                        if text.contains(waiter.needle) {
                            ready.append((waiter.continuation, text))
                            return true
                        }
                        if closed {
                            ready.append((waiter.continuation, nil))
                            return true
                        }
                        return false
                    }
                    return ready
                }
                for (continuation, value) in ready { continuation.resume(returning: value) }
                if chunk.isEmpty { break }
            }
        }.start()
    }

    /// Standard error so far once it contains `needle`; nil when the process closed it first.
    func waitForStandardError(containing needle: String) async -> String? {
        await withCheckedContinuation { continuation in
            let immediate: String?? = state.withLockedValue { state in
                let text = String(decoding: state.stderr, as: UTF8.self)
                if text.contains(needle) { return .some(text) }
                if state.closed { return .some(nil) }
                state.waiters.append((needle, continuation))
                return .none
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Writes to the process's standard input.
    func write(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes standard input, waits for the exit and returns the status and both outputs.
    func finish() async -> (status: Int32, stdout: String, stderr: String) {
        try? input.fileHandleForWriting.close()
        let handle = output.fileHandleForReading
        let stdout = (try? await Harness.onOwnThread { handle.readDataToEndOfFile() }) ?? Data()
        _ = await waitForStandardError(containing: "\u{0}never\u{0}")
        await Harness.exit(of: process)
        let stderr = state.withLockedValue { String(decoding: $0.stderr, as: UTF8.self) }
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), stderr)
    }
}
