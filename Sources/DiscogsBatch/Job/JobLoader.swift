import Foundation

/// Turns a job file into a `Job`, collecting every error and warning of the file at once.
public struct JobLoader: Sendable {
    public var environment: [String: String]
    public var limits: YAMLLimits
    /// Most requests a job may expand to before pagination.
    public var maxRequests: Int
    /// When true (`validate`, `plan`), a credential that the environment or a stored profile should
    /// give but does not is a warning, not an error: a CI lint step has no secrets. `run` and
    /// `auth whoami` keep it an error.
    public var credentialsOptional = false
    /// Where `auth.profile` is looked up; nil: nowhere (a job naming a profile then finds no store).
    /// `JobLoader.withCredentialStore` sets Auth's credential store.
    public var profiles: (any StoredProfileSource)?

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        limits: YAMLLimits = .default,
        maxRequests: Int = 10_000_000
    ) {
        self.environment = environment
        self.limits = limits
        self.maxRequests = maxRequests
    }

    /// What loading produced: the job when there were no errors, and all diagnostics in file order.
    public struct Result: Sendable {
        public var job: Job?
        public var diagnostics: [Diagnostic]
        /// The file's text, for rendering diagnostics with their source line (nil when there are none),
        /// with credential values written in it shown as `*`.
        public var source: String?

        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

        /// The job, or a `JobError` with every diagnostic.
        public func get() throws -> Job {
            guard let job else { throw JobError(diagnostics) }
            return job
        }
    }

    public func load(path: String) -> Result {
        let bytes: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let data = try handle.read(upToCount: limits.maxBytes + 1) ?? Data()
            bytes = [UInt8](data)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "cannot be read"
            let diagnostic = Diagnostic(
                .error, file: path, mark: Mark(line: 1, column: 1), path: "",
                message: "cannot read the job file: \(reason)")
            return Result(job: nil, diagnostics: [diagnostic], source: nil)
        }
        return load(bytes: bytes, file: path)
    }

    public func load(bytes: [UInt8], file: String) -> Result {
        let context = LoadContext(file: file, environment: environment)
        context.credentialsOptional = credentialsOptional
        // A file over the size limit is refused before anything is read from it, so nothing of it is quoted.
        let source = bytes.count > limits.maxBytes ? nil : String(validating: bytes, as: UTF8.self)
        var job: Job?
        do {
            if let root = try YAMLParser.parse(bytes, limits: limits) {
                job = JobReader(context: context, loader: self).read(root)
            } else {
                context.error(Mark(line: 1, column: 1), "", "the job file is empty; expected a mapping with version and requests")
            }
        } catch let error as YAMLError {
            context.error(error.mark, "", error.message)
        } catch {
            context.error(Mark(line: 1, column: 1), "", "\(error)")
        }
        let diagnostics = context.diagnostics.enumerated().sorted {
            ($0.element.mark, $0.offset) < ($1.element.mark, $1.offset)
        }.map(\.element)
        // Only a diagnostic quotes the source: without one there is nothing to hide it for.
        let shown = diagnostics.isEmpty ? nil : source.map { Self.hidingCredentials(in: $0, literals: context.literalCredentials) }
        return Result(job: context.hasErrors ? nil : job, diagnostics: diagnostics, source: shown)
    }

    /// Credential keys whose written value a quoted source line must not show.
    static let credentialValue = try! NSRegularExpression(
        pattern: #"(?<![A-Za-z0-9_])["']?(token|consumer_key|consumer_secret|access_token|access_token_secret)["']?[ \t]*:[ \t]+("[^"\n]*"?|'[^'\n]*'?|[^\s,}\]#][^,}\]\n#]*)"#)

    /// The source as diagnostics may quote it: every credential value the reader found written in the
    /// file, and whatever follows a credential key on a line (for a file too broken to read that far),
    /// is replaced by as many `*`, so carets keep their columns. `${NAME}` references stay visible.
    static func hidingCredentials(in source: String, literals: [String]) -> String {
        var text = source
        for literal in Set(literals) where literal.count >= JobAuth.minimumValueLength && !literal.contains("${") {
            text = text.replacingOccurrences(of: literal, with: String(repeating: "*", count: literal.unicodeScalars.count))
        }
        let matches = credentialValue.matches(in: text, range: NSRange(text.startIndex..., in: text))
        for match in matches.reversed() {
            guard let range = Range(match.range(at: 2), in: text), !text[range].contains("${") else { continue }
            text.replaceSubrange(range, with: String(repeating: "*", count: text[range].unicodeScalars.count))
        }
        return text
    }
}
