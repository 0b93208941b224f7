import Foundation

/// Settings every request starts from: `defaults` and `vars`.
struct RequestDefaults {
    var query: [(name: String, value: Template, node: YAMLNode)]
    var headers: [(name: String, value: String)]
    var vars: [String: String]
}

extension JobReader {
    static let requestKeys = ["name", "method", "path", "query", "headers", "media_type", "body", "foreach", "paginate", "items", "cache"]
    static let reservedHeaders = ["authorization", "user-agent", "host", "content-length", "transfer-encoding"]

    func readRequests(_ items: [YAMLNode], defaults: RequestDefaults, auth: JobAuth) -> [RequestSpec] {
        var names: [String: Mark] = [:]
        var total = 0
        var requests: [RequestSpec] = []
        // Every request's name and method, so that `from` can say whether it names one declared later.
        let declared = items.enumerated().compactMap { index, node -> Declared? in
            guard let name = node.mapping?.first(where: { $0.key.scalar?.text == "name" })?.value.scalar?.text else { return nil }
            let method = node.mapping?.first(where: { $0.key.scalar?.text == "method" })?.value.scalar?.text
            return Declared(name: name, index: index, method: method.flatMap(HTTPMethod.init(rawValue:)) ?? .GET)
        }
        for (index, node) in items.enumerated() {
            let path = "requests[\(index)]"
            guard let request = readRequest(node, path, defaults: defaults, auth: auth, index: index, declared: declared)
            else { continue }
            if let first = names[request.name] {
                context.error(request.mark, "\(path).name", "duplicate request name \"\(request.name)\" (first at \(first)); names make record keys and must be unique")
            }
            names[request.name] = names[request.name] ?? request.mark
            let count = request.foreach.reduce(1) { product, axis in
                let (result, overflow) = product.multipliedReportingOverflow(by: axis.count)
                return overflow ? Int.max : result
            }
            let (sum, overflow) = total.addingReportingOverflow(count)
            total = overflow ? Int.max : sum
            if total > loader.maxRequests {
                let mark = request.foreach.first?.mark ?? request.mark
                let what = count == Int.max ? "more than \(Int.max)" : "\(count)"
                context.error(mark, "\(path).foreach",
                    "expands to \(what) requests; a job may expand to at most \(loader.maxRequests) (split it into several jobs or shards)")
                total = Int.min / 2
            }
            requests.append(request)
        }
        return requests
    }

    /// A request as written, for checking `from`.
    struct Declared {
        var name: String
        var index: Int
        var method: HTTPMethod
    }

