public enum RunError: Error, Sendable, CustomStringConvertible {
    /// Exit 2: the job cannot run as configured; nothing was sent.
    case invalid(String)
    /// Exit 4: the output cannot be written, or exists without --overwrite.
    case output(String)

    public var description: String {
        switch self {
        case .invalid(let message), .output(let message): message
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .invalid: 2
        case .output: 4
        }
    }
}
