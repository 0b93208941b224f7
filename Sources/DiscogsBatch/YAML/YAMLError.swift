/// A YAML document that cannot be read, with the position of the problem.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var mark: Mark
    public var message: String

    public init(_ message: String, at mark: Mark) {
        self.message = message
        self.mark = mark
    }

    public var description: String { "\(mark): \(message)" }
}