    private func readRequest(
        _ node: YAMLNode, _ path: String, defaults: RequestDefaults, auth: JobAuth, index: Int, declared: [Declared]
    ) -> RequestSpec? {
        let c = context
        guard let e = c.mapping(node, path, allowed: Self.requestKeys) else { return nil }

        var name = ""
        if let n = e["name"]?.value, let value = c.string(n, "\(path).name") {
            if value.isEmpty || !value.unicodeScalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || "._-".unicodeScalars.contains($0) }) {
                c.error(n.mark, "\(path).name", "expected a name of letters, digits, . _ and -, found \(c.describe(n))")
            }
            name = value
        } else if e["name"] == nil && !c.suggested.contains("\(path).name") {
            c.error(node.mark, "\(path).name", "required key is missing; every request needs a unique name (it starts each record's key)")
        }

        var method = HTTPMethod.GET
        if let n = e["method"]?.value, let value = c.oneOf(n, "\(path).method", HTTPMethod.self) { method = value }

        var foreach: [ForeachAxis] = []
        if let n = e["foreach"]?.value { foreach = readForeach(n, "\(path).foreach", index: index, declared: declared) }
        for axis in foreach where defaults.vars[axis.name] != nil {
            c.error(axis.mark, "\(path).foreach.\(axis.name)", "shadows vars.\(axis.name); give the foreach key another name")
        }
        // Names written under foreach count as known even when their values are in error, and a
        // foreach that is not a mapping at all turns the check off, so one mistake gives one error.
        let foreachNames = e["foreach"]?.value.mapping?.compactMap { $0.key.scalar?.text } ?? []
        let known: Set<String>? = e["foreach"].map { $0.value.mapping == nil } == true
            ? nil : Set(foreachNames).union(defaults.vars.keys)

        var template = Template("/")
        if let n = e["path"]?.value, let value = c.string(n, "\(path).path") {
            if !value.hasPrefix("/") {
                c.error(n.mark, "\(path).path", "expected a path starting with /, found \(c.describe(n))")
            } else if let q = value.unicodeScalars.firstIndex(where: { $0 == "?" || $0 == "#" }) {
                let offset = value.unicodeScalars.distance(from: value.unicodeScalars.startIndex, to: q)
                c.error(c.mark(of: n, offset: offset), "\(path).path", "put query parameters under query, not in the path")
            }
            template = checked(Template(value), n, "\(path).path", known: known)
        } else if e["path"] == nil && !c.suggested.contains("\(path).path") {
            c.error(node.mark, "\(path).path", "required key is missing; e.g. path: /releases/{release_id}")
        }

        var query = defaults.query.map { (name: $0.name, value: checked($0.value, $0.node, "defaults.query.\($0.name)", known: known)) }
        if let n = e["query"]?.value {
            for item in readQuery(n, "\(path).query") {
                let value = checked(item.value, item.node, "\(path).query.\(item.name)", known: known)
                if let i = query.firstIndex(where: { $0.name == item.name }) {
                    query[i].value = value
                } else {
                    query.append((item.name, value))
                }
            }
        }

        var headers = defaults.headers
        if let n = e["headers"]?.value {
            for item in readHeaders(n, "\(path).headers") {
                headers.removeAll { $0.name.lowercased() == item.name.lowercased() }
                headers.append(item)
            }
        }

        if let pair = e["media_type"], let media = c.oneOf(pair.value, "\(path).media_type", MediaType.self) {
            if let accept = e["headers"]?.value.mapping?.first(where: { $0.key.scalar?.text.lowercased() == "accept" }) {
                c.error(accept.key.mark, "\(path).headers.Accept", "give either media_type or an Accept header, not both")
            }
            headers.removeAll { $0.name.lowercased() == "accept" }
            headers.append(("Accept", media.accept))
        }

        var body: JSONTemplate?
        if let pair = e["body"] {
            if method.allowsBody {
                body = readBody(pair.value, "\(path).body", known: known)
            } else {
                c.error(pair.key.mark, "\(path).body", "a body is sent only with POST and PUT, not \(method.rawValue)")
            }
        }

        var paginate: Pagination?
        if let n = e["paginate"]?.value {
            if method != .GET {
                c.error(e["paginate"]!.key.mark, "\(path).paginate", "only GET requests can be paginated")
            }
            if n.mapping != nil {
                if let p = c.mapping(n, "\(path).paginate", allowed: ["max_pages"]) {
                    paginate = Pagination(maxPages: p["max_pages"].flatMap { c.int($0.value, "\(path).paginate.max_pages", in: 1...1_000_000) })
                }
            } else if let flag = c.bool(n, "\(path).paginate"), flag {
                paginate = Pagination(maxPages: nil)
            }
            if paginate != nil, query.contains(where: { $0.name == "page" }) {
                c.error(n.mark, "\(path).paginate", "pagination sets the page parameter; remove page from query")
            }

        }

        var items: String?
        if let n = e["items"]?.value, let value = c.string(n, "\(path).items") {
            if value.isEmpty || value.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                c.error(n.mark, "\(path).items", "expected a dotted path into the body such as releases or results, found \(c.describe(n))")
            } else {
                items = value
            }
        }

        var cache = RequestCachePolicy.inherit
        if let pair = e["cache"] {
            cache = readRequestCache(pair.value, "\(path).cache")
            if cache != .off, method != .GET {
                c.error(pair.key.mark, "\(path).cache", "only GET answers are cached; remove cache or set cache: false")
            }
        }

        if let need = Self.unservedNeed(path: template.source, method: method, mode: auth.mode) {
            c.warning(e["path"]?.value.mark ?? node.mark, "\(path).path", need)
        }
        if paginate != nil, !query.contains(where: { $0.name == "sort" }), let stable = Self.stableSort(path: template.source) {
            c.warning(e["paginate"]?.key.mark ?? node.mark, "\(path).paginate",
                "this list on Discogs's default sort may shift while it is paged; set query sort and sort_order for a stable walk (e.g. \(stable))")
        }

        return RequestSpec(
            name: name, mark: node.mark, method: method, path: template, query: query, headers: headers,
            body: body, foreach: foreach, paginate: paginate, items: items, cache: cache)
    }

    /// Reports every `{var}` that is neither a foreach key nor in vars.
    private func checked(_ template: Template, _ node: YAMLNode, _ path: String, known: Set<String>?) -> Template {
        guard let known else { return template }
        for name in template.variables where !known.contains(name) {
            let text = node.scalar?.text ?? ""
            let offset = text.range(of: "{\(name)}").map { text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: $0.lowerBound) } ?? 0
            let defined = known.isEmpty ? "no variables are defined" : "defined: \(known.sorted().joined(separator: ", "))"
            context.error(context.mark(of: node, offset: offset), path, "unknown variable {\(name)}; \(defined)")
        }
        return template
    }

    func readQuery(_ node: YAMLNode, _ path: String) -> [(name: String, value: Template, node: YAMLNode)] {
        guard let pairs = node.mapping else {
            context.error(node.mark, path, "expected a mapping of parameter names to values, found \(context.describe(node))")
            return []
        }
        return pairs.compactMap { pair in
            let name = pair.key.scalar?.text ?? ""
            guard let value = context.string(pair.value, "\(path).\(name)") else { return nil }
            return (name, Template(value), pair.value)
        }
    }

    func readHeaders(_ node: YAMLNode, _ path: String) -> [(name: String, value: String)] {
        guard let pairs = node.mapping else {
            context.error(node.mark, path, "expected a mapping of header names to values, found \(context.describe(node))")
            return []
        }
        return pairs.compactMap { pair in
            let name = pair.key.scalar?.text ?? ""
            let token = "!#$%&'*+-.^_`|~"
            if name.isEmpty || !name.unicodeScalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || token.unicodeScalars.contains($0) }) {
                context.error(pair.key.mark, "\(path).\(name)", "expected an HTTP header name, found \"\(name)\"")
                return nil
            }
            if Self.reservedHeaders.contains(name.lowercased()) {
                let hint = name.lowercased() == "authorization" ? "credentials go under auth" : name.lowercased() == "user-agent" ? "use user_agent" : "the tool sets it"
                context.error(pair.key.mark, "\(path).\(name)", "\(name) cannot be set here; \(hint)")
                return nil
            }
            guard let value = context.string(pair.value, "\(path).\(name)") else { return nil }
            if value.contains(where: \.isNewline) {
                context.error(pair.value.mark, "\(path).\(name)", "expected a single-line header value")
                return nil
            }
            return (name, value)
        }
    }

    private func readForeach(_ node: YAMLNode, _ path: String, index: Int, declared: [Declared]) -> [ForeachAxis] {
        guard let pairs = node.mapping, !pairs.isEmpty else {
            context.error(node.mark, path, "expected a mapping of variable names to values, found \(context.describe(node))")
            return []
        }
        var dependent: String?
        return pairs.compactMap { pair in
            let name = pair.key.scalar?.text ?? ""
            let axisPath = "\(path).\(name)"
            guard Template.isName(Substring(name)) else {
                context.error(pair.key.mark, axisPath, "expected a variable name (letters, digits, _), found \"\(name)\"")
                return nil
            }
            if Self.isRecordsSource(pair.value) {
                if let dependent {
                    context.error(pair.value.mark, axisPath,
                        "a request takes values from one earlier request only (foreach.\(dependent) already does); split it into two requests")
                    return nil
                }
                dependent = name
                guard let source = readRecordsSource(pair.value, axisPath, index: index, declared: declared) else { return nil }
                return ForeachAxis(name: name, mark: pair.value.mark, source: source)
            }
            guard let source = readSource(pair.value, axisPath) else { return nil }
            return ForeachAxis(name: name, mark: pair.value.mark, source: source)
        }
    }

    /// `{from: ..., select: ...}`, told apart from the other sources by either key.
    static func isRecordsSource(_ node: YAMLNode) -> Bool {
        node.mapping?.contains { ["from", "select"].contains($0.key.scalar?.text) } == true
    }

    /// `{from: NAME, select: PATH}`: NAME a request declared before this one that answers JSON.
    private func readRecordsSource(_ node: YAMLNode, _ path: String, index: Int, declared: [Declared]) -> ForeachAxis.Source? {
        let c = context
        guard let e = c.mapping(node, path, allowed: ["from", "select"]) else { return nil }
        var from: String?
        if let n = e["from"]?.value, let name = c.string(n, "\(path).from") {
            let earlier = declared.filter { $0.index < index }
            if let source = declared.first(where: { $0.name == name }) {
                if source.index == index {
                    c.error(n.mark, "\(path).from", "a request cannot take values from its own records")
                } else if source.index > index {
                    c.error(n.mark, "\(path).from",
                        "\"\(name)\" is requests[\(source.index)], declared after this one; from names a request declared earlier")
                } else if source.method == .DELETE {
                    c.error(n.mark, "\(path).from",
                        "\"\(name)\" is a DELETE, whose answers carry no JSON to select from; name a request that answers JSON")
                } else {
                    from = name
                }
            } else {
                var message = "unknown request \"\(name)\""
                if let nearest = LoadContext.nearest(name, in: earlier.map(\.name)) {
                    message += "; did you mean \"\(nearest)\"?"
                } else {
                    let names = earlier.map { "\"\($0.name)\"" }.joined(separator: ", ")
                    message += earlier.isEmpty ? "; no request is declared before this one" : "; requests declared before this one: \(names)"
                }
                c.error(n.mark, "\(path).from", message)
            }
        } else if e["from"] == nil && !c.suggested.contains("\(path).from") {
            c.error(node.mark, "\(path).from", "required key is missing; name the earlier request whose records give the values, e.g. from: collection")
        }
        var select: ValuePath?
        if let n = e["select"]?.value, let text = c.string(n, "\(path).select") {
            select = ValuePath(text)
            if select == nil {
                c.error(n.mark, "\(path).select",
                    "expected a dotted path into each record's item or body, such as basic_information.id or artists[].id (name[] takes every element of a list), found \(c.describe(n))")
            }
        } else if e["select"] == nil && !c.suggested.contains("\(path).select") {
            c.error(node.mark, "\(path).select", "required key is missing; the dotted path to the value in each record, e.g. select: basic_information.id")
        }
        guard let from, let select else { return nil }
        return .records(from: from, select: select)
    }

    private func readSource(_ node: YAMLNode, _ path: String) -> ForeachAxis.Source? {
        let c = context
        if let items = node.sequence {
            var values: [String] = []
            for (i, item) in items.enumerated() {
                guard item.scalar != nil else {
                    c.error(item.mark, "\(path)[\(i)]", "expected a scalar value, found \(item.kindDescription)")
                    continue
                }
                if let value = c.string(item, "\(path)[\(i)]") { values.append(value) }
            }
            return .list(values)
        }
        guard let pairs = node.mapping, pairs.count == 1, let kind = pairs[0].key.scalar?.text,
            kind == "range" || kind == "file"
        else {
            if let pairs = node.mapping, let key = pairs.first?.key, pairs.count == 1 {
                c.error(key.mark, path, c.unknownKeyMessage(key.scalar?.text ?? "", allowed: ["range", "file", "from"]))
            } else {
                c.error(node.mark, path, "expected a list of values, {range: {from, to}}, {file: PATH} or {from: REQUEST, select: PATH}, found \(c.describe(node))")
            }
            return nil
        }
        let value = pairs[0].value
        if kind == "file" {
            guard let file = c.string(value, "\(path).file") else { return nil }
            let resolved = file.hasPrefix("/") || directory.isEmpty ? file : "\(directory)/\(file)"
            // Read at most one byte past the limit, so that /dev/zero or a runaway file fails at once.
            let limit = loader.limits.maxBytes
            guard let handle = FileHandle(forReadingAtPath: resolved), let data = try? handle.read(upToCount: limit + 1) ?? Data()
            else {
                c.error(value.mark, "\(path).file", "cannot read \(resolved) (expected a UTF-8 text file of one value per line, relative to the job file)")
                return nil
            }
            try? handle.close()
            if data.count > limit {
                c.error(value.mark, "\(path).file", "\(resolved) is larger than \(limit) bytes, the most a foreach file may hold (split it into several jobs)")
                return nil
            }
            guard let values = ForeachAxis.values(fromLines: [UInt8](data)) else {
                c.error(value.mark, "\(path).file", "\(resolved) is not UTF-8 text (expected one value per line)")
                return nil
            }
            return .list(values)
        }
        guard let r = c.mapping(value, "\(path).range", allowed: ["from", "to", "step"]) else { return nil }
        guard let fromNode = r["from"]?.value, let toNode = r["to"]?.value else {
            c.error(value.mark, "\(path).range", "expected both from and to (inclusive), e.g. {from: 1, to: 50}")
            return nil
        }
        let from = c.int64(fromNode, "\(path).range.from")
        let to = c.int64(toNode, "\(path).range.to")
        var step: Int64? = 1
        if let s = r["step"]?.value {
            step = c.int64(s, "\(path).range.step")
            if step == 0 {
                c.error(s.mark, "\(path).range.step", "expected a non-zero step")
                return nil
            }
        }
        guard let from, let to, let step else { return nil }
        if (step > 0 && from > to) || (step < 0 && from < to) {
            c.warning(value.mark, "\(path).range", "the range from \(from) to \(to) with step \(step) is empty")
        }
        return .range(from: from, to: to, step: step)
    }

    private func readBody(_ node: YAMLNode, _ path: String, known: Set<String>?) -> JSONTemplate {
        switch node.value {
        case .sequence(let items):
            return .array(items.enumerated().map { readBody($1, "\(path)[\($0)]", known: known) })
        case .mapping(let pairs):
            return .object(pairs.map { ($0.key.scalar?.text ?? "", readBody($0.value, "\(path).\($0.key.scalar?.text ?? "")", known: known)) })
        case .scalar(let scalar):
            if scalar.style == .plain && node.tag == nil {
                if scalar.isNull { return .null }
                if let b = LoadContext.coreBool(scalar.text) { return .bool(b) }
                if let i = LoadContext.coreInteger(scalar.text) { return .number(String(i)) }
                if let number = Self.coreFloat(scalar.text) {
                    guard number.isFinite else {
                        context.error(node.mark, path, "\(scalar.text) cannot be sent as JSON; quote it to send a string")
                        return .null
                    }
                    return .number(Self.jsonNumber(scalar.text) ?? "\(number)")
                }
            }
            let text = context.expand(scalar.text, node, path) ?? ""
            return .string(checked(Template(text), node, path, known: known))
        }
    }

    /// A float by YAML 1.2 core rules, including `.inf` and `.nan`.
    static func coreFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let body = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        let allowed = "0123456789.eE+-"
        guard body.first.map({ $0.isNumber || $0 == "." }) == true, body.allSatisfy({ allowed.contains($0) }),
            body.contains(where: \.isNumber)
        else { return nil }
        return Double(text)
    }

    /// The text itself when it is already a valid JSON number, else nil.
    static func jsonNumber(_ text: String) -> String? {
        let t = text.first == "+" ? String(text.dropFirst()) : text
        let pattern = #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"#
        return t.range(of: pattern, options: .regularExpression) != nil ? t : nil
    }
}

