/// Why the credential store cannot be used. Messages name paths, profiles and fields, never a value.
public enum CredentialStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store file can be read by group or others: refused until its mode is fixed.
    case insecurePermissions(path: String, mode: UInt16)
    /// The store file is not a store this tool wrote; it is reported and never overwritten.
    case corrupt(path: String, reason: String)
    /// A file-system operation failed.
    case io(path: String, operation: String, errno: Int32)
    /// No location: none of `DISCOGS_BATCH_CONFIG_DIR`, `XDG_CONFIG_HOME`, `HOME` is set.
    case noLocation

    public var description: String {
        switch self {
        case .insecurePermissions(let path, let mode):
            "\(path) is readable by group or others (mode \(String(mode, radix: 8, uppercase: false).leftPadded(to: 4))); "
                + "refusing to use stored credentials. Fix it with: chmod 600 \(path)"
        case .corrupt(let path, let reason):
            "\(path) is not a valid credential store (\(reason)); it is left untouched: repair it, or move it "
                + "away and sign in again with discogs-batch auth login"
        case .io(let path, let operation, let code):
            "\(path): cannot \(operation): \(String(cString: strerror(code)))"
        case .noLocation:
            "cannot locate the credential store: set DISCOGS_BATCH_CONFIG_DIR, XDG_CONFIG_HOME or HOME"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
