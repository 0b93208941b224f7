import Logging

/// The request a task is working on, for log lines: the runner sets `key` around each planned
/// request; `provider` adds it to every line logged inside as `key`.
public enum RequestLogContext {
    @TaskLocal public static var key: String?

    public static let provider = Logger.MetadataProvider {
        key.map { ["key": .string($0)] } ?? [:]
    }
}
