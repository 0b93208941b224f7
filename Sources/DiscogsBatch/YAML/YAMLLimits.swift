/// Bounds that keep hostile input (huge files, deep nesting, alias bombs) from exhausting the machine.
public struct YAMLLimits: Sendable, Hashable {
    /// Largest input accepted, in bytes.
    public var maxBytes: Int
    /// Deepest nesting of lists and mappings.
    public var maxDepth: Int
    /// Most nodes all alias uses together may bring into the document.
    public var maxAliasNodes: Int

    public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64, maxAliasNodes: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxAliasNodes = maxAliasNodes
    }

    public static let `default` = YAMLLimits()
}
