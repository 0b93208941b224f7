/// Why a record's request failed (SPEC §3): the record's `error` object.
public struct RecordFailure: Sendable, Hashable {
    /// `error.kind`, exactly as `schemas/record.schema.json` enumerates it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case http, timeout, connection, tls, decode, cancelled, auth
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
