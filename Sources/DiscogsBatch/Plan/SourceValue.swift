/// A value that one record gives a dependent request (`foreach: {KEY: {from: NAME, select: PATH}}`).
public struct SourceValue: Sendable, Hashable {
    /// Index of the dependent request in the job.
    public var consumer: Int
    /// The selected scalar, as its JSON text reads (a string decoded, a number as written).
    public var value: String
    /// The key of the record it came from: the dependent request's `from`.
    public var from: String
    /// The source record's `seq`, which the dependent request carries on.
    public var seq: Int
}
