import ArgumentParser
import DiscogsBatch
import Foundation
import Logging

/// `--summary-json`, `--metrics-file` and `--log-format`.
extension RunCommand {
    /// Text logs as before, or JSON lines masking the job's credential values.
    func bootstrapLogging(job: Job?) {
        let level: Logger.Level = verbose ? .debug : quiet ? .error : .warning
        switch logFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            let redactor = job.flatMap { try? Credentials(job: $0.auth) }.map { Redactor(credentials: $0) }
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label, mask: { redactor?.redact($0) ?? $0 })
                handler.logLevel = level
                return handler
            }
        }
    }

    /// The job file's diagnostics: with source line and caret as text, one log line each as JSON.
    func reportDiagnostics(_ result: JobLoader.Result, logger: Logger) {
        guard logFormat == .json else { return Console.report(result) }
        var logger = logger
        logger.logLevel = .warning
        for diagnostic in result.diagnostics {
            logger.log(level: diagnostic.severity == .error ? .error : .warning, "\(diagnostic)")
        }
    }

    func logError(_ message: String, logger: Logger) {
        if logFormat == .json { logger.error("\(message)") } else { Console.error(message) }
    }

    /// A line for people (the sandbox's address, the summary) on standard error; as JSON logs, one
    /// `info` line whatever the level, its lines joined with "; ".
    func logInfo(_ text: String) {
        guard logFormat == .json else { return Console.error(text) }
        var logger = Logger(label: "discogs-batch")
        logger.logLevel = .info
        logger.info("\(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; "))")
    }

    /// Writes `--summary-json` and `--metrics-file`; a failure is reported and leaves the exit code as it is.
    func writeReports(_ summary: RunSummary) {
        let now = Date().timeIntervalSince1970
        if let summaryJson {
            if summaryJson == "-" {
                Console.error(String(summary.json(finishedAt: now).dropLast()))
            } else {
                do {
                    try ReportFile.save(summary.json(finishedAt: now), to: summaryJson)
                } catch {
                    Console.error("discogs-batch: error: --summary-json: \(error)")
                }
            }
        }
        if let metricsFile {
            do {
                try summary.writeMetrics(to: metricsFile, finishedAt: now)
            } catch {
                Console.error("discogs-batch: error: --metrics-file: \(error)")
            }
        }
    }

    /// Why a report cannot be written at `path` (its folder is missing or not writable), or nil.
    static func unwritableFolder(of path: String) -> String? {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "the folder \(folder) does not exist"
        }
        return access(folder, W_OK) == 0 ? nil : "the folder \(folder) is not writable"
    }
}
