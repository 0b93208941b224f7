/// Why a run stopped early on purpose; each leaves an output that `--resume` completes.
public enum StopReason: Sendable, Hashable, CustomStringConvertible {
    case maxRequests(Int)
    case deadline(Duration)
    case signal(Int32)

    public var exitCode: Int32 {
        switch self {
        case .maxRequests, .deadline: 75
        case .signal(let number): 128 + number
        }
    }

    public var description: String {
        switch self {
        case .maxRequests(let n): "--max-requests \(n) reached"
        case .deadline(let d): "--deadline \(d.humanDescription) reached"
        case .signal(let n): n == 2 ? "interrupted (SIGINT)" : n == 15 ? "terminated (SIGTERM)" : "signal \(n)"
        }
    }
}
