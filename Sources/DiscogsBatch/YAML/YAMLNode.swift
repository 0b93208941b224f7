/// One node of a parsed YAML document, with the position where it was written.
public struct YAMLNode: Sendable {
    public enum Value: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var value: Value
    public var mark: Mark
    /// An explicit tag (`!!str`, `!custom`), resolved to its full form; nil when none was written.
    public var tag: String?

    public init(_ value: Value, mark: Mark, tag: String? = nil) {
        self.value = value
        self.mark = mark
        self.tag = tag
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let s) = value { return s }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = value { return pairs }
        return nil
    }

    /// The node's kind in words, for diagnostics ("a mapping", "a list", "a string").
    public var kindDescription: String {
        switch value {
        case .scalar(let s): s.isNull ? "null" : "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// The value for a scalar key in a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }
}

/// A key and its value in a mapping, in the order written.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A scalar keeps the text as written; resolving it to a type is the reader's choice.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var text: String
    public var style: Style

    public init(_ text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }

    /// A plain `null`, `~`, `Null`, `NULL` or empty scalar (YAML 1.2 core schema).
    public var isNull: Bool {
        style == .plain && ["", "~", "null", "Null", "NULL"].contains(text)
    }
}
