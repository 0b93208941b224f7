internal import CLibYAML

/// Reads one YAML document into a `YAMLNode` tree through libyaml's event API.
///
/// Beyond what libyaml checks, the parser rejects: invalid UTF-8 (with its position), a second
/// document, duplicate keys, non-scalar keys, unknown aliases, nesting deeper than the limit, and
/// alias use that would expand past the limit (so a "billion laughs" file fails at once).
/// `<<` merge keys are resolved: merged entries take the place of the `<<` key, explicit keys win.
public enum YAMLParser {
    /// Parses `bytes`; nil when the input holds no document (empty or only comments).
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = .default) throws -> YAMLNode? {
        if bytes.count > limits.maxBytes {
            throw YAMLError(
                "the file is larger than \(limits.maxBytes) bytes, the most a job file may hold",
                at: Mark(line: 1, column: 1))
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            let offset = firstInvalidUTF8(bytes)
            throw YAMLError(
                "invalid UTF-8 byte 0x\(String(bytes[offset], radix: 16, uppercase: true)); expected UTF-8 text",
                at: mark(atByteOffset: offset, in: bytes))
        }
        if bytes.isEmpty { return nil }
        var builder = TreeBuilder(limits: limits)
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw YAMLError("cannot initialise the YAML parser", at: Mark(line: 1, column: 1))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw libyamlError(parser, bytes: bytes)
                }
                defer { yaml_event_delete(&event) }
                if try builder.handle(event) { break }
            }
        }
        return builder.root
    }

    /// The 1-based line and column (in Unicode scalars) of a byte offset.
    static func mark(atByteOffset offset: Int, in bytes: [UInt8]) -> Mark {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return min(offset, bytes.count - 1)
            case .error: return offset
            }
        }
    }

    private static func libyamlError(_ parser: yaml_parser_t, bytes: [UInt8]) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let at: Mark
        if parser.error == YAML_READER_ERROR {
            at = mark(atByteOffset: parser.problem_offset, in: bytes)
        } else {
            at = Mark(parser.problem_mark)
        }
        let index = Int(parser.problem_mark.index)
        let hint = parser.error == YAML_SCANNER_ERROR && index < bytes.count && bytes[index] == 0x09
            ? "; indent YAML with spaces, not tabs" : ""
        guard let context = parser.context.map({ String(cString: $0) }) else {
            return YAMLError(problem + hint, at: at)
        }
        return YAMLError("\(problem) (\(context) at \(Mark(parser.context_mark)))\(hint)", at: at)
    }
}

extension Mark {
    init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

/// Turns the event stream into a tree, enforcing the limits as it goes.
private struct TreeBuilder {
    struct Frame {
        var isMapping: Bool
        var mark: Mark
        var tag: String?
        var anchor: String?
        var children: [YAMLNode] = []
        var weight = 1
    }

    let limits: YAMLLimits
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    var aliasNodes = 0
    var documents = 0
    var root: YAMLNode?

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    /// Handles one event; true at the end of the stream.
    mutating func handle(_ event: yaml_event_t) throws -> Bool {
        let mark = Mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError("expected a single document, found a second one (a job file holds one document)", at: mark)
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let node = YAMLNode(
                .scalar(YAMLScalar(text, style: Self.style(data.style))), mark: mark, tag: string(data.tag))
            try add(node, weight: 1, anchor: string(data.anchor))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let (node, weight) = anchors[name] else {
                throw YAMLError("unknown alias *\(name); an anchor &\(name) must come before it", at: mark)
            }
            aliasNodes += weight
            if aliasNodes > limits.maxAliasNodes {
                throw YAMLError(
                    "aliases expand to more than \(limits.maxAliasNodes) nodes; the file looks like an alias bomb",
                    at: mark)
            }
            try add(node, weight: weight, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            try push(Frame(isMapping: false, mark: mark, tag: string(data.tag), anchor: string(data.anchor)))
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            try push(Frame(isMapping: true, mark: mark, tag: string(data.tag), anchor: string(data.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let value: YAMLNode.Value =
                frame.isMapping ? .mapping(try Self.pairs(frame.children)) : .sequence(frame.children)
            try add(YAMLNode(value, mark: frame.mark, tag: frame.tag), weight: frame.weight, anchor: frame.anchor)
        default:
            break
        }
        return false
    }

    private mutating func push(_ frame: Frame) throws {
        if stack.count >= limits.maxDepth {
            throw YAMLError("nesting is deeper than \(limits.maxDepth) levels", at: frame.mark)
        }
        stack.append(frame)
    }

    private mutating func add(_ node: YAMLNode, weight: Int, anchor: String?) throws {
        if let anchor { anchors[anchor] = (node, weight) }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
            stack[stack.count - 1].weight += weight
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    /// Pairs up a mapping's children, rejecting duplicate and non-scalar keys and resolving `<<`.
    private static func pairs(_ children: [YAMLNode]) throws -> [YAMLPair] {
        var explicit: [String: Mark] = [:]
        for index in stride(from: 0, to: children.count, by: 2) where !isMergeKey(children[index]) {
            let key = children[index]
            guard let text = key.scalar?.text else {
                throw YAMLError("expected a scalar as mapping key, found \(key.kindDescription)", at: key.mark)
            }
            if let first = explicit[text] {
                throw YAMLError("duplicate key \"\(text)\" (first written at \(first))", at: key.mark)
            }
            explicit[text] = key.mark
        }
        var taken = Set(explicit.keys)
        var result: [YAMLPair] = []
        result.reserveCapacity(children.count / 2)
        for index in stride(from: 0, to: children.count, by: 2) {
            let key = children[index]
            let value = children[index + 1]
            guard isMergeKey(key) else {
                result.append(YAMLPair(key: key, value: value))
                continue
            }
            let sources = value.mapping.map { _ in [value] } ?? value.sequence ?? []
            guard !sources.isEmpty || value.sequence != nil, sources.allSatisfy({ $0.mapping != nil }) else {
                throw YAMLError("merge key << expects a mapping or a list of mappings", at: key.mark)
            }
            for source in sources {
                for pair in source.mapping ?? [] {
                    guard let text = pair.key.scalar?.text, taken.insert(text).inserted else { continue }
                    result.append(pair)
                }
            }
        }
        return result
    }

    private static func isMergeKey(_ node: YAMLNode) -> Bool {
        node.scalar == YAMLScalar("<<", style: .plain) && node.tag == nil
    }
}
