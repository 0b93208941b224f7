import Foundation

/// Turns a job file into a `Job`, collecting every error and warning of the file at once.
public struct JobLoader: Sendable {
    public var environment: [String: String]
    public var limits: YAMLLimits
    /// Most requests a job may expand to before pagination.
    public var maxRequests: Int

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
        /// The file's text, for rendering diagnostics with their source line.
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
        let source = String(validating: bytes, as: UTF8.self)
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
        return Result(job: context.hasErrors ? nil : job, diagnostics: diagnostics, source: source)
    }
}
