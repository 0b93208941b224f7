import Foundation
import Logging

/// `--log-format json`: one JSON object per log line, for log shippers:
/// `{"at":"2026-12-05T13:00:00.123Z","level":"warning","label":"discogs-batch","message":"...","key":"release/release_id=1"}`.
/// `key` is the request being worked on (from `RequestLogContext`); other metadata become fields
/// (never overriding these). URLs in messages are masked by the runner; `mask` is applied to the
/// message and every field as a last guard against a credential value.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let mask: @Sendable (String) -> String
    let emit: @Sendable (String) -> Void

    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = RequestLogContext.provider,
        mask: @escaping @Sendable (String) -> String = { $0 },
        emit: @escaping @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data(line.utf8)) }
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.mask = mask
        self.emit = emit
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let own = event.metadata { fields.merge(own) { _, new in new } }
        var line = "{\"at\":"
        JSONText.appendString(Record.timestamp(Date().timeIntervalSince1970), to: &line)
        line += ",\"level\":"
        JSONText.appendString(event.level.rawValue, to: &line)
        line += ",\"label\":"
        JSONText.appendString(label, to: &line)
        line += ",\"message\":"
        JSONText.appendString(mask(event.message.description), to: &line)
        for (name, value) in fields.sorted(by: { $0.key < $1.key })
        where !["at", "level", "label", "message"].contains(name) {
            line += ","
            JSONText.appendString(name, to: &line)
            line += ":"
            JSONText.appendString(mask(value.description), to: &line)
        }
        line += "}\n"
        emit(line)
    }
}
