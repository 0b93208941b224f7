/// Why credentials could not be formed from a job's `auth` section and the environment.
public enum CredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `auth.mode` is not one of `none`, `key_secret`, `token`, `oauth`.
    case unknownMode(String)
    /// A field the mode needs is neither in the job nor in its environment variable.
    case missingField(mode: String, field: String, environmentVariable: String)
    /// A value is empty or too short to be a real credential (see `Credentials.validationProblems()`).
    case invalidValue(String)

    /// A one-line message naming the field and what to check, never a value.
    public var description: String {
        switch self {
        case .unknownMode(let mode):
            "auth.mode: unknown mode '\(mode)'; expected none, key_secret, token or oauth"
        case .missingField(let mode, let field, let variable):
            "auth.\(field): required in \(mode) mode; set it in the job or in the environment variable \(variable)"
        case .invalidValue(let problem):
            "auth: \(problem)"
        }
    }
}
