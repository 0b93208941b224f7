/// A request body as written in YAML, to be sent as JSON once its `{var}` placeholders are filled.
///
/// Plain scalars follow the YAML 1.2 core schema (`null`, `true`/`false`, integers, floats);
/// quoted and block scalars are strings.
public indirect enum JSONTemplate: Sendable {
    case null
    case bool(Bool)
    /// A number already in JSON form.
    case number(String)
    case string(Template)
    case array([JSONTemplate])
    case object([(key: String, value: JSONTemplate)])

    /// The placeholder names used anywhere in the body.
    public var variables: [String] {
        switch self {
        case .null, .bool, .number: []
        case .string(let template): template.variables
        case .array(let items): items.flatMap(\.variables)
        case .object(let members): members.flatMap(\.value.variables)
        }
    }

    /// Compact JSON text with placeholders filled.
    public func render(_ values: (String) -> String) -> String {
        var out = ""
        write(to: &out, values)
        return out
    }

    private func write(to out: inout String, _ values: (String) -> String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += text
        case .string(let template): JSONText.appendString(template.render(values), to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out, values)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                JSONText.appendString(member.key, to: &out)
                out += ":"
                member.value.write(to: &out, values)
            }
            out += "}"
        }
    }
}