extension ForeachAxis {
    /// Values from a file's bytes: one per line (LF or CRLF), without surrounding spaces and tabs; blank
    /// lines and lines starting with # skipped, a byte order mark ignored. Nil when the bytes are not
    /// UTF-8 or hold a NUL.
    public static func values(fromLines bytes: [UInt8]) -> [String]? {
        guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else { return nil }
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        return text.split(separator: 0x0A).compactMap { line in
            guard let first = line.firstIndex(where: { !isBlank($0) }), line[first] != UInt8(ascii: "#") else { return nil }
            let last = line.lastIndex(where: { !isBlank($0) })!
            return String(decoding: line[first...last], as: UTF8.self)
        }
    }

    /// How many values the axis yields; 0 for values from records, which only the run knows.
    public var count: Int {
        switch source {
        case .records: return 0
        case .list(let values): return values.count
        case .range(let from, let to, let step):
            if (step > 0 && from > to) || (step < 0 && from < to) { return 0 }
            let span = step > 0 ? UInt64(bitPattern: to &- from) : UInt64(bitPattern: from &- to)
            let (n, overflow) = (span / step.magnitude).addingReportingOverflow(1)
            return overflow || n > UInt64(Int.max) ? Int.max : Int(n)
        }
    }

    /// The value at `index` (0 ≤ index < count).
    public func value(at index: Int) -> String {
        switch source {
        case .records: preconditionFailure("values from records are not indexed")
        case .list(let values): return values[index]
        case .range(let from, _, let step): return String(from + Int64(index) * step)
        }
    }
}
