import Foundation

/// One fault the sandbox injects into a share of its API answers.
///
/// Grammar (one `--fault` flag each, repeatable):
///
///     KIND[=ARG][:RATE][@PATH_PREFIX]
///
/// | spec | effect |
/// |---|---|
/// | `status=503:0.1` | answer 10 % of requests with that status (any 400–599) and a JSON message |
/// | `reset:0.05` | send the head and part of the body, then reset the connection (TCP RST) |
/// | `slow=5s:0.05` | wait that long before answering (`500ms`, `2s`, `10m`, `1h`) |
/// | `truncate:0.05` | `Content-Length` announces the whole body, half is sent, then the connection closes |
/// | `retry-after=2:0.1` | answer 429 with `Retry-After: 2` (seconds) and the Discogs message |
/// | `steal=10` | a second client on the same address uses 10 of every window's budget, per tier |
///
/// RATE is a share in 0...1 (`0.1`) or a percentage (`10%`); it is required for every kind but
/// `steal`, which takes none. `@/releases` limits a fault to paths starting with that prefix.
/// Faults never apply to `/_sandbox/*` or the authorize page. Each API request gets a sequence
/// number n (1, 2, ...); fault i fires when `uniform(seed, n, i) < RATE`, the first firing fault
/// in command-line order wins, so a fixed seed gives the same counts for the same number of
/// requests, whatever their interleaving.
public struct SandboxFault: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case status(Int)
        case reset
        case slow(Duration)
        case truncate
        case retryAfter(seconds: Int)
        case steal(Int)
    }

    public var kind: Kind
    /// Share of requests the fault applies to, 0...1 (1 for `steal`).
    public var rate: Double
    /// When set, only paths starting with this prefix are affected.
    public var pathPrefix: String?

    public init(kind: Kind, rate: Double, pathPrefix: String? = nil) {
        self.kind = kind
        self.rate = rate
        self.pathPrefix = pathPrefix
    }

    /// The short name used in specs and in the stats (`status`, `reset`, `slow`, ...).
    public var name: String {
        switch kind {
        case .status: "status"
        case .reset: "reset"
        case .slow: "slow"
        case .truncate: "truncate"
        case .retryAfter: "retry-after"
        case .steal: "steal"
        }
    }

    public var description: String {
        var text = name
        switch kind {
        case .status(let code): text += "=\(code)"
        case .slow(let delay): text += "=\(Int(delay.sandboxSeconds * 1000))ms"
        case .retryAfter(let seconds): text += "=\(seconds)"
        case .steal(let count): text += "=\(count)"
        case .reset, .truncate: break
        }
        if case .steal = kind {} else { text += ":\(rate)" }
        if let pathPrefix { text += "@\(pathPrefix)" }
        return text
    }

    /// The grammar, for `--help` and error messages.
    public static let grammar = """
        KIND[=ARG][:RATE][@PATH_PREFIX], KIND one of:
          status=CODE:RATE    answer with status CODE (400-599)   status=503:0.1
          reset:RATE          reset the connection mid-body       reset:0.05
          slow=DURATION:RATE  delay the answer (500ms, 2s, 10m)   slow=5s:0.05
          truncate:RATE       full Content-Length, half the body  truncate:0.05
          retry-after=S:RATE  429 with Retry-After: S seconds     retry-after=2:0.1
          steal=N             another client uses N per window    steal=10
        RATE: a share (0.1) or a percentage (10%). @/prefix: only matching paths.
        """

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let spec: String
        public let reason: String
        public var description: String {
            "invalid fault '\(spec)': \(reason)\nexpected \(SandboxFault.grammar)"
        }
    }

    /// Parses one fault spec; throws ``ParseError`` naming what is wrong.
    public static func parse(_ spec: String) throws -> SandboxFault {
        func fail(_ reason: String) -> ParseError { ParseError(spec: spec, reason: reason) }
        var rest = Substring(spec.trimmingCharacters(in: .whitespaces))
        var pathPrefix: String?
        if let at = rest.firstIndex(of: "@") {
            let prefix = String(rest[rest.index(after: at)...])
            guard prefix.hasPrefix("/") else { throw fail("the path prefix after @ must start with /") }
            pathPrefix = prefix
            rest = rest[..<at]
        }
        var rateText: Substring?
        if let colon = rest.lastIndex(of: ":") {
            rateText = rest[rest.index(after: colon)...]
            rest = rest[..<colon]
        }
        var argument: Substring?
        if let equals = rest.firstIndex(of: "=") {
            argument = rest[rest.index(after: equals)...]
            rest = rest[..<equals]
        }
        let name = rest.lowercased()

        func requireArgument(_ what: String) throws -> Substring {
            guard let argument, !argument.isEmpty else { throw fail("\(name) needs =\(what)") }
            return argument
        }
        func forbidArgument() throws {
            if argument != nil { throw fail("\(name) takes no =argument") }
        }

        let kind: Kind
        switch name {
        case "status":
            let text = try requireArgument("CODE")
            guard let code = Int(text), (400...599).contains(code) else {
                throw fail("status code must be a number from 400 to 599, got '\(text)'")
            }
            kind = .status(code)
        case "reset":
            try forbidArgument()
            kind = .reset
        case "truncate":
            try forbidArgument()
            kind = .truncate
        case "slow":
            let text = try requireArgument("DURATION")
            do {
                kind = .slow(try SandboxDuration.parse(String(text)))
            } catch {
                throw fail("slow needs a duration like 500ms, 2s, 10m or 1h, got '\(text)'")
            }
        case "retry-after":
            let text = try requireArgument("SECONDS")
            guard let seconds = Int(text), seconds >= 0 else {
                throw fail("retry-after needs a whole number of seconds, got '\(text)'")
            }
            kind = .retryAfter(seconds: seconds)
        case "steal":
            let text = try requireArgument("N")
            guard let count = Int(text), count >= 1 else {
                throw fail("steal needs a positive number of requests per window, got '\(text)'")
            }
            if rateText != nil { throw fail("steal takes no :RATE, it applies to every window") }
            return SandboxFault(kind: .steal(count), rate: 1, pathPrefix: pathPrefix)
        case "":
            throw fail("missing fault kind")
        default:
            throw fail("unknown fault kind '\(name)'")
        }
        guard let rateText, !rateText.isEmpty else {
            throw fail("\(name) needs :RATE, a share like 0.1 or 10%")
        }
        let rate: Double
        if rateText.hasSuffix("%") {
            guard let percent = Double(rateText.dropLast()), (0...100).contains(percent) else {
                throw fail("rate '\(rateText)' must be a percentage from 0% to 100%")
            }
            rate = percent / 100
        } else {
            guard let share = Double(rateText), (0...1).contains(share) else {
                throw fail("rate '\(rateText)' must be a share from 0 to 1 (or a percentage like 10%)")
            }
            rate = share
        }
        return SandboxFault(kind: kind, rate: rate, pathPrefix: pathPrefix)
    }
}
